"""Reading the CSV files people upload: each record with its line, a broken file refused by line."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from flask_babel import gettext

from civicladder.errors import Invalid


def records(reader, field: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """The non-blank records of a `csv.reader`, each with the line it starts on.

    Where the file stops being CSV (a quote never closed, a field longer than the csv module's
    limit of 131,072 characters) this raises Invalid naming the line, for the form's `field`
    when given, instead of letting csv.Error become a server error.
    """
    start = 1
    try:
        for values in reader:
            if any(value.strip() for value in values):
                yield start, values
            start = reader.line_num + 1
    except csv.Error as error:
        raise Invalid(
            gettext("Line %(line)s could not be read as CSV: %(error)s.", line=start, error=error),
            field=field,
        ) from error
