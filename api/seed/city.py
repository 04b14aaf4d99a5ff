"""The synthetic city's changes feed: what a follower would find after the generated quarter,
the last `FEED_DAYS` days of hires, evidence and autonomy levels granted, in the order they
happened, as the receivers would have written them (the generators write in bulk, past the
services and their signals)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from api import events
from api.models import Change
from autonomy.models import AutonomyGrant, AutonomyLevel, AutonomyTrack, GrantStatus
from civicladder.cli import CityContext
from civicladder.db import db
from competencies.models import Competency, CompetencyEvidence
from people.models import Employee

FEED_DAYS = 90
CHUNK = 10_000


def _at(day) -> datetime:
    return datetime.combine(day, time(9), tzinfo=UTC)


def _changes(since) -> list[dict]:
    hires = db.session.execute(
        sa.select(Employee.id, Employee.hire_date).where(Employee.hire_date >= since.date())
    )
    found = [
        events.change("employee.hired", row.id, occurred_at=_at(row.hire_date)) for row in hires
    ]
    evidence = db.session.execute(
        sa.select(
            CompetencyEvidence.id,
            CompetencyEvidence.employee_id,
            CompetencyEvidence.level,
            CompetencyEvidence.source,
            CompetencyEvidence.observed_on,
            CompetencyEvidence.recorded_at,
            Competency.code,
        )
        .join(Competency, Competency.id == CompetencyEvidence.competency_id)
        .where(CompetencyEvidence.recorded_at >= since)
    )
    found += [
        events.change(
            "evidence.recorded",
            row.employee_id,
            row.id,
            events.evidence_details(row.code, row.level, row.source, row.observed_on),
            row.recorded_at,
        )
        for row in evidence
    ]
    grants = db.session.execute(
        sa.select(
            AutonomyGrant.id,
            AutonomyGrant.employee_id,
            AutonomyGrant.effective_on,
            AutonomyLevel.rank,
            AutonomyLevel.name,
            AutonomyTrack.code,
        )
        .join(AutonomyLevel, AutonomyLevel.id == AutonomyGrant.level_id)
        .join(AutonomyTrack, AutonomyTrack.id == AutonomyLevel.track_id)
        .where(
            AutonomyGrant.effective_on >= since.date(),
            AutonomyGrant.status.in_([GrantStatus.ACTIVE, GrantStatus.SUPERSEDED]),
        )
    )
    found += [
        events.change(
            "level.granted",
            row.employee_id,
            row.id,
            events.granted_details(
                row.code, row.rank, row.name, row.rank - 1 or None, row.effective_on
            ),
            _at(row.effective_on),
        )
        for row in grants
    ]
    found.sort(key=lambda change: change["occurred_at"])
    return found


def build(ctx: CityContext) -> None:
    since = _at(ctx.as_of - timedelta(days=FEED_DAYS))
    changes = _changes(since)
    with ctx.progress(f"changes of the last {FEED_DAYS} days", len(changes)) as bar:
        for start in range(0, len(changes), CHUNK):
            db.session.execute(sa.insert(Change.__table__), changes[start : start + CHUNK])
            bar.update(len(changes[start : start + CHUNK]))
    events.seal()
    ctx.say(f"{len(changes):,} changes in the feed")
