"""The round's record: one ZIP of a PDF summary and the CSVs behind it, naming candidates by
code, with personal data only as HR chooses, and the download kept in the audit log."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from civicladder import audit
from civicladder.access import Role
from civicladder.db import db
from civicladder.models import AuditEvent
from hiring import record
from hiring.models import ApplicationStatus, RoundStatus

S = ApplicationStatus


def _round(hiring, status=RoundStatus.RANKED, extra: int = 0):
    """A hire, an assessed candidate and one screened out (with its reason in the audit log),
    plus `extra` assessed candidates; both assessors scored every assessed application."""
    hiring_round = hiring.round(status)
    first, second = hiring.panel(hiring_round)
    rubric = hiring.rubric_ids(hiring_round)
    hired = hiring.application(hiring_round, S.HIRED, full_name="Hana Hired", sex="female")
    assessed = [
        hiring.application(hiring_round, S.ASSESSED, full_name="=HYPERLINK(1)", sex="male")
        for _ in range(1 + extra)
    ]
    out = hiring.application(hiring_round, S.SCREENED_OUT, full_name="Oscar Out", sex="male")
    audit.record(None, "application.screened_out", out, reason="No example at the minimum.")
    for application in [hired, *assessed]:
        for assessor in (first, second):
            hiring.assessment(application, assessor, dict.fromkeys(rubric, 4))
    db.session.flush()
    return hiring_round, hired, out


def _download(client, hiring_round, personal: bool = False):
    data = {"personal": "y"} if personal else {}
    answer = client.post(f"/hiring/rounds/{hiring_round.id}/record", data=data)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    assert answer.headers["Content-Type"] == "application/zip"
    assert f"round-{hiring_round.id}-record.zip" in answer.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(answer.data))


def _csv(archive, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode())))


@pytest.fixture
def hr(client_as, make_user):
    user = make_user({Role.HR})
    return user, client_as(user)


def test_the_record_holds_the_summary_and_every_csv_naming_only_those_hired(app_ctx, hiring, hr):
    user, client = hr
    hiring_round, hired, out = _round(hiring)
    archive = _download(client, hiring_round)
    assert sorted(archive.namelist()) == sorted(record.FILES)
    decisions = {row["candidate_code"]: row for row in _csv(archive, "decisions.csv")}
    assert len(decisions) == 3 and "email" not in next(iter(decisions.values()))
    assert decisions[hired.candidate_code]["name"] == "Hana Hired"
    assert decisions[out.candidate_code]["name"] == ""
    assert all(row["name"] in ("", "Hana Hired") for row in decisions.values())
    # Two assessors scored two competencies of two applications.
    scores = _csv(archive, "scores.csv")
    assert len(scores) == 8 and {row["score"] for row in scores} == {"4"}
    assert [row["name"] for row in _csv(archive, "ranking.csv") if row["name"]] == ["Hana Hired"]
    # The bottom line by sex: one woman applied and was hired, two men applied, none hired.
    impact = _csv(archive, "adverse_impact.csv")
    bottom = {row["group"]: row for row in impact if row["stage"] == impact[0]["stage"]}
    assert (bottom["Female"]["considered"], bottom["Female"]["rate"]) == ("1", "1.0000")
    assert (bottom["Male"]["considered"], bottom["Male"]["selected"]) == ("2", "0")
    history = _csv(archive, "history.csv")
    screened = [row for row in history if row["action"] == "application.screened_out"]
    assert screened[0]["candidate_code"] == out.candidate_code
    assert screened[0]["reason"] == "No example at the minimum."
    summary = "".join(page.extract_text() for page in PdfReader(archive.open("summary.pdf")).pages)
    assert hiring_round.title in summary and hired.candidate_code in summary
    assert "Hana Hired" in summary and "Oscar Out" not in summary
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "hiring_round.record_downloaded")
    )
    assert event.actor_id == user.id and event.after["personal_data"] is False


def test_with_personal_data_chosen_every_name_and_address_is_in_it(app_ctx, hiring, hr):
    _, client = hr
    hiring_round, _, out = _round(hiring)
    decisions = {
        r["candidate_code"]: r for r in _csv(_download(client, hiring_round, True), "decisions.csv")
    }
    assert decisions[out.candidate_code]["name"] == "Oscar Out"
    assert decisions[out.candidate_code]["email"] == out.email
    # A name a spreadsheet would read as a formula is made inert.
    assert any(row["name"] == "'=HYPERLINK(1)" for row in decisions.values())


def test_before_the_ranking_is_locked_the_record_names_no_one(app_ctx, hiring, hr):
    _, client = hr
    hiring_round, _, _ = _round(hiring, RoundStatus.ASSESSING)
    decisions = _csv(_download(client, hiring_round, True), "decisions.csv")
    assert {row["name"] for row in decisions} == {""} and "email" not in decisions[0]


def test_the_record_reads_as_many_statements_whatever_the_number_of_applications(
    app_ctx, hiring, hr, count_queries
):
    _, client = hr
    counts = []
    for extra in (0, 12):
        hiring_round, _, _ = _round(hiring, extra=extra)
        _download(client, hiring_round)
        with count_queries() as statements:
            _download(client, hiring_round)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
