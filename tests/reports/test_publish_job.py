"""Publishing is a job: HR asks, the job counts, checks, freezes and renders the PDF in one
transaction. A try that fails half-way leaves nothing and the next publishes once; a try the
rules refuse fails for good, saying why; a second request while one waits is refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from civicladder import jobs, transaction
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict
from civicladder.models import AuditEvent, JobRun, JobState
from reports import disclosure, exports, services
from reports.models import ReportPdf, ReportSnapshot
from reports.rules import parse_period
from reports.tables import UNIT
from tests.reports.test_audit import only_small_counts

pytestmark = pytest.mark.usefixtures("app_ctx")
Q3 = parse_period("2026Q3")


@pytest.fixture
def hr(make_user):
    return make_user({Role.HR})


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_a_second_request_while_one_waits_is_refused(small_city, hr):
    run = services.request_publication(hr, UNIT, small_city.unit.id, Q3)
    assert run.state is JobState.QUEUED and run.title.startswith("Publish the 2026Q3 report")
    with pytest.raises(Conflict, match="is being published already"):
        services.request_publication(hr, UNIT, small_city.unit.id, Q3)
    transaction.commit()  # the job runs (no Redis: at once, after the commit)
    db.session.refresh(run)
    assert run.state is JobState.FINISHED
    snapshot = db.session.get(ReportSnapshot, run.result["snapshot_id"])
    assert snapshot.published_by_id == hr.id and snapshot.period == "2026Q3"
    with pytest.raises(Conflict, match="a published report never changes"):
        services.request_publication(hr, UNIT, small_city.unit.id, Q3)
    assert count(AuditEvent, AuditEvent.action == "report_snapshot.publication_requested") == 1


def test_a_try_that_fails_half_way_leaves_nothing_and_the_next_publishes_once(
    small_city, hr, monkeypatch
):
    rendered = exports.store_pdf
    calls = []

    def fails_once(snapshot):
        calls.append(snapshot.id)
        if len(calls) == 1:
            raise RuntimeError("the renderer died")  # after the snapshot row was written
        return rendered(snapshot)

    monkeypatch.setattr(exports, "store_pdf", fails_once)
    monkeypatch.setattr(jobs, "_retries_left", lambda: 1)  # as RQ would try again
    run = services.request_publication(hr, UNIT, small_city.unit.id, Q3)
    transaction.commit()
    db.session.refresh(run)
    assert run.state is JobState.QUEUED and "the renderer died" in run.message
    assert count(ReportSnapshot) == 0 and count(ReportPdf) == 0
    assert count(AuditEvent, AuditEvent.action == "report_snapshot.published") == 0

    jobs.perform(run.id)  # the next try

    db.session.refresh(run)
    assert (run.state, run.attempts) == (JobState.FINISHED, 2)
    assert count(ReportSnapshot) == 1 and count(ReportPdf) == 1
    assert count(AuditEvent, AuditEvent.action == "report_snapshot.published") == 1


def test_a_report_the_audit_refuses_fails_for_good_saying_which_cell(small_city, hr, monkeypatch):
    monkeypatch.setattr(disclosure, "protect", only_small_counts)
    monkeypatch.setattr(jobs, "_retries_left", lambda: 2)  # tries left, yet none is taken
    run = services.request_publication(hr, UNIT, small_city.unit.id, Q3)
    transaction.commit()
    db.session.refresh(run)
    assert run.state is JobState.FAILED and run.attempts == 1
    assert "is not published" in run.message and "members not enrolled" in run.message
    assert count(ReportSnapshot) == 0


def test_the_job_page_says_why_a_publication_failed(client_as, small_city, monkeypatch):
    monkeypatch.setattr(disclosure, "protect", only_small_counts)
    hr = client_as("hr")
    posted = hr.post(
        f"/reports/units/{small_city.unit.id}/publish",
        data={"period": "2026Q3", "confirmed": "yes"},
    )
    assert posted.status_code == 302
    page = hr.get(posted.headers["Location"])
    assert page.status_code == 200
    assert "It failed: The 2026Q3 report for" in page.text and "is not published" in page.text
    assert count(JobRun, JobRun.state == JobState.FAILED) == 1
