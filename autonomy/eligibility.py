"""Eligibility stored for the pages that read it across a whole line, and kept current.

A manager's queue lists who in their line is ready for more autonomy; at a city's scale a line
holds tens of thousands of people, too many to compute on every visit. So the set-based
computation (autonomy.queries.eligibility_statement, and the review conditions of held levels)
is written to two tables: by `flask autonomy eligibility` for everyone (run daily: months
served and evidence expiry move with the calendar), and for the people concerned in the same
transaction as any change that moves them (evidence recorded, a level granted or lowered, a
move to another job, outcomes imported, a ladder edited). The nightly run also keeps each
job's outcome figures, the peers the supervision dashboard compares people with. Nothing here
is typed in: every row is rewritten from the evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from autonomy import queries, reviewing, rules, supervision
from autonomy.models import (
    StoredEligibility,
    StoredHeldLevel,
    StoredPeerStats,
    TrackJobProfile,
)
from civicladder import caching, clock
from civicladder.db import db
from people.models import Employee

# A change concerning more people than this rewrites everyone (a whole roster import).
PER_PERSON_LIMIT = 5_000


def refresh(
    employee_ids: list[int] | None = None,
    on_progress: Callable[[str], None] | None = None,
    *,
    side_by_side: bool = False,
) -> tuple[int, int]:
    """Rewrite the stored eligibility and review flags of these people (everyone: None) from the
    evidence; returns (people below the top of their track, levels held).

    `side_by_side` (the nightly command, everyone, on PostgreSQL): the two halves are written
    at the same time, each in a transaction of its own that commits, on a connection of its own
    (PostgreSQL gives an INSERT ... SELECT no parallel workers, so one connection would use one
    core); for the caller's own transaction to hold the work, leave it off."""
    if employee_ids is not None and not employee_ids:
        return 0, 0
    say = on_progress or (lambda _: None)
    if employee_ids is not None and len(employee_ids) > PER_PERSON_LIMIT:
        employee_ids = None
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    everyone = employee_ids is None
    today, now = clock.today(), clock.now()
    halves = _halves(employee_ids, today, now)
    if side_by_side and everyone and postgresql:
        say("readiness for the next level and the conditions of held levels, side by side")
        _write_side_by_side(halves)
    else:
        if postgresql and everyone:
            _batch_settings(db.session.execute)
        for what, delete, insert in halves:
            say(what)
            db.session.execute(delete)
            db.session.execute(insert)
    if everyone:
        say("each job's outcomes over the supervision window")
        _store_peers(today, now)
    queries.forget_stored()
    # Counted afterwards: drivers differ in what they report for INSERT ... SELECT.
    return tuple(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(model)
            .where(model.employee_id.in_(employee_ids) if employee_ids is not None else sa.true())
        )
        for model in (StoredEligibility, StoredHeldLevel)
    )


def _halves(employee_ids: list[int] | None, today, now) -> list[tuple[str, sa.Delete, sa.Insert]]:
    """(what, delete, insert) for the readiness and the held levels' conditions."""
    which = Employee.id.in_(employee_ids) if employee_ids is not None else None

    def delete(table: sa.Table) -> sa.Delete:
        found = table.delete()
        return found if employee_ids is None else found.where(table.c.employee_id.in_(employee_ids))

    found = queries.eligibility_statement(today, queries.ladders().terms, which).subquery("e")
    readiness = sa.insert(StoredEligibility).from_select(
        ["employee_id", "next_level_id", "missing", "served", "outcome_mean", "ready"]
        + ["computed_at"],
        sa.select(
            found.c.employee_id,
            found.c.level_id,
            found.c.missing,
            found.c.served,
            found.c.mean,
            found.c.ready,
            sa.literal(now, StoredEligibility.computed_at.type),
        ),
    )
    held = reviewing.held_statement(today, reviewing.held_level_terms(), which).subquery("h")
    conditions = sa.insert(StoredHeldLevel).from_select(
        ["grant_id", "employee_id", "missing", "outcome_mean", "outcome_reached"] + ["computed_at"],
        sa.select(
            held.c.grant_id,
            held.c.employee_id,
            held.c.missing,
            held.c.mean,
            held.c.outcome_reached,
            sa.literal(now, StoredHeldLevel.computed_at.type),
        ),
    )
    return [
        ("readiness for the next level", delete(StoredEligibility.__table__), readiness),
        ("the conditions of held levels", delete(StoredHeldLevel.__table__), conditions),
    ]


def _batch_settings(execute) -> None:
    """A batch computation over everyone: sort and hash in memory rather than on disk, and no
    JIT compilation (a quarter of a second per statement that these plans never earn back)."""
    execute(sa.text("SET LOCAL work_mem = '64MB'"))
    execute(sa.text("SET LOCAL jit = off"))


def _write_side_by_side(halves: list[tuple[str, sa.Delete, sa.Insert]]) -> None:
    """Each half on a connection and in a transaction of its own, at the same time. The table
    is locked against other writers while it is rewritten (a person's own refresh waits a few
    seconds); readers go on reading the rows as they were until it commits."""
    engine = db.engine
    # Their tables' versions move with the command's own commit (`caching`), not on these
    # connections: a version moved here would wait on any transaction that moved it before.
    caching.wrote(db.session.connection(), *(insert.table.name for _, _, insert in halves))

    def write(delete: sa.Delete, insert: sa.Insert) -> None:
        with engine.begin() as connection:
            connection.execution_options(**{caching.UNWATCHED: True})
            _batch_settings(lambda statement: connection.execute(statement))
            connection.exec_driver_sql(
                f'LOCK TABLE "{insert.table.name}" IN SHARE ROW EXCLUSIVE MODE'
            )
            connection.execute(delete)
            connection.execute(insert)

    with ThreadPoolExecutor(max_workers=len(halves)) as pool:
        for done in [pool.submit(write, delete, insert) for _, delete, insert in halves]:
            done.result()


def _store_peers(today, now) -> None:
    """Each job's peers on each metric, as the supervision dashboard compares people with them:
    a figure of thousands of people that moves slowly, so it is kept with the nightly run."""
    db.session.execute(StoredPeerStats.__table__.delete())
    rows = db.session.execute(
        supervision.peer_statement(rules.window_start(today, supervision.WINDOW_DAYS), today)
    ).all()
    if rows:
        db.session.execute(
            sa.insert(StoredPeerStats),
            [
                {
                    "job_profile_id": profile,
                    "metric_id": metric,
                    "people": count,
                    "mean": float(mean),
                    "spread": supervision.spread(float(mean), float(square)),
                    "computed_at": now,
                }
                for profile, metric, count, mean, square in rows
            ],
        )


def refresh_if_stored(employee_ids: list[int] | None) -> None:
    """Keep the stored rows of these people current, once there are stored rows at all (before
    the first full run the pages compute live, and there is nothing to keep)."""
    if queries.stored_eligibility():
        refresh(employee_ids)


def refresh_track_people(profile_ids: list[int]) -> None:
    """After a ladder's levels or job profiles change: everyone in those jobs."""
    if not profile_ids or not queries.stored_eligibility():
        return
    ids = list(
        db.session.scalars(sa.select(Employee.id).where(Employee.job_profile_id.in_(profile_ids)))
    )
    refresh(ids)


def profiles_of_track(track_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(TrackJobProfile.job_profile_id).where(TrackJobProfile.track_id == track_id)
        )
    )


# --- reactions to the lower packages' changes (connected in autonomy.init_app) -------------------


def on_evidence_recorded(sender, evidence=(), **extra) -> None:
    refresh_if_stored(sorted({row.employee_id for row in evidence}))


def on_employees_changed(sender, employee_ids=(), **extra) -> None:
    refresh_if_stored(list(employee_ids))
