"""Time in stage: how long a round's applications waited at each step, read from the audit log.

Every move of an application is an audit event (`application.<status>`, from the lifecycle's
`move`, and `application.submitted` when it arrives), so the log holds when each application
entered each status and when it left it (its next move). A stay still open is counted up to now
as "waiting now". Final statuses (screened out, hired, declined, withdrawn) have no wait.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import format_decimal, gettext, ngettext

from civicladder import clock
from civicladder.db import UTCDateTime, db
from civicladder.languages import N_
from civicladder.models import AuditEvent
from hiring.models import Application, ApplicationStatus

S = ApplicationStatus
# The statuses in which an application waits for someone's next step, in the round's order,
# with what it waits for.
WAITING = {
    S.SUBMITTED: N_("screening"),
    S.SCREENED_IN: N_("assessment"),
    S.ASSESSED: N_("the ranking and a shortlist"),
    S.SHORTLISTED: N_("an offer"),
    S.OFFERED: N_("the candidate's answer"),
}
_ACTIONS = {f"application.{status.value}": status for status in S}
_OBJECT_TYPE = Application.__name__


@dataclass(frozen=True)
class Stay:
    """One application's time in one status: from `entered` until `left` (None: still there)."""

    application_id: int
    status: ApplicationStatus
    entered: datetime
    left: datetime | None


@dataclass(frozen=True)
class StageWait:
    status: ApplicationStatus
    waits_for: str
    passed: int  # stays that ended with a next move
    median_days: float | None
    longest_days: float | None
    waiting_now: int
    waiting_longest_days: float | None


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86400


def waits(stays: list[Stay], now: datetime) -> list[StageWait]:
    """The figures per waiting status, in the round's order (pure: the stays and the time)."""
    figures = []
    for status, waits_for in WAITING.items():
        done = [_days(s.entered, s.left) for s in stays if s.status == status and s.left]
        open_ = [_days(s.entered, now) for s in stays if s.status == status and s.left is None]
        figures.append(
            StageWait(
                status=status,
                waits_for=waits_for,
                passed=len(done),
                median_days=statistics.median(done) if done else None,
                longest_days=max(done) if done else None,
                waiting_now=len(open_),
                waiting_longest_days=max(open_) if open_ else None,
            )
        )
    return figures


def stays(round_id: int) -> list[Stay]:
    """Every stay of the round's applications in a status, in one statement: each move and, by
    a window over the application's moves, the time of the one after it."""
    ids = sa.select(sa.cast(Application.id, sa.String)).where(Application.round_id == round_id)
    moves = (
        sa.select(
            AuditEvent.object_id,
            AuditEvent.action,
            AuditEvent.occurred_at,
            sa.func.lead(AuditEvent.occurred_at, type_=UTCDateTime())
            .over(
                partition_by=AuditEvent.object_id,
                order_by=(AuditEvent.occurred_at, AuditEvent.id),
            )
            .label("left_at"),
        )
        .where(
            AuditEvent.object_type == _OBJECT_TYPE,
            AuditEvent.object_id.in_(ids),
            AuditEvent.action.in_(list(_ACTIONS)),
        )
        .subquery()
    )
    return [
        Stay(int(row.object_id), _ACTIONS[row.action], row.occurred_at, row.left_at)
        for row in db.session.execute(sa.select(moves))
    ]


def round_waits(round_id: int) -> list[StageWait]:
    """How long the round's applications waited at each step (see the module docstring)."""
    return waits(stays(round_id), clock.now())


def wait_words(days: float | None) -> str:
    """A wait as people say it, in the reader's language: hours under a day, days (one decimal
    under ten) above."""
    if days is None:
        return "–"
    hours = days * 24
    if hours < 1:
        return gettext("under an hour")
    if days < 1:
        return ngettext("%(num)s hour", "%(num)s hours", round(hours))
    if days < 10:
        # Rounded from the exact value, as Python's own formatting does (2.45 days: "2.5").
        return gettext("%(num)s days", num=format_decimal(Decimal(days), format="0.0"))
    return gettext("%(num)s days", num=round(days))
