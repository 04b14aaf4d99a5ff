"""Completing a round tells every candidate still in the running that it is over for them, in
one statement for them all; those already told (screened out, hired, withdrawn) hear nothing
more."""

from __future__ import annotations

import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.models import AuditEvent, OutboxMessage
from hiring import offers
from hiring.models import ApplicationStatus, RoundStatus

S = ApplicationStatus


def _outbox(addresses) -> list[OutboxMessage]:
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.to_address.in_(addresses))
    ).all()


def test_completing_a_round_tells_the_candidates_still_in_the_running(
    app_ctx, hiring, make_user, count_queries
):
    hr = make_user({Role.HR})
    hiring_round = hiring.round(RoundStatus.RANKED)
    waiting = [hiring.application(hiring_round, status) for status in (S.ASSESSED, S.SHORTLISTED)]
    waiting += [hiring.application(hiring_round, S.ASSESSED) for _ in range(10)]
    told_before = [
        hiring.application(hiring_round, status)
        for status in (S.HIRED, S.SCREENED_OUT, S.WITHDRAWN, S.DECLINED)
    ]
    db.session.flush()
    with count_queries() as statements:
        offers.complete_round(hr, hiring_round)
        db.session.flush()
    assert hiring_round.status == RoundStatus.COMPLETED
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO OUTBOX")]
    assert len(inserts) == 1
    messages = {m.to_address: m for m in _outbox([a.email for a in waiting + told_before])}
    assert set(messages) == {a.email for a in waiting}
    first = messages[waiting[0].email]
    assert first.subject == f"The hiring round for {hiring_round.title} is complete"
    assert waiting[0].candidate_code in first.body and "/jobs" in first.body
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "hiring_round.candidates_told")
    )
    assert event.after == {"told": 12} and event.actor_id == hr.id


def test_each_candidate_hears_the_outcome_in_the_language_they_applied_in(
    app_ctx, hiring, make_user
):
    hr = make_user({Role.HR})
    hiring_round = hiring.round(RoundStatus.RANKED, title="Jardinero")
    spanish = hiring.application(hiring_round, S.ASSESSED)
    english = hiring.application(hiring_round, S.ASSESSED)
    spanish.locale = "es"
    db.session.flush()
    offers.complete_round(hr, hiring_round)
    db.session.flush()
    messages = {m.to_address: m for m in _outbox([spanish.email, english.email])}
    told = messages[spanish.email]
    assert told.subject.startswith("Terminó la convocatoria para Jardinero")
    assert f"Su solicitud ({spanish.candidate_code})" in told.body
    assert "Abrir en CivicLadder: " in told.body
    assert messages[english.email].subject.startswith("The hiring round for Jardinero is complete")
    assert "Open in CivicLadder: " in messages[english.email].body
