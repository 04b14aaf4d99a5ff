"""The changes feed: what changed in the workforce records, in the order it became visible, for
other city systems to follow (`GET /api/v1/events`) without being called back.

The packages below say what changed through their signals; the receivers here add a `Change`
to the same transaction, so a change and its entry in the feed commit together or not at all.
A change gets its place in the feed (`position`) only after it committed, when a reader seals
the feed: under one lock, every committed change without a place gets the next ones, in id
order. Positions are therefore dense and follow commit order, and a follower that has read up
to a position never sees an earlier one appear later.

Changes are kept `API_CHANGES_KEEP_DAYS` (90) days (`api.forget-changes`); the newest is always
kept, so a follower's cursor can be told apart from one the API never gave.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from api.models import Change
from civicladder import clock
from civicladder.db import db, take_turns

# Each kind of change, and the scope a token needs (besides events:read) to be told of it.
KINDS: dict[str, str] = {
    "employee.hired": "roster:read",
    "employee.separated": "roster:read",
    "evidence.recorded": "evidence:read",
    "evidence.withdrawn": "evidence:read",
    "level.granted": "levels:read",
    "level.lowered": "levels:read",
    "certificate.revoked": "training:read",
}
FORGET_JOB = "api.forget-changes"
_TABLE = Change.__table__


def change(
    kind: str,
    employee_id: int,
    subject_id: int | None = None,
    details: dict | None = None,
    occurred_at=None,
) -> dict:
    """One row of the feed, every column given (rows of several kinds go in one insert)."""
    return {
        "kind": kind,
        "employee_id": employee_id,
        "subject_id": subject_id,
        "details": details,
        "occurred_at": occurred_at or clock.now(),
    }


def evidence_details(competency: str | None, level: int, source, observed_on) -> dict:
    return {
        "competency": competency,
        "level": level,
        "source": source.value,
        "observed_on": observed_on.isoformat(),
    }


def granted_details(
    track: str, rank: int, name: str, previous_rank: int | None, effective_on
) -> dict:
    return {
        "track": track,
        "level": rank,
        "level_name": name,
        "previous_level": previous_rank,
        "effective_on": effective_on.isoformat() if effective_on else None,
    }


def _add(rows: Iterable[dict]) -> None:
    rows = list(rows)
    if rows:
        db.session.execute(sa.insert(_TABLE), rows)


# The receivers: each runs in the transaction of the change and never commits.


def on_employee_added(sender, employee_ids=(), **extra) -> None:
    _add(change("employee.hired", i) for i in employee_ids)


def on_employee_separated(sender, employee_ids=(), **extra) -> None:
    _add(change("employee.separated", i) for i in employee_ids)


def _evidence_rows(kind: str, evidence) -> list[dict]:
    from competencies.models import Competency

    ids = {row.competency_id for row in evidence}
    codes = {
        row.id: row.code
        for row in db.session.execute(
            sa.select(Competency.id, Competency.code).where(Competency.id.in_(ids))
        )
    }
    return [
        change(
            kind,
            row.employee_id,
            row.id,
            evidence_details(codes.get(row.competency_id), row.level, row.source, row.observed_on),
        )
        for row in evidence
    ]


def on_evidence_recorded(sender, evidence=(), **extra) -> None:
    _add(_evidence_rows("evidence.recorded", evidence))


def on_evidence_withdrawn(sender, evidence=(), **extra) -> None:
    _add(_evidence_rows("evidence.withdrawn", evidence))


def on_level_granted(sender, grant, previous=None, **extra) -> None:
    level = grant.level
    details = granted_details(
        level.track.code,
        level.rank,
        level.name,
        previous.level.rank if previous is not None else None,
        grant.effective_on,
    )
    _add([change("level.granted", grant.employee_id, grant.id, details)])


def on_level_lowered(sender, grant, lowered_to=None, **extra) -> None:
    details = {
        "track": grant.level.track.code,
        "from_level": grant.level.rank,
        "to_level": lowered_to.level.rank if lowered_to is not None else None,
    }
    _add([change("level.lowered", grant.employee_id, grant.id, details)])


def on_certificate_revoked(sender, certificate, **extra) -> None:
    details = {"course": certificate.course_code, "certificate": certificate.code}
    employee_id = certificate.enrollment.employee_id
    _add([change("certificate.revoked", employee_id, certificate.id, details)])


def connect() -> None:
    from academy import signals as academy_signals
    from autonomy import signals as autonomy_signals
    from competencies import signals as competency_signals
    from people import signals as people_signals

    people_signals.employee_added.connect(on_employee_added)
    people_signals.employee_separated.connect(on_employee_separated)
    competency_signals.evidence_recorded.connect(on_evidence_recorded)
    competency_signals.evidence_withdrawn.connect(on_evidence_withdrawn)
    autonomy_signals.level_granted.connect(on_level_granted)
    autonomy_signals.level_lowered.connect(on_level_lowered)
    academy_signals.certificate_revoked.connect(on_certificate_revoked)


# The feed.


def seal() -> int:
    """Give every committed change without a place the next places, in id order; how many.

    Cheap when there is nothing to seal (one indexed look). Otherwise under a transaction-long
    lock, so two readers sealing at once cannot hand out the same places, and the newest
    position is read after the lock is held, when the last sealer's places have committed."""
    pending = sa.select(_TABLE.c.id).where(_TABLE.c.position.is_(None))
    if db.session.execute(pending.limit(1)).first() is None:
        return 0
    take_turns("changes feed")
    top = newest()
    numbered = pending.add_columns(
        sa.func.row_number().over(order_by=_TABLE.c.id).label("n")
    ).subquery("numbered")
    result = db.session.execute(
        sa.update(_TABLE)
        .where(_TABLE.c.id == numbered.c.id)
        .values(position=top + numbered.c.n)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def newest() -> int:
    """The newest position given, 0 before any."""
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(_TABLE.c.position), 0)))


def oldest() -> int | None:
    return db.session.scalar(sa.select(sa.func.min(_TABLE.c.position)))


def forget(run=None) -> dict:
    """The job: changes older than the keeping time leave the feed, except the newest."""
    keep = timedelta(days=current_app.config["API_CHANGES_KEEP_DAYS"])
    top = newest()
    gone = db.session.execute(
        sa.delete(_TABLE).where(
            _TABLE.c.occurred_at < clock.now() - keep,
            _TABLE.c.position.is_not(None),
            _TABLE.c.position < top,
        )
    ).rowcount
    return {"forgotten": gone}
