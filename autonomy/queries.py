"""Read side for autonomy: tracks, a person's standing on their track, eligibility for everyone."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from autonomy import rules
from autonomy.models import (
    AutonomyGrant,
    AutonomyLevel,
    AutonomyTrack,
    GrantStatus,
    LevelRequirement,
    OutcomeMetric,
    OutcomeRecord,
    StoredEligibility,
    TrackJobProfile,
)
from civicladder import clock
from civicladder.access import Role
from civicladder.db import db
from civicladder.models import User
from competencies.models import Competency, CompetencyEvidence
from competencies.queries import still_counts
from people import queries as people_queries
from people.models import Employee, EmployeeStatus


@dataclass(frozen=True)
class Ladders:
    """Every track with its current levels, their requirements and outcome floors.

    A city has dozens of levels, so the whole catalogue is read at once (four small queries)
    and kept for the request: every panel and page that asks shares it. The tracks' `levels`
    and the levels' `requirements` are filled in place, so templates read them without queries.
    """

    tracks: list[AutonomyTrack]
    levels: dict[int, AutonomyLevel]
    track_by_profile: dict[int, int]
    competency_labels: dict[int, str]

    def track_for(self, job_profile_id: int | None) -> AutonomyTrack | None:
        track_id = self.track_by_profile.get(job_profile_id)
        return next((t for t in self.tracks if t.id == track_id), None)

    @functools.cached_property
    def terms(self) -> dict[int, rules.LevelTerms]:
        return {level_id: terms_of(level) for level_id, level in self.levels.items()}


_LADDERS_KEY = "autonomy.ladders"


def ladders() -> Ladders:
    cached = g.get(_LADDERS_KEY) if has_app_context() else None
    if cached is None:
        cached = _load_ladders()
        if has_app_context():
            g.setdefault(_LADDERS_KEY, cached)
    return cached


def forget_ladders() -> None:
    """After a change to tracks or levels, the next reader loads them afresh."""
    if has_app_context():
        for name in [name for name in g if name.startswith(_LADDERS_KEY)]:
            g.pop(name)


def ladder_of(job_profile_id: int | None) -> Ladders | None:
    """The one track a job is on, shaped as `ladders()` (its levels, their requirements and
    floors), or None when the job is on no track. A person's own pages need only their track:
    read alone it is a fifteenth of the catalogue's objects. Kept for the request; the whole
    catalogue serves instead once some page part has read it."""
    whole = g.get(_LADDERS_KEY) if has_app_context() else None
    if whole is not None:
        track = whole.track_for(job_profile_id)
        return whole if track is not None else None
    if job_profile_id is None:
        return None
    key = f"{_LADDERS_KEY}.profile.{job_profile_id}"
    found = g.get(key) if has_app_context() else None
    if found is None:
        track_id = db.session.scalar(
            sa.select(TrackJobProfile.track_id).where(
                TrackJobProfile.job_profile_id == job_profile_id
            )
        )
        if track_id is None:
            return None
        found = _load_ladders(track_id)
        if has_app_context():
            g.setdefault(key, found)
    return found


def _load_ladders(track_id: int | None = None) -> Ladders:
    """The catalogue (four small queries), or one track of it."""
    one = (lambda column: column == track_id) if track_id is not None else (lambda _: sa.true())
    tracks = list(
        db.session.scalars(
            sa.select(AutonomyTrack).where(one(AutonomyTrack.id)).order_by(AutonomyTrack.name)
        )
    )
    levels = list(
        db.session.scalars(
            sa.select(AutonomyLevel)
            .options(
                joinedload(AutonomyLevel.outcome_metric), selectinload(AutonomyLevel.discretion)
            )
            .where(AutonomyLevel.retired_at.is_(None), one(AutonomyLevel.track_id))
            .order_by(AutonomyLevel.track_id, AutonomyLevel.rank)
        )
    )
    requirements: dict[int, list[LevelRequirement]] = {level.id: [] for level in levels}
    labels = {}
    rows = db.session.execute(
        sa.select(LevelRequirement, Competency.code, Competency.name)
        .join(Competency, Competency.id == LevelRequirement.competency_id)
        .where(LevelRequirement.level_id.in_(list(requirements) or [0]))
        .order_by(LevelRequirement.level_id, Competency.code)
    )
    for requirement, code, name in rows:
        requirements[requirement.level_id].append(requirement)
        labels[requirement.competency_id] = f"{code} {name}"
    by_track: dict[int, list[AutonomyLevel]] = {track.id: [] for track in tracks}
    for level in levels:
        set_committed_value(level, "requirements", requirements[level.id])
        by_track[level.track_id].append(level)
    for track in tracks:
        set_committed_value(track, "levels", by_track[track.id])
    profiles = dict(
        db.session.execute(
            sa.select(TrackJobProfile.job_profile_id, TrackJobProfile.track_id).where(
                one(TrackJobProfile.track_id)
            )
        ).all()
    )
    return Ladders(tracks, {level.id: level for level in levels}, profiles, labels)


def tracks() -> list[AutonomyTrack]:
    """Every track with its current levels, their requirements and floors."""
    return ladders().tracks


def held_grant(employee_id: int, catalogue: Ladders | None = None) -> AutonomyGrant | None:
    """The grant a person holds now (at most one is active), with its level's definition."""
    if catalogue is None:
        ladders()  # first, so a current level comes with its requirements already filled in
    return db.session.scalar(
        sa.select(AutonomyGrant)
        .options(joinedload(AutonomyGrant.level))
        .where(AutonomyGrant.employee_id == employee_id, AutonomyGrant.status == GrantStatus.ACTIVE)
    )


def terms_of(level: AutonomyLevel) -> rules.LevelTerms:
    floor = None
    if level.outcome_metric_id is not None:
        metric = level.outcome_metric
        floor = rules.OutcomeFloor(
            metric.id,
            metric.name,
            level.outcome_threshold,
            level.outcome_window_days,
            metric.higher_is_better,
        )
    return rules.LevelTerms(
        level.id,
        level.rank,
        level.min_months,
        {r.competency_id: r.min_level for r in level.requirements},
        floor,
    )


def facts_for(employee: Employee, since: date, floor: rules.OutcomeFloor | None) -> rules.Facts:
    """One person's current levels and, where a floor asks, their outcome mean (two queries)."""
    today = clock.today()
    levels = dict(
        db.session.execute(
            sa.select(CompetencyEvidence.competency_id, sa.func.max(CompetencyEvidence.level))
            .where(
                CompetencyEvidence.employee_id == employee.id,
                still_counts(today),
            )
            .group_by(CompetencyEvidence.competency_id)
        ).all()
    )
    means = {}
    if floor is not None:
        mean = db.session.scalar(
            sa.select(sa.func.avg(OutcomeRecord.value)).where(
                OutcomeRecord.employee_id == employee.id,
                OutcomeRecord.metric_id == floor.metric_id,
                OutcomeRecord.period_start >= rules.window_start(today, floor.window_days),
                OutcomeRecord.period_start <= today,
            )
        )
        if mean is not None:
            means[floor.metric_id] = float(mean)
    return rules.Facts(today, since, levels, means)


@dataclass(frozen=True)
class Standing:
    """A person on their track: what they hold, what comes next, and what stands between."""

    employee: Employee
    track: AutonomyTrack
    held: AutonomyGrant | None
    next_level: AutonomyLevel | None
    gap: rules.Gap | None
    competency_labels: dict[int, str]

    @property
    def current_rank(self) -> int:
        return self.held.level.rank if self.held else 0


def standing(employee: Employee) -> Standing | None:
    """The person's standing, or None when their job is on no track (their track, then two or
    three queries)."""
    catalogue = ladder_of(employee.job_profile_id)
    track = catalogue.track_for(employee.job_profile_id) if catalogue is not None else None
    if track is None:
        return None
    # The level held is on the person's track, read with it (a level held on another track,
    # after a move, reads its requirements when shown).
    held = held_grant(employee.id, catalogue)
    rank = held.level.rank if held else 0
    next_level = next((level for level in track.levels if level.rank == rank + 1), None)
    gap = None
    if next_level is not None:
        terms = catalogue.terms[next_level.id]
        since = held.effective_on if held else employee.hire_date
        gap = rules.gap(terms, facts_for(employee, since, terms.outcome))
    return Standing(employee, track, held, next_level, gap, catalogue.competency_labels)


# --- everyone at once --------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    """One person's readiness for the level above theirs, from the set-based computation."""

    employee_id: int
    track_id: int
    current_rank: int
    next_level_id: int
    missing: int  # requirements of the next level not yet met
    served: bool  # months at the current level reached
    outcome_mean: float | None
    ready: bool


def stored_summary() -> dict[tuple[int, bool], int]:
    """How many people are (and are not) ready for each level, as stored: (next level id,
    ready) -> people."""
    rows = db.session.execute(
        sa.select(
            StoredEligibility.next_level_id, StoredEligibility.ready, sa.func.count()
        ).group_by(StoredEligibility.next_level_id, StoredEligibility.ready)
    )
    return {(level_id, bool(ready)): count for level_id, ready, count in rows}


def months_cutoff(today: date, min_months: int) -> date | None:
    """The latest start from which `min_months` whole months have been served by today; None
    when the level asks for no time at all."""
    if min_months <= 0:
        return None
    day = rules.add_months(today, -min_months)
    while rules.served_enough(day + timedelta(days=1), today, min_months):
        day += timedelta(days=1)
    return day


def held_subquery() -> sa.Subquery:
    return (
        sa.select(
            AutonomyGrant.id.label("grant_id"),
            AutonomyGrant.employee_id,
            AutonomyGrant.level_id,
            AutonomyGrant.review_on,
            AutonomyLevel.rank,
            AutonomyGrant.effective_on.label("since"),
        )
        .join(AutonomyLevel, AutonomyLevel.id == AutonomyGrant.level_id)
        .where(AutonomyGrant.status == GrantStatus.ACTIVE)
        .subquery("held")
    )


def eligibility_statement(
    today: date,
    terms: dict[int, rules.LevelTerms],
    employees: sa.ColumnElement[bool] | None = None,
) -> sa.Select:
    """Everyone's (or the `employees` condition's) readiness for their next level, in one
    statement: next level by track and held rank, unmet requirements from unexpired evidence,
    months served against a cutoff per level, and the outcome mean in each level's window."""
    held = held_subquery()
    rank = sa.func.coalesce(held.c.rank, 0)
    people = (
        sa.select(
            Employee.id.label("employee_id"),
            TrackJobProfile.track_id,
            rank.label("current_rank"),
            sa.func.coalesce(held.c.since, Employee.hire_date).label("since"),
            AutonomyLevel.id.label("level_id"),
            AutonomyLevel.outcome_metric_id,
        )
        .join(TrackJobProfile, TrackJobProfile.job_profile_id == Employee.job_profile_id)
        .outerjoin(held, held.c.employee_id == Employee.id)
        .join(
            AutonomyLevel,
            sa.and_(
                AutonomyLevel.track_id == TrackJobProfile.track_id,
                AutonomyLevel.rank == rank + 1,
                AutonomyLevel.retired_at.is_(None),
            ),
        )
        .where(Employee.status != EmployeeStatus.SEPARATED)
    )
    if employees is not None:
        people = people.where(employees)
    people = people.cte("people")
    missing, reached, mean, joined = level_conditions(today, terms, people)
    cutoffs = {
        level_id: months_cutoff(today, t.min_months)
        for level_id, t in terms.items()
        if t.min_months > 0
    }
    served = people.c.since <= _by_level(people.c.level_id, cutoffs, _FAR_FUTURE)
    return sa.select(
        people.c.employee_id,
        people.c.track_id,
        people.c.current_rank,
        people.c.level_id,
        missing.label("missing"),
        served.label("served"),
        mean.label("mean"),
        sa.and_(missing == 0, served, reached).label("ready"),
    ).select_from(joined)


def level_conditions(today: date, terms: dict[int, rules.LevelTerms], people: sa.CTE):
    """For the people CTE's (employee_id, level_id, outcome_metric_id): how many of the level's
    requirements are unmet, whether its outcome floor is reached, the mean in its window, and
    the CTE joined to what those read."""
    # A requirement is unmet when no evidence that still counts reaches its level (the current
    # level, the highest that counts, is below it): a hashed anti-join over the evidence, with
    # no per-person grouping of a city's evidence to build first.
    required = sorted({cid for t in terms.values() for cid in t.requirements})
    meets = sa.exists().where(
        CompetencyEvidence.competency_id.in_(required or [0]),
        CompetencyEvidence.employee_id == people.c.employee_id,
        CompetencyEvidence.competency_id == LevelRequirement.competency_id,
        CompetencyEvidence.level >= LevelRequirement.min_level,
        still_counts(today),
    )
    unmet = (
        sa.select(people.c.employee_id, sa.func.count().label("missing"))
        .join(LevelRequirement, LevelRequirement.level_id == people.c.level_id)
        .where(~meets)
        .group_by(people.c.employee_id)
        .subquery("unmet")
    )
    windows = {
        level_id: rules.window_start(today, t.outcome.window_days)
        for level_id, t in terms.items()
        if t.outcome is not None
    }
    means = (
        sa.select(people.c.employee_id, sa.func.avg(OutcomeRecord.value).label("mean"))
        .join(
            OutcomeRecord,
            sa.and_(
                OutcomeRecord.employee_id == people.c.employee_id,
                OutcomeRecord.metric_id == people.c.outcome_metric_id,
            ),
        )
        .where(
            OutcomeRecord.period_start >= _by_level(people.c.level_id, windows, today),
            # The earliest window's start as well: a plain bound the planner can use to leave
            # out the older records before joining (the one above differs by level).
            OutcomeRecord.period_start >= min(windows.values(), default=today),
            OutcomeRecord.period_start <= today,
        )
        .group_by(people.c.employee_id)
        .subquery("means")
    )
    joined = people.outerjoin(unmet, unmet.c.employee_id == people.c.employee_id).outerjoin(
        means, means.c.employee_id == people.c.employee_id
    )
    missing = sa.func.coalesce(unmet.c.missing, 0)
    reached = _outcome_reached(people.c.level_id, means.c.mean, terms)
    return missing, reached, means.c.mean, joined


def _outcome_reached(level_id, mean, terms: dict[int, rules.LevelTerms]) -> sa.ColumnElement:
    """`OutcomeFloor.reached_by` in SQL: true where the level sets no floor."""
    floors = {key: t.outcome for key, t in terms.items() if t.outcome is not None}
    if not floors:
        return sa.true()
    whens = [
        (
            level_id == key,
            mean >= floor.threshold if floor.higher_is_better else mean <= floor.threshold,
        )
        for key, floor in floors.items()
    ]
    return sa.func.coalesce(sa.case(*whens, else_=sa.true()), sa.false())


_FAR_FUTURE = date(9999, 12, 31)  # a cutoff that every start meets: the level asks for no time


def _by_level(level_id, dates: dict[int, date], default: date) -> sa.ColumnElement:
    if not dates:
        return sa.literal(default, sa.Date)
    return sa.case(
        {key: sa.literal(value, sa.Date) for key, value in dates.items()},
        value=level_id,
        else_=sa.literal(default, sa.Date),
    )


def eligibility(employees: sa.ColumnElement[bool] | None = None) -> list[Eligibility]:
    """Readiness of everyone on a track (or those the condition picks), in three queries."""
    statement = eligibility_statement(clock.today(), ladders().terms, employees)
    return [
        Eligibility(
            row.employee_id,
            row.track_id,
            row.current_rank,
            row.level_id,
            row.missing,
            bool(row.served),
            float(row.mean) if row.mean is not None else None,
            bool(row.ready),
        )
        for row in db.session.execute(statement.order_by("employee_id"))
    ]


def metrics() -> list[OutcomeMetric]:
    return list(db.session.scalars(sa.select(OutcomeMetric).order_by(OutcomeMetric.name)))


# --- the manager's queue -----------------------------------------------------------------------


_STORED_KEY = "autonomy.stored_eligibility"


def stored_eligibility() -> bool:
    """Whether everyone's eligibility has been stored (`flask autonomy eligibility`): from then
    on, pages that read it across a line read the stored rows, kept current for each person
    whose evidence, level or job changes and rewritten whole by the scheduled run. Before the
    first run (a new installation, a test's database) it is computed live. One cheap query a
    request."""
    cached = g.get(_STORED_KEY) if has_app_context() else None
    if cached is None:
        cached = db.session.scalar(sa.select(StoredEligibility.employee_id).limit(1)) is not None
        if has_app_context():
            g.setdefault(_STORED_KEY, cached)
    return cached


def forget_stored() -> None:
    if has_app_context():
        g.pop(_STORED_KEY, None)


def ready_statement(employees: sa.ColumnElement[bool] | None) -> sa.Select:
    """The people (within the condition) ready for their next level and not already proposed,
    by name: a statement to paginate."""
    waiting = sa.select(AutonomyGrant.employee_id).where(
        AutonomyGrant.status == GrantStatus.PROPOSED
    )
    if stored_eligibility():
        stmt = sa.select(Employee).join(
            StoredEligibility,
            sa.and_(StoredEligibility.employee_id == Employee.id, StoredEligibility.ready),
        )
    else:
        found = eligibility_statement(clock.today(), ladders().terms, employees).subquery(
            "eligible"
        )
        stmt = sa.select(Employee).join(
            found, sa.and_(found.c.employee_id == Employee.id, found.c.ready)
        )
    stmt = (
        stmt.options(joinedload(Employee.job_profile))
        .where(Employee.id.not_in(waiting), Employee.status != EmployeeStatus.SEPARATED)
        .order_by(Employee.last_name, Employee.first_name, Employee.id)
    )
    return stmt if employees is None else stmt.where(employees)


def eligibility_of(employee_ids: list[int]) -> dict[int, Eligibility]:
    if not employee_ids:
        return {}
    if not stored_eligibility():
        return {row.employee_id: row for row in eligibility(Employee.id.in_(employee_ids))}
    levels = ladders().levels
    rows = db.session.scalars(
        sa.select(StoredEligibility).where(StoredEligibility.employee_id.in_(employee_ids))
    )
    return {
        row.employee_id: Eligibility(
            row.employee_id,
            levels[row.next_level_id].track_id,
            levels[row.next_level_id].rank - 1,
            row.next_level_id,
            row.missing,
            row.served,
            row.outcome_mean,
            row.ready,
        )
        for row in rows
        if row.next_level_id in levels
    }


WAITING_SHOWN = 50  # proposals listed at once; the oldest first, so none waits unseen


def proposals_for(user: User) -> list[AutonomyGrant]:
    """Proposals waiting for this user as second approver: HR sees all; a manager, those made
    by people in their line. Never their own proposals, nor proposals for themselves."""
    stmt = (
        sa.select(AutonomyGrant)
        .options(
            selectinload(AutonomyGrant.employee),
            selectinload(AutonomyGrant.level).selectinload(AutonomyLevel.track),
            selectinload(AutonomyGrant.proposed_by),
        )
        .join(Employee, Employee.id == AutonomyGrant.employee_id)
        .where(
            AutonomyGrant.status == GrantStatus.PROPOSED,
            AutonomyGrant.proposed_by_id != user.id,
            sa.or_(Employee.user_id.is_(None), Employee.user_id != user.id),
        )
        .order_by(AutonomyGrant.proposed_at, AutonomyGrant.id)
        .limit(WAITING_SHOWN)
    )
    if not user.has_role(Role.HR):
        if not user.has_role(Role.MANAGER):
            return []
        scope = people_queries.scope_condition(user)
        if scope is None:
            return []
        line = sa.select(Employee.user_id).where(scope, Employee.user_id.is_not(None))
        stmt = stmt.where(AutonomyGrant.proposed_by_id.in_(line))
    return list(db.session.scalars(stmt))


def pending_proposal(employee_id: int) -> AutonomyGrant | None:
    return db.session.scalar(
        sa.select(AutonomyGrant)
        .options(selectinload(AutonomyGrant.level), selectinload(AutonomyGrant.proposed_by))
        .where(
            AutonomyGrant.employee_id == employee_id,
            AutonomyGrant.status == GrantStatus.PROPOSED,
        )
    )
