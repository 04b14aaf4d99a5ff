"""Applications not hired are anonymised after the retention period; aggregates stay."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from civicladder import clock
from civicladder.db import db
from civicladder.files import StoredFile, StoredFileChunk
from hiring import files, ranking
from hiring.eligible.models import EligibleListEntry
from hiring.models import Answer, ApplicationStatus, RoundStatus
from hiring.offers.models import OfferStatus
from hiring.rules import Category

S = ApplicationStatus


def _old_round(hiring, app, days_ago: int):
    closes = clock.today() - timedelta(days=days_ago)
    hiring_round = hiring.round(
        RoundStatus.COMPLETED, opens_on=closes - timedelta(days=30), closes_on=closes
    )
    out = hiring.application(
        hiring_round, S.SCREENED_OUT, full_name="Olive Gone", token="old-token", sex="female"
    )
    with app.app_context():
        out.file = hiring.stored_file(b"%PDF-1.4 old")
    out.file_name, out.file_type, out.file_size = "cv.pdf", files.PDF, 12
    hired = hiring.application(hiring_round, S.HIRED, full_name="Hana Kept", sex="male")
    db.session.flush()
    return hiring_round, out, hired


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=["hiring", "anonymise", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_dry_run_counts_and_changes_nothing(app, hiring):
    _, out, _ = _old_round(hiring, app, days_ago=3 * 365)
    output = _run(app)
    assert "1 application(s) are past the 730-day retention period" in output
    assert "dry run" in output
    db.session.refresh(out)
    assert out.full_name == "Olive Gone" and out.anonymised_at is None


def test_unsuccessful_applications_past_retention_lose_what_names_the_candidate(
    app, client, hiring
):
    hiring_round, out, hired = _old_round(hiring, app, days_ago=3 * 365)
    stored_id = out.file_id
    before = ranking.adverse_impact_report(hiring_round.id)
    output = _run(app, "--commit")
    assert "Anonymised 1 application(s); deleted 1 file(s)." in output
    db.session.refresh(out)
    db.session.refresh(hired)
    assert out.anonymised_at is not None
    assert (out.full_name, out.work_sample, out.file_id) == ("", "", None)
    assert "@" not in out.email and out.status == S.SCREENED_OUT
    assert db.session.scalar(sa.select(sa.func.count()).where(Answer.application_id == out.id)) == 0
    assert db.session.get(StoredFile, stored_id) is None
    assert not db.session.scalar(
        sa.select(sa.func.count()).where(StoredFileChunk.file_id == stored_id)
    )
    assert hired.full_name == "Hana Kept" and hired.anonymised_at is None
    assert client.get("/jobs/status/old-token").status_code == 404
    assert ranking.adverse_impact_report(hiring_round.id) == before


def test_recent_rounds_are_kept(app, hiring):
    _, out, _ = _old_round(hiring, app, days_ago=30)
    assert "0 application(s)" in _run(app)
    _run(app, "--commit")
    db.session.refresh(out)
    assert out.full_name == "Olive Gone"


def test_a_declined_offer_loses_the_candidates_reason_and_keeps_its_terms(app, hiring):
    hiring_round, _, _ = _old_round(hiring, app, days_ago=3 * 365)
    declined = hiring.application(hiring_round, S.DECLINED, full_name="Dina Declined")
    offer = hiring.offer(
        declined,
        OfferStatus.DECLINED,
        decline_reason="My mother is ill and I stay home.",
        answered_at=clock.now(),
    )
    _run(app, "--commit")
    db.session.refresh(offer)
    assert offer.decline_reason is None
    assert (offer.status, offer.salary_cents) == (OfferStatus.DECLINED, 5_200_000)


def test_a_candidate_on_an_eligible_list_is_kept_until_the_list_expires(app, hiring, monkeypatch):
    hiring_round, out, _ = _old_round(hiring, app, days_ago=3 * 365)
    listed = hiring.application(hiring_round, S.ASSESSED, full_name="Lena Listed")
    left = hiring.application(hiring_round, S.ASSESSED, full_name="Luis Left")
    expires = clock.today() + timedelta(days=30)
    eligible = hiring.eligible_list(
        hiring_round, [(listed, Category.BEST), (left, Category.BEST)], expires_on=expires
    )
    db.session.get(EligibleListEntry, left.id).removed_at = clock.now()
    db.session.flush()
    _run(app, "--commit")
    for application in (out, listed, left):
        db.session.refresh(application)
    assert out.anonymised_at is not None and left.anonymised_at is not None
    assert listed.anonymised_at is None and listed.full_name == "Lena Listed"
    monkeypatch.setattr(clock, "today", lambda: eligible.expires_on + timedelta(days=1))
    _run(app, "--commit")
    db.session.refresh(listed)
    assert listed.anonymised_at is not None
