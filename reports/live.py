"""Units' live reports, counted ahead by a scheduler for the periods people open most.

A unit's live report counts every member's training, evidence and levels; at a city's size a
unit of 100,000 members takes seconds, too long for a page. `flask reports refresh-live` (every
15 minutes, say) counts each unit's report for the last quarter that has ended and the quarter
under way, and each agency's for the last quarter ended, and stores them; their pages read the
stored report and say when it was counted. Any other period or department, and everything
before the first run, is counted when asked. Published snapshots are unaffected: they were
frozen when published.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from civicladder import clock
from civicladder.db import db
from people.models import BargainingUnit
from reports import assemble, kept, readers, rules
from reports.models import LiveReport
from reports.rules import Period
from reports.tables import Scope


def periods_kept(today) -> list[Period]:
    """The periods counted ahead: the last quarter ended (a report's default) and this one."""
    return [rules.default_period(today), rules.quarter_of(today)]


def content_for(scope: Scope, period: Period) -> tuple[dict, datetime | None]:
    """The report's content and when it was counted: the stored one where the scheduler keeps
    it (with its time), otherwise counted now (time None)."""
    stored = db.session.execute(
        sa.select(LiveReport.content, LiveReport.computed_at).where(
            LiveReport.scope_kind == scope.kind,
            LiveReport.scope_id == scope.id,
            LiveReport.period == period.code,
        )
    ).first()
    if stored is not None:
        return stored.content, stored.computed_at
    return assemble.report(scope, period), None


def refresh(on_progress: Callable[[str], None] | None = None) -> int:
    """Count the reports people open most and store them, replacing what was stored: every
    unit's for the periods kept, and every agency's (the largest departments) for the last
    quarter ended. Returns reports stored."""
    say = on_progress or (lambda _: None)
    today, now = clock.today(), clock.now()
    periods = periods_kept(today)
    units = list(db.session.scalars(sa.select(BargainingUnit).order_by(BargainingUnit.name)))
    wanted = [(assemble.unit_scope(unit), period) for unit in units for period in periods]
    wanted += [(assemble.department_scope(agency), periods[0]) for agency in readers.agencies()]
    # The blocks protected here are kept for the pages and the audit (`reports.kept`).
    rows, cache = [], kept.Kept()
    for position, (scope, period) in enumerate(wanted, start=1):
        say(f"{scope.name}, {period.code} [{position}/{len(wanted)}]")
        rows.append(
            {
                "scope_kind": scope.kind,
                "scope_id": scope.id,
                "period": period.code,
                "content": assemble.report(scope, period, cache),
                "computed_at": now,
            }
        )
    db.session.execute(sa.delete(LiveReport))
    if rows:
        db.session.execute(sa.insert(LiveReport), rows)
    return len(rows)
