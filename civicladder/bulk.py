"""Bulk loading of generated rows: COPY on PostgreSQL, executemany on SQLite, in batches.

Rows are plain tuples in the order of the named columns, with ids assigned by the caller, so a
generator can stream millions of rows without ORM objects. The load runs on the session's own
connection and transaction: it commits or rolls back with the rest of the unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice

import sqlalchemy as sa

from civicladder.db import db

BATCH = 5000


def is_postgres() -> bool:
    return db.session.connection().dialect.name == "postgresql"


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
    """Write the rows into the table; call `progress(n)` after each batch; return the count."""
    connection = db.session.connection()
    iterator = iter(rows)
    if connection.dialect.name == "postgresql":
        write = _copy_writer(connection, table, columns)
    else:
        write = _executemany_writer(connection, table, columns)
    total = 0
    while chunk := list(islice(iterator, batch)):
        write(chunk)
        total += len(chunk)
        if progress is not None:
            progress(len(chunk))
    return total


def _copy_writer(connection: sa.Connection, table: sa.Table, columns: Sequence[str]):
    raw = connection.connection.driver_connection
    names = ", ".join(f'"{name}"' for name in columns)
    statement = f'COPY "{table.name}" ({names}) FROM STDIN'

    def write(chunk: list[tuple]) -> None:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in chunk:
                copy.write_row(row)

    return write


def _executemany_writer(connection: sa.Connection, table: sa.Table, columns: Sequence[str]):
    # Through Core, so the column types store dates, times and enums as SQLAlchemy reads them.
    statement = table.insert()

    def write(chunk: list[tuple]) -> None:
        connection.execute(statement, [dict(zip(columns, row, strict=True)) for row in chunk])

    return write


def update_many(table: sa.Table, set_column: str, rows: Iterable[tuple[object, int]]) -> None:
    """Set one column by id for a modest number of rows: (value, id) pairs."""
    statement = sa.update(table).where(table.c.id == sa.bindparam("row_id"))
    values = [{"new_value": value, "row_id": ident} for value, ident in rows]
    if values:
        db.session.execute(statement.values({set_column: sa.bindparam("new_value")}), values)


def finish(tables: Iterable[sa.Table]) -> None:
    """After a load on PostgreSQL: move id sequences past the loaded ids and refresh statistics."""
    if not is_postgres():
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
