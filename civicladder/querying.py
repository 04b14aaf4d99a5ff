"""SQL helpers the packages share: text search, display-day date ranges, and bulk inserts."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from civicladder.db import db


def search_text(text: str | None) -> str | None:
    """What a person typed into a search box, trimmed; None when nothing is left to search."""
    text = (text or "").strip()
    return text or None


def contains(column, text: str) -> sa.ColumnElement[bool]:
    """Case-insensitive "column contains text", where % and _ typed by a person are literal.

    `icontains(autoescape=True)` lowers both sides and escapes LIKE's wildcards, so it
    behaves the same on SQLite and PostgreSQL.
    """
    return column.icontains(text, autoescape=True)


def starts_with(column, text: str) -> sa.ColumnElement[bool]:
    """Case-insensitive "column starts with text", with LIKE's wildcards taken literally."""
    return column.istartswith(text, autoescape=True)


def among(column, values: Sequence) -> sa.ColumnElement[bool]:
    """`column IN (values)`, for the long lists of set-based lookups.

    On PostgreSQL the list travels as one array parameter (`= ANY(:array)`): an IN list of
    thousands of parameters spends more time being written out and parsed than being run.
    Elsewhere it is a plain IN; callers keep lists below SQLite's parameter limit.
    """
    if is_postgresql():
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == sa.any_(sa.bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def display_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def start_of_day(day: date, zone: ZoneInfo) -> datetime | None:
    """The instant a calendar day begins in the zone (as UTC), or None beyond datetime's range."""
    try:
        return datetime.combine(day, time.min, tzinfo=zone).astimezone(ZoneInfo("UTC"))
    except OverflowError:
        return None


def within_days(
    column, date_from: date | None, date_to: date | None, zone: ZoneInfo | None = None
) -> list[sa.ColumnElement[bool]]:
    """Conditions keeping a UTC timestamp column inside whole days of the display time zone.

    The days are the ones people see on the pages (DISPLAY_TIMEZONE), not UTC days, so an event
    at 23:30 in New York belongs to that evening's date. A bound that lies beyond the dates a
    computer can represent (year 1 or 9999) is no bound at all.
    """
    zone = zone or display_zone()
    conditions = []
    if date_from is not None:
        start = start_of_day(date_from, zone)
        if start is not None:
            conditions.append(column >= start)
    if date_to is not None and date_to < date.max:
        end = start_of_day(date_to + timedelta(days=1), zone)
        if end is not None:
            conditions.append(column < end)
    return conditions


# --- bulk writes ----------------------------------------------------------------------------

# How often insert_rows reports progress, in rows.
PROGRESS_EVERY = 5000


def is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def reserve_ids(table: sa.Table, count: int) -> list[int] | None:
    """Take `count` ids from the table's sequence (PostgreSQL), so rows can name each other
    before they are written; None where the database has no sequence to draw from."""
    if not is_postgresql() or count == 0:
        return [] if count == 0 else None
    sequence = sa.func.pg_get_serial_sequence(table.name, "id")
    stmt = sa.select(sa.func.nextval(sequence)).select_from(sa.func.generate_series(1, count))
    return list(db.session.scalars(stmt))


def insert_rows(
    table: sa.Table,
    rows: Sequence[dict],
    on_progress: Callable[[int], None] | None = None,
) -> None:
    """Insert many rows (all with the same keys) in the current transaction, quickly.

    PostgreSQL gets one COPY (about ten times executemany's speed, measured on these
    machines); it runs as one statement, so foreign keys between the rows are checked at its
    end and rows may refer to rows later in the list. Other databases get one executemany.
    """
    if not rows:
        return
    columns = list(rows[0])
    if not is_postgresql():
        for start in range(0, len(rows), PROGRESS_EVERY):
            batch = rows[start : start + PROGRESS_EVERY]
            db.session.execute(sa.insert(table), batch)
            if on_progress is not None:
                on_progress(len(batch))
        return
    from psycopg import sql

    _copy(table, sql.Identifier(table.name), columns, rows, on_progress)


def update_rows(table: sa.Table, rows: Sequence[dict]) -> None:
    """Set new values on many rows by id (every row with the same keys, `id` among them).

    PostgreSQL copies the values into a temporary table and runs one UPDATE ... FROM it; row
    by row, the server spent most of the time on the statements themselves (measured: 100,000
    rows took 15 s as an executemany). Other databases get one executemany.
    """
    if not rows:
        return
    columns = [name for name in rows[0] if name != "id"]
    if not is_postgresql():
        db.session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("row_id"))
            .values({name: sa.bindparam(f"new_{name}") for name in columns}),
            [
                {"row_id": row["id"], **{f"new_{name}": row[name] for name in columns}}
                for row in rows
            ],
        )
        return
    from psycopg import sql

    staging = sql.Identifier(f"{table.name}_changes")
    target = sql.Identifier(table.name)
    names = sql.SQL(", ").join(sql.Identifier(name) for name in ["id", *columns])
    cursor = db.session.connection().connection.driver_connection.cursor()
    cursor.execute(
        sql.SQL("CREATE TEMPORARY TABLE {} AS SELECT {} FROM {} WITH NO DATA").format(
            staging, names, target
        )
    )
    _copy(table, staging, ["id", *columns], rows, None)
    settings = sql.SQL(", ").join(
        sql.SQL("{} = {}.{}").format(sql.Identifier(name), staging, sql.Identifier(name))
        for name in columns
    )
    with _as_sqlalchemy_errors():
        cursor.execute(
            sql.SQL("UPDATE {} SET {} FROM {} WHERE {}.id = {}.id").format(
                target, settings, staging, target, staging
            )
        )
    # On failure the rollback removes the staging table with everything else.
    cursor.execute(sql.SQL("DROP TABLE {}").format(staging))


@contextmanager
def _as_sqlalchemy_errors():
    """Raise a clash on a unique key from the raw driver as SQLAlchemy's IntegrityError, which
    the app answers with a 409 like any other concurrent change."""
    import psycopg

    try:
        yield
    except psycopg.errors.IntegrityError as error:
        raise sa.exc.IntegrityError("bulk write", None, error) from error


def _copy(table: sa.Table, target, columns: list[str], rows: Sequence[dict], on_progress) -> None:
    """COPY rows into `target` (a psycopg sql.Identifier), converting values as `table` would."""
    from psycopg import sql

    cursor = db.session.connection().connection.driver_connection.cursor()
    names = sql.SQL(", ").join(sql.Identifier(name) for name in columns)
    converters = [_copy_converter(table.c[name].type) for name in columns]
    plain = all(convert is None for convert in converters)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(target, names)
    with _as_sqlalchemy_errors(), cursor.copy(statement) as copy:
        for n, row in enumerate(rows, 1):
            values = [row[name] for name in columns]
            if not plain:
                values = [
                    value if convert is None or value is None else convert(value)
                    for convert, value in zip(converters, values, strict=True)
                ]
            copy.write_row(values)
            if on_progress is not None and n % PROGRESS_EVERY == 0:
                on_progress(PROGRESS_EVERY)
    if on_progress is not None and len(rows) % PROGRESS_EVERY:
        on_progress(len(rows) % PROGRESS_EVERY)


def _copy_converter(column_type: sa.types.TypeEngine) -> Callable | None:
    """COPY bypasses SQLAlchemy's types: store enums by value and JSON as text, as they do."""
    if isinstance(column_type, sa.types.TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, sa.JSON):
        return json.dumps
    if isinstance(column_type, sa.Enum):
        return lambda value: value.value if isinstance(value, enum.Enum) else value
    return None
