"""Bulk writes: COPY on PostgreSQL, batched executemany elsewhere, in the session's transaction.

Two shapes of input, one engine underneath:
- `load(table, columns, rows)`: rows as tuples in column order, streamed (a generator of
  millions of rows holds no ORM objects); used by the synthetic city.
- `insert_rows(table, rows)` and `update_rows(table, rows)`: rows as dicts with the same keys;
  used by `audit.record_many` and the city's account links. (The roster import writes from a
  staged copy of its file with INSERT ... SELECT and UPDATE ... FROM instead.)
On PostgreSQL a load is ONE COPY statement however many rows it streams, so foreign keys between
its rows are checked when it ends and a row may name a row later in the stream. Values are
converted as SQLAlchemy's column types would (enums by value, JSON as text), since COPY bypasses
them. The writes run on the session's own connection: they commit or roll back with the rest
of the unit of work, and a clash on a unique key is SQLAlchemy's IntegrityError (a 409).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from itertools import islice

import sqlalchemy as sa

from civicladder import caching
from civicladder.db import db

# Rows per executemany batch, and how often progress is reported, in rows.
BATCH = 5000


def is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def next_id(table: sa.Table) -> int:
    """The first id free after the rows already in the table."""
    return (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1


def load(
    table: sa.Table,
    columns: Sequence[str],
    rows: Iterable[tuple],
    *,
    progress: Callable[[int], None] | None = None,
    batch: int = BATCH,
) -> int:
    """Write tuples into the table's columns; call `progress(n)` every batch; return the count."""
    if is_postgresql():
        return _copy(table, None, list(columns), rows, progress, batch)
    connection = db.session.connection()
    statement = table.insert()  # through Core, so column types store values as they read them
    iterator = iter(rows)
    total = 0
    while chunk := list(islice(iterator, batch)):
        connection.execute(statement, [dict(zip(columns, row, strict=True)) for row in chunk])
        total += len(chunk)
        if progress is not None:
            progress(len(chunk))
    return total


def insert_rows(
    table: sa.Table,
    rows: Sequence[dict],
    on_progress: Callable[[int], None] | None = None,
) -> None:
    """Insert many rows given as dicts with the same keys (see `load`)."""
    if not rows:
        return
    columns = list(rows[0])
    load(
        table, columns, (tuple(row[name] for name in columns) for row in rows), progress=on_progress
    )


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

    staging = f"{table.name}_changes"
    target = sql.Identifier(table.name)
    names = sql.SQL(", ").join(sql.Identifier(name) for name in ["id", *columns])
    connection = db.session.connection()
    caching.wrote(connection, table.name)  # the driver's UPDATE is not seen otherwise
    cursor = connection.connection.driver_connection.cursor()
    cursor.execute(
        sql.SQL("CREATE TEMPORARY TABLE {} AS SELECT {} FROM {} WITH NO DATA").format(
            sql.Identifier(staging), names, target
        )
    )
    values = (tuple(row[name] for name in ["id", *columns]) for row in rows)
    _copy(table, staging, ["id", *columns], values, None, BATCH)
    settings = sql.SQL(", ").join(
        sql.SQL("{} = {}.{}").format(
            sql.Identifier(name), sql.Identifier(staging), sql.Identifier(name)
        )
        for name in columns
    )
    with _as_sqlalchemy_errors():
        cursor.execute(
            sql.SQL("UPDATE {} SET {} FROM {} WHERE {}.id = {}.id").format(
                target, settings, sql.Identifier(staging), target, sql.Identifier(staging)
            )
        )
    # On failure the rollback removes the staging table with everything else.
    cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(staging)))


def finish(tables: Iterable[sa.Table]) -> None:
    """After a load with ids of its own on PostgreSQL: move id sequences past the loaded ids
    and refresh the planner's statistics."""
    if not is_postgresql():
        return
    connection = db.session.connection()
    for table in tables:
        if "id" in table.c and table.c.id.autoincrement is not False:
            sequence = connection.exec_driver_sql(
                "SELECT pg_get_serial_sequence(%s, 'id')", (table.name,)
            ).scalar()
            if sequence:
                highest = sa.select(sa.func.max(table.c.id)).scalar_subquery()
                connection.execute(
                    sa.select(sa.func.setval(sequence, sa.func.coalesce(highest, 0) + 1, False))
                )
        connection.exec_driver_sql(f'ANALYZE "{table.name}"')


@contextmanager
def _as_sqlalchemy_errors():
    """A clash on a unique key from the raw driver becomes SQLAlchemy's IntegrityError, which
    the app answers with a 409 like any other concurrent change."""
    import psycopg

    try:
        yield
    except psycopg.errors.IntegrityError as error:
        raise sa.exc.IntegrityError("bulk write", None, error) from error


def _copy(
    table: sa.Table,
    target: str | None,
    columns: list[str],
    rows: Iterable[tuple],
    progress: Callable[[int], None] | None,
    batch: int,
) -> int:
    """One COPY into `target` (default: the table itself), converting values as `table` would."""
    from psycopg import sql

    connection = db.session.connection()
    caching.wrote(connection, target or table.name)  # the driver's COPY is not seen otherwise
    cursor = connection.connection.driver_connection.cursor()
    names = sql.SQL(", ").join(sql.Identifier(name) for name in columns)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(target or table.name), names
    )
    converters = [_copy_converter(table.c[name].type) for name in columns]
    plain = all(convert is None for convert in converters)
    total = 0
    with _as_sqlalchemy_errors(), cursor.copy(statement) as copy:
        for row in rows:
            if not plain:
                row = [
                    value if convert is None or value is None else convert(value)
                    for convert, value in zip(converters, row, strict=True)
                ]
            copy.write_row(row)
            total += 1
            if progress is not None and total % batch == 0:
                progress(batch)
    if progress is not None and total % batch:
        progress(total % batch)
    return total


def _copy_converter(column_type: sa.types.TypeEngine) -> Callable | None:
    """COPY bypasses SQLAlchemy's types: store enums by value and JSON as text, as they do."""
    if isinstance(column_type, sa.types.TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, sa.JSON):
        return json.dumps
    if isinstance(column_type, sa.Enum):
        return lambda value: value.value if isinstance(value, enum.Enum) else value
    return None
