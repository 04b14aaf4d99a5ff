"""Per-request SQL statement counts in a response header, for the benchmark (off by default)."""

from __future__ import annotations

from flask import Flask, g, has_request_context
from sqlalchemy import event

from civicladder.db import db

HEADER = "X-SQL-Statements"
_COUNT_KEY = "sql_statements"
# Transaction control is the driver's bookkeeping, not the page's work: on SQLite the app sends
# its own BEGIN, and savepoints come and go with nested transactions on both databases.
_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "END")


def register(app: Flask) -> None:
    """With SQL_STATEMENT_HEADER on, count the statements each request runs into a header.

    Register it before the unit of work: after-request hooks run last-registered first, so the
    header is set after the commit's flush has run its statements.
    """
    if not app.config.get("SQL_STATEMENT_HEADER"):
        return
    with app.app_context():
        engine = db.engine
    if not event.contains(engine, "before_cursor_execute", count_statement):
        event.listen(engine, "before_cursor_execute", count_statement)

    @app.after_request
    def _statement_header(response):
        response.headers[HEADER] = str(g.get(_COUNT_KEY, 0))
        return response


def is_transaction_control(statement: str) -> bool:
    return statement.lstrip().upper().startswith(_TRANSACTION_CONTROL)


def count_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    """SQLAlchemy's before_cursor_execute hook: one more statement for the current request."""
    if has_request_context() and not is_transaction_control(statement):
        setattr(g, _COUNT_KEY, g.get(_COUNT_KEY, 0) + 1)
