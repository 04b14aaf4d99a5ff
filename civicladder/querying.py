"""SQL helpers the packages share: text search, long id lists, display-day date ranges.

Bulk writes live in `civicladder.bulk`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from civicladder import bulk
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
    if bulk.is_postgresql():
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
    if date_from is None and date_to is None:
        return []
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


@dataclass(frozen=True)
class RowCount:
    """How many rows a table holds; `exact` is False for the planner's estimate of a big one."""

    value: int
    exact: bool


def count_rows(stmt: sa.Select, at_most: int | None = None) -> int:
    """How many rows a statement selects (its order and eager loads aside); with `at_most`,
    counted only that far, for "is it more than N?" without counting a city."""
    inner = stmt.order_by(None)
    if at_most is not None:
        inner = inner.limit(at_most)
    return db.session.scalar(sa.select(sa.func.count()).select_from(inner.subquery())) or 0


def table_size(table: sa.Table, exact_below: int = 100_000) -> RowCount:
    """The rows in a table, counted when few, estimated on PostgreSQL when many.

    A summary figure ("about 2,880,000 evidence records") does not need a COUNT(*) of millions
    of rows on every page view: that took 100-230 ms at city scale. PostgreSQL keeps an
    estimate from its last ANALYZE (autovacuum refreshes it); SQLite always counts.
    """
    if bulk.is_postgresql():
        estimate = db.session.scalar(
            sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST(:name AS regclass)"),
            {"name": table.name},
        )
        if estimate is not None and estimate >= exact_below:
            return RowCount(int(estimate), exact=False)
    return RowCount(db.session.scalar(sa.select(sa.func.count()).select_from(table)), exact=True)


def counts_by(
    column: sa.Column, values: Sequence[str], exact_below: int = 100_000
) -> dict[str, RowCount]:
    """How many rows hold each of a column's few `values` (a status), counted when the table
    is small, estimated on PostgreSQL when it is large: each value's share in the planner's
    statistics (`pg_stats`, refreshed by ANALYZE) times the table's estimated rows. A value too
    rare to be among the statistics' common ones is counted (few rows, through its index).
    Counting 300,000 employees by status on every view took 28-45 ms; this reads two rows."""
    found: dict[str, RowCount] = {}
    size = table_size(column.table, exact_below)
    if not size.exact and bulk.is_postgresql():
        row = db.session.execute(
            sa.text(
                "SELECT most_common_vals::text::text[] AS vals, most_common_freqs AS freqs "
                "FROM pg_stats WHERE schemaname = current_schema() "
                "AND tablename = :table AND attname = :column"
            ),
            {"table": column.table.name, "column": column.name},
        ).first()
        if row is not None and row.vals:
            found = {
                value: RowCount(round(share * size.value), exact=False)
                for value, share in zip(row.vals, row.freqs, strict=True)
                if value in values
            }
    rest = [value for value in values if value not in found]
    if rest:
        counted = dict(
            db.session.execute(
                sa.select(column, sa.func.count()).where(column.in_(rest)).group_by(column)
            ).all()
        )
        for value in rest:
            found[value] = RowCount(counted.get(value, 0), exact=True)
    return found
