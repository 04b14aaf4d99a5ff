"""Units' live reports, counted ahead by a scheduler for the periods people open most.

A unit's live report counts every member's training, evidence and levels; at a city's size a
unit of 100,000 members takes seconds, too long for a page. `flask reports refresh-live` (every
15 minutes, say) counts each unit's report for the last quarter that has ended and the quarter
under way, and each agency's for the last quarter ended, and stores them; their pages read the
stored report and say when it was counted. Any other period or department, and everything
before the first run, is counted when asked: in the page where jobs run in the app (the
embedded default), and otherwise by a job a reader asks for (`request_count`), which stores the
report like the scheduler's, so no web worker spends seconds counting a large unit. Published
snapshots are unaffected: they were frozen when published.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from civicladder import audit, clock, jobs, transaction
from civicladder.db import db
from civicladder.errors import Conflict
from civicladder.models import JobRun, User
from people.models import BargainingUnit, Department
from reports import assemble, kept, readers, rules
from reports.models import LiveReport
from reports.rules import Period
from reports.tables import UNIT, Scope

COUNT_JOB = "reports.count"


def periods_kept(today) -> list[Period]:
    """The periods counted ahead: the last quarter ended (a report's default) and this one."""
    return [rules.default_period(today), rules.quarter_of(today)]


def content_for(scope: Scope, period: Period) -> tuple[dict, datetime | None]:
    """The report's content and when it was counted: the stored one where the scheduler keeps
    it (with its time), otherwise counted now (time None)."""
    found = stored(scope, period)
    if found is not None:
        return found
    return assemble.report(scope, period), None


def stored(scope: Scope, period: Period) -> tuple[dict, datetime] | None:
    """The stored report and when it was counted, if there is one."""
    row = db.session.execute(
        sa.select(LiveReport.content, LiveReport.computed_at).where(
            LiveReport.scope_kind == scope.kind,
            LiveReport.scope_id == scope.id,
            LiveReport.period == period.code,
        )
    ).first()
    return (row.content, row.computed_at) if row is not None else None


def _count_params(scope: Scope, period: Period) -> dict:
    return {"scope_kind": scope.kind, "scope_id": scope.id, "period": period.code}


def counting(scope: Scope, period: Period) -> JobRun | None:
    """The job counting this report now, if one is queued or running."""
    return jobs.in_flight(COUNT_JOB, **_count_params(scope, period))


def request_count(actor: User, scope: Scope, period: Period) -> JobRun:
    """A reader asks for a report not counted ahead (the caller checked they may read it): a
    job counts and stores it; asked again while it runs, the same job is returned."""
    if readers.snapshot_for(scope, period.code) is not None:
        raise Conflict(
            gettext(
                "The %(period)s report for %(scope)s is published: read it.",
                period=period.code,
                scope=scope.name,
            )
        )
    if stored(scope, period) is not None:
        raise Conflict(
            gettext(
                "The %(period)s report for %(scope)s is counted already.",
                period=period.code,
                scope=scope.name,
            )
        )
    running = counting(scope, period)
    if running is not None:
        return running
    run = jobs.enqueue(
        COUNT_JOB,
        actor=actor,
        title=gettext(
            "Count the %(period)s report for %(scope)s", period=period.code, scope=scope.name
        ),
        **_count_params(scope, period),
    )
    audit.record(
        actor,
        "live_report.count_requested",
        run,
        after=_count_params(scope, period),
        label=f"{scope.name}, {period.code}",
    )
    return run


def counted_by_job(run: JobRun, scope_kind: str, scope_id: int, period: str) -> dict:
    """The counting job's work: the report counted and stored beside the scheduler's (which
    replaces them all on its next run, so a report counted on request is at most one
    scheduler's interval old)."""
    owner = db.session.get(BargainingUnit if scope_kind == UNIT else Department, scope_id)
    if owner is None:
        raise Conflict(gettext("What this report counts no longer exists."))
    scope = assemble.unit_scope(owner) if scope_kind == UNIT else assemble.department_scope(owner)
    wanted = rules.parse_period(period)
    content = assemble.report(scope, wanted, kept.Kept())
    db.session.execute(
        sa.delete(LiveReport).where(
            LiveReport.scope_kind == scope.kind,
            LiveReport.scope_id == scope.id,
            LiveReport.period == period,
        )
    )
    db.session.add(
        LiveReport(
            scope_kind=scope.kind,
            scope_id=scope.id,
            period=period,
            content=content,
            computed_at=clock.now(),
        )
    )
    return {"period": period}


def refresh(on_progress: Callable[[str], None] | None = None) -> int:
    """Count the reports people open most and store them: every unit's for the periods kept,
    and every agency's (the largest departments) for the last quarter ended. Returns reports
    stored.

    Each unit's reports are counted together and saved (committed) before the next unit's, so
    a page reads a fresh unit as soon as it is done, a long run holds no transaction open for
    minutes, and a worker stopped mid-run keeps what it finished. A unit's periods are one
    block for the protection (`reports.kept`): they are always counted and saved at once, so a
    reader never holds two of a unit's reports protected from different figures. What the run
    did not count (a unit since removed, a period no longer kept, a report counted on request
    before the run began) goes at its end."""
    say = on_progress or (lambda _: None)
    today, started = clock.today(), clock.now()
    periods = periods_kept(today)
    units = list(db.session.scalars(sa.select(BargainingUnit).order_by(BargainingUnit.name)))
    blocks = [[(assemble.unit_scope(unit), period) for period in periods] for unit in units]
    blocks += [[(assemble.department_scope(agency), periods[0])] for agency in readers.agencies()]
    total = sum(len(block) for block in blocks)
    # The blocks protected here are kept for the pages and the audit (`reports.kept`).
    cache, done, kept_keys = kept.Kept(), 0, set()
    for block in blocks:
        rows = []
        for scope, period in block:
            done += 1
            say(f"{scope.name}, {period.code} [{done}/{total}]")
            rows.append(
                {
                    "scope_kind": scope.kind,
                    "scope_id": scope.id,
                    "period": period.code,
                    "content": assemble.report(scope, period, cache),
                    "computed_at": clock.now(),
                }
            )
        _replace(rows)
        kept_keys |= {(row["scope_kind"], row["scope_id"], row["period"]) for row in rows}
        transaction.commit()
    stale = [
        row.id
        for row in db.session.execute(
            sa.select(
                LiveReport.id, LiveReport.scope_kind, LiveReport.scope_id, LiveReport.period
            ).where(LiveReport.computed_at < started)
        )
        if (row.scope_kind, row.scope_id, row.period) not in kept_keys
    ]
    if stale:
        db.session.execute(sa.delete(LiveReport).where(LiveReport.id.in_(stale)))
    transaction.commit()
    return done


def _replace(rows: list[dict]) -> None:
    """Store these reports in place of the ones stored for the same scopes and periods."""
    for row in rows:
        db.session.execute(
            sa.delete(LiveReport).where(
                LiveReport.scope_kind == row["scope_kind"],
                LiveReport.scope_id == row["scope_id"],
                LiveReport.period == row["period"],
            )
        )
    db.session.execute(sa.insert(LiveReport), rows)
