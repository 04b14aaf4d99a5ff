"""Read side for autonomy: tracks, a person's standing on their track, eligibility for everyone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from autonomy import rules
from autonomy.models import (
    AutonomyGrant,
    AutonomyLevel,
    AutonomyTrack,
    GrantStatus,
    LevelRequirement,
    OutcomeMetric,
    OutcomeRecord,
    TrackJobProfile,
)
from civicladder import clock
from civicladder.db import db
from competencies.models import Competency, CompetencyEvidence
from competencies.queries import current_levels_statement
from people.models import Employee, EmployeeStatus


def tracks() -> list[AutonomyTrack]:
    """Every track with its current levels, their requirements and the profiles it covers."""
    found = list(
        db.session.scalars(
            sa.select(AutonomyTrack)
            .options(
                selectinload(AutonomyTrack.levels).selectinload(AutonomyLevel.requirements),
                selectinload(AutonomyTrack.levels).selectinload(AutonomyLevel.outcome_metric),
            )
            .order_by(AutonomyTrack.name)
        )
    )
    return found


def track_for_profile(job_profile_id: int | None) -> AutonomyTrack | None:
    if job_profile_id is None:
        return None
    return db.session.scalar(
        sa.select(AutonomyTrack)
        .join(TrackJobProfile, TrackJobProfile.track_id == AutonomyTrack.id)
        .options(
            selectinload(AutonomyTrack.levels).selectinload(AutonomyLevel.requirements),
            selectinload(AutonomyTrack.levels).selectinload(AutonomyLevel.outcome_metric),
        )
        .where(TrackJobProfile.job_profile_id == job_profile_id)
    )


def held_grant(employee_id: int) -> AutonomyGrant | None:
    """The grant a person holds now (at most one is active), with its level's definition."""
    return db.session.scalar(
        sa.select(AutonomyGrant)
        .options(selectinload(AutonomyGrant.level).selectinload(AutonomyLevel.requirements))
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
                sa.or_(
                    CompetencyEvidence.expires_on.is_(None),
                    CompetencyEvidence.expires_on > today,
                ),
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
    competencies: dict[int, Competency]

    @property
    def current_rank(self) -> int:
        return self.held.level.rank if self.held else 0


def standing(employee: Employee) -> Standing | None:
    """The person's standing, or None when their job is on no track (a handful of queries)."""
    track = track_for_profile(employee.job_profile_id)
    if track is None:
        return None
    held = held_grant(employee.id)
    rank = held.level.rank if held else 0
    next_level = next((level for level in track.levels if level.rank == rank + 1), None)
    gap = None
    if next_level is not None:
        terms = terms_of(next_level)
        since = held.effective_on if held else employee.hire_date
        gap = rules.gap(terms, facts_for(employee, since, terms.outcome))
    wanted = {r.competency_id for level in track.levels for r in level.requirements}
    if held:
        wanted |= {r.competency_id for r in held.level.requirements}
    names = {
        c.id: c
        for c in db.session.scalars(sa.select(Competency).where(Competency.id.in_(wanted or [0])))
    }
    return Standing(employee, track, held, next_level, gap, names)


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


def current_level_terms() -> dict[int, rules.LevelTerms]:
    """Every current level's terms, by level id (two queries; a city has dozens of levels)."""
    levels = db.session.scalars(
        sa.select(AutonomyLevel)
        .options(
            selectinload(AutonomyLevel.requirements), selectinload(AutonomyLevel.outcome_metric)
        )
        .where(AutonomyLevel.retired_at.is_(None))
    )
    return {level.id: terms_of(level) for level in levels}


def months_cutoff(today: date, min_months: int) -> date | None:
    """The latest start from which `min_months` whole months have been served by today; None
    when the level asks for no time at all."""
    if min_months <= 0:
        return None
    day = rules.add_months(today, -min_months)
    while rules.served_enough(day + timedelta(days=1), today, min_months):
        day += timedelta(days=1)
    return day


def eligibility_statement(
    today: date,
    terms: dict[int, rules.LevelTerms],
    employees: sa.ColumnElement[bool] | None = None,
) -> sa.Select:
    """Everyone's (or the `employees` condition's) readiness for their next level, in one
    statement: next level by track and held rank, unmet requirements from unexpired evidence,
    months served against a cutoff per level, and the outcome mean in each level's window."""
    held = (
        sa.select(
            AutonomyGrant.employee_id, AutonomyLevel.rank, AutonomyGrant.effective_on.label("since")
        )
        .join(AutonomyLevel, AutonomyLevel.id == AutonomyGrant.level_id)
        .where(AutonomyGrant.status == GrantStatus.ACTIVE)
        .subquery("held")
    )
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

    levels = current_levels_statement(today).subquery("levels")
    unmet = (
        sa.select(people.c.employee_id, sa.func.count().label("missing"))
        .join(LevelRequirement, LevelRequirement.level_id == people.c.level_id)
        .outerjoin(
            levels,
            sa.and_(
                levels.c.employee_id == people.c.employee_id,
                levels.c.competency_id == LevelRequirement.competency_id,
            ),
        )
        .where(sa.func.coalesce(levels.c.level, 0) < LevelRequirement.min_level)
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
            OutcomeRecord.period_start <= today,
        )
        .group_by(people.c.employee_id)
        .subquery("means")
    )
    cutoffs = {
        level_id: months_cutoff(today, t.min_months)
        for level_id, t in terms.items()
        if t.min_months > 0
    }
    return (
        sa.select(
            people.c.employee_id,
            people.c.track_id,
            people.c.current_rank,
            people.c.level_id,
            sa.func.coalesce(unmet.c.missing, 0).label("missing"),
            (people.c.since <= _by_level(people.c.level_id, cutoffs, _FAR_FUTURE)).label("served"),
            means.c.mean,
        )
        .outerjoin(unmet, unmet.c.employee_id == people.c.employee_id)
        .outerjoin(means, means.c.employee_id == people.c.employee_id)
        .order_by(people.c.employee_id)
    )


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
    today = clock.today()
    terms = current_level_terms()
    rows = db.session.execute(eligibility_statement(today, terms, employees))
    found = []
    for row in rows:
        floor = terms[row.level_id].outcome
        mean = float(row.mean) if row.mean is not None else None
        reached = floor is None or floor.reached_by(mean)
        served = bool(row.served)
        found.append(
            Eligibility(
                row.employee_id,
                row.track_id,
                row.current_rank,
                row.level_id,
                row.missing,
                served,
                mean,
                row.missing == 0 and served and reached,
            )
        )
    return found


def metrics() -> list[OutcomeMetric]:
    return list(db.session.scalars(sa.select(OutcomeMetric).order_by(OutcomeMetric.name)))
