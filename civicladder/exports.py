"""Files people download: private to them, and CSV for spreadsheets (formulas made inert, dates in
ISO form) streamed a chunk at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

from flask import Response, stream_with_context

from civicladder.db import db

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


# Downloads hold personal records: no browser or proxy may keep a copy.
PRIVATE = "no-store"


def private(response: Response) -> Response:
    """The response, marked so that nothing between the server and the person keeps a copy."""
    response.headers["Cache-Control"] = PRIVATE
    return response


def attachment(body, mimetype: str, filename: str) -> Response:
    """A private file the browser downloads under `filename`: bytes, text, or an iterator
    streamed."""
    return private(
        Response(
            body,
            mimetype=mimetype,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    )


def csv_response(
    filename: str, header: list[str], rows: Callable[[], Iterable[Iterable]]
) -> Response:
    """A CSV file streamed while it is read: `rows()` is called only as the body is written.

    A real server writes the body after the request's unit of work has committed and its
    session has closed, so nothing the view loaded or began may be read from then on (a result
    still open in that session fails on the first row). Rows are read instead inside the
    stream, in a session of its own that lives until the last row is sent and is closed then,
    also when the person gives up halfway.
    """
    return attachment(stream_with_context(_stream(header, rows)), "text/csv", filename)


def _stream(header: list[str], rows: Callable[[], Iterable[Iterable]]) -> Iterator[str]:
    # stream_with_context pushes the request's context again around this generator; the
    # scoped session it finds is a new one, since the request's was removed at its teardown.
    produced = rows()
    try:
        yield from rows_as_csv(header, produced)
    finally:
        close = getattr(produced, "close", None)
        if close is not None:
            close()  # a generator's own cleanup: server-side cursors are closed at once
        db.session.remove()
