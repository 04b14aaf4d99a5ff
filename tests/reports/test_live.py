"""Units' live reports counted ahead by the scheduler: the page reads them and says when they
were counted; other periods and departments are counted when asked."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from civicladder import clock
from civicladder.db import db
from people.models import Department
from reports import assemble, live, rules
from reports.models import LiveReport

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_refresh_counts_each_units_kept_periods_and_the_page_reads_them(
    app, client_as, small_city, people
):
    rep = people.union_rep(small_city.unit)
    units = db.session.scalar(sa.select(sa.func.count()).select_from(type(small_city.unit)))
    agencies = db.session.scalar(
        sa.select(sa.func.count()).select_from(Department).where(Department.parent_id.is_(None))
    )
    stored = live.refresh()
    kept = [p.code for p in live.periods_kept(clock.today())]
    assert stored == units * len(kept) + agencies
    assert kept[0] == rules.default_period(clock.today()).code
    row = db.session.scalar(
        sa.select(LiveReport).where(
            LiveReport.scope_id == small_city.unit.id, LiveReport.period == kept[0]
        )
    )
    scope = assemble.unit_scope(small_city.unit)
    assert row.content == assemble.report(scope, rules.parse_period(kept[0]))
    client = client_as(rep)
    page = client.get(f"/reports/units/{small_city.unit.id}?period={kept[0]}").text
    assert "These figures were counted from the records at" in page
    assert "Live figures, not published" in page
    # A period nobody keeps is counted when asked.
    other = client.get(f"/reports/units/{small_city.unit.id}?period=2025Q1").text
    assert "These figures are computed now" in other


def test_the_stored_report_stands_until_the_next_count(app, small_city, people):
    scope = assemble.unit_scope(small_city.unit)
    period = rules.parse_period("2026Q3")
    live.refresh()
    before, counted = live.content_for(scope, period)
    assert counted is not None
    people.employee(bargaining_unit=small_city.unit)  # one more member
    assert live.content_for(scope, period)[0] == before
    live.refresh()
    after, _ = live.content_for(scope, period)
    assert after != before and after == assemble.report(scope, period)


def test_the_command_stores_the_live_reports(app, small_city):
    result = app.test_cli_runner().invoke(args=["reports", "refresh-live"])
    assert result.exit_code == 0, result.output
    assert "counting Local 100, 2026Q3" in result.output
    assert "live reports stored in" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveReport)) > 0


def test_agencies_reports_are_counted_ahead_for_the_last_quarter(app, client_as, small_city):
    live.refresh()
    agency = db.session.scalar(
        sa.select(Department).where(Department.parent_id.is_(None)).order_by(Department.id)
    )
    period = rules.default_period(clock.today()).code
    page = client_as("hr").get(f"/reports/departments/{agency.id}?period={period}").text
    assert "These figures were counted from the records at" in page


def test_a_run_replaces_what_it_counts_and_drops_what_it_no_longer_keeps(
    app, small_city, monkeypatch
):
    scope = assemble.unit_scope(small_city.unit)
    live.refresh()
    # A report counted on request for another period, and one of a unit since removed.
    earlier = clock.now()
    other = LiveReport(
        scope_kind=scope.kind, scope_id=scope.id, period="2025Q1", content={}, computed_at=earlier
    )
    gone = LiveReport(
        scope_kind=scope.kind, scope_id=987654, period="2026Q3", content={}, computed_at=earlier
    )
    db.session.add_all([other, gone])
    db.session.flush()
    later = earlier + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    stored = live.refresh()
    rows = db.session.execute(
        sa.select(LiveReport.scope_id, LiveReport.period, LiveReport.computed_at)
    ).all()
    assert len(rows) == stored  # one row for each report counted, nothing else
    assert all(row.computed_at == later for row in rows)
    assert (scope.id, "2025Q1") not in {(row.scope_id, row.period) for row in rows}
