"""CSV files for people to open in spreadsheets: formulas made inert, dates in ISO form."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from flask import Response, stream_with_context

# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """One value as a CSV cell: ISO dates, and text that could start a formula made inert."""
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def rows_as_csv(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV text, a chunk at a time, so a long export never sits whole in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow([cell(value) for value in row])
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def attachment(body, mimetype: str, filename: str) -> Response:
    """A file the browser downloads under `filename`: bytes, text, or an iterator streamed."""
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    return attachment(stream_with_context(rows_as_csv(header, rows)), "text/csv", filename)
