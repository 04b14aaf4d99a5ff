"""A report not counted ahead, where a worker runs the jobs: the page offers to count it, a job
counts and stores it, and the page then shows it; no request spends the counting itself."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from civicladder import jobs
from civicladder.db import db
from civicladder.models import AuditEvent, JobRun, JobState
from reports import services
from reports.models import LiveReport
from reports.rules import parse_period


@pytest.fixture
def rep(small_city, people):
    return people.union_rep(small_city.unit)


@pytest.fixture
def with_a_worker(monkeypatch):
    """Jobs wait for a worker (as with REDIS_URL set); the test plays the worker."""
    monkeypatch.setattr(jobs, "inline", lambda: False)
    monkeypatch.setattr(jobs, "dispatch", lambda run_id: None)


def test_a_report_not_counted_ahead_is_counted_by_a_job_the_reader_asks_for(
    client_as, small_city, rep, with_a_worker, app
):
    client = client_as(rep)
    url = f"/reports/units/{small_city.unit.id}?period=2026Q2"
    first = client.get(url)
    assert first.status_code == 200
    assert "Not counted yet" in first.text and "Count the 2026Q2 figures" in first.text
    assert db.session.scalar(sa.select(sa.func.count(LiveReport.id))) == 0  # nothing counted

    asked = client.post(f"/reports/units/{small_city.unit.id}/count", data={"period": "2026Q2"})
    assert asked.status_code == 302 and asked.headers["Location"] == url
    waiting = client.get(url).text
    assert "Being counted" in waiting and "Look again" in waiting
    # Asked again while it runs: the same job.
    client.post(f"/reports/units/{small_city.unit.id}/count", data={"period": "2026Q2"})
    runs = db.session.scalars(sa.select(JobRun).where(JobRun.kind == "reports.count")).all()
    assert len(runs) == 1 and runs[0].state is JobState.QUEUED
    assert runs[0].params == {
        "scope_kind": "bargaining_unit",
        "scope_id": small_city.unit.id,
        "period": "2026Q2",
    }
    events = sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "live_report.count_requested"
    )
    assert db.session.scalar(events) == 1

    with app.app_context():
        jobs.perform(runs[0].id)  # the worker

    shown = client.get(url).text
    assert "These figures were counted from the records at" in shown
    assert "Live figures, not published" in shown and "Members" in shown


def test_asking_for_a_published_period_is_refused(client_as, small_city, rep, app):
    with app.test_request_context():
        services.publish_unit_report(None, small_city.unit, parse_period("2026Q3"))
        db.session.flush()
    asked = client_as(rep).post(
        f"/reports/units/{small_city.unit.id}/count", data={"period": "2026Q3"}
    )
    assert asked.status_code == 409 and "is published" in asked.text


def test_without_a_worker_the_page_counts_as_before(client_as, small_city, rep):
    page = client_as(rep).get(f"/reports/units/{small_city.unit.id}?period=2026Q2").text
    assert "These figures are computed now" in page and "Not counted yet" not in page
