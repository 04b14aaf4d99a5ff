"""Shared query helpers: table sizes counted when small, estimated when large."""

import pytest
import sqlalchemy as sa

from civicladder import querying
from civicladder.db import db
from civicladder.models import AuditEvent


def test_a_small_table_is_counted_exactly(app_ctx, make_user):
    make_user()
    size = querying.table_size(AuditEvent.__table__)
    exact = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent.__table__))
    assert size == querying.RowCount(exact, exact=True)


def test_a_large_table_on_postgresql_gives_the_planners_estimate(app_ctx, people):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("only PostgreSQL keeps a row estimate; SQLite always counts")
    for _ in range(3):
        people.employee()
    db.session.execute(sa.text("ANALYZE employee"))
    from people.models import Employee

    size = querying.table_size(Employee.__table__, exact_below=1)
    assert size.exact is False and size.value >= 3


def test_the_hr_home_says_about_for_an_estimate(client_as, monkeypatch):
    monkeypatch.setattr(
        querying, "table_size", lambda table, exact_below=0: querying.RowCount(2_880_000, False)
    )
    page = client_as("hr").get("/").text
    assert "about 2,880,000</strong> evidence records" in page


@pytest.mark.parametrize("hour", [0, 23])
def test_utc_day_is_the_instants_day_in_utc_whatever_the_sessions_time_zone(app_ctx, hour):
    from datetime import UTC, date, datetime

    from civicladder.db import UTCDateTime, utc_day

    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL TIME ZONE 'America/New_York'"))
    instant = sa.literal(datetime(2026, 3, 31, hour, 30, tzinfo=UTC), UTCDateTime())
    day = db.session.scalar(sa.select(utc_day(instant)))
    assert str(day) == "2026-03-31"
    # Compared with a date as a Date column would be.
    later = sa.literal(date(2026, 4, 1), sa.Date)
    assert db.session.scalar(sa.select(utc_day(instant) < later)) in (True, 1)


def test_counts_by_status_are_exact_when_few_and_the_planners_share_when_many(app_ctx, people):
    from people.models import Employee, EmployeeStatus

    for status in (EmployeeStatus.ACTIVE, EmployeeStatus.ACTIVE, EmployeeStatus.LEAVE):
        people.employee(status=status)
    column, values = Employee.__table__.c.status, [s.value for s in EmployeeStatus]
    exact = querying.counts_by(column, values)
    assert exact == {
        "active": querying.RowCount(2, exact=True),
        "leave": querying.RowCount(1, exact=True),
        "separated": querying.RowCount(0, exact=True),
    }
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite keeps no statistics: it always counts
    db.session.execute(sa.text("ANALYZE employee"))
    estimated = querying.counts_by(column, values, exact_below=1)
    assert estimated["active"] == querying.RowCount(2, exact=False)
    # Values too rare for the statistics' common ones are counted.
    assert estimated["leave"].value == 1 and estimated["separated"].value == 0
