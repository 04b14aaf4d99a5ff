"""Read side for competencies: the framework, current levels, evidence history, job profiles."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from civicladder import clock, querying
from civicladder.db import db
from competencies.models import (
    Competency,
    CompetencyCategory,
    CompetencyEvidence,
    JobProfileRequirement,
)
from people.models import JobProfile


@dataclass(frozen=True)
class CurrentLevel:
    competency: Competency
    level: int
    last_shown: date
    required: int | None = None

    @property
    def meets_requirement(self) -> bool:
        return self.required is None or self.level >= self.required


def framework() -> list[CompetencyCategory]:
    """Every category with its competencies and their scale descriptors (three queries)."""
    return list(
        db.session.scalars(
            sa.select(CompetencyCategory)
            .options(
                selectinload(CompetencyCategory.competencies).selectinload(Competency.descriptors)
            )
            .order_by(CompetencyCategory.name)
        )
    )


def categories() -> list[CompetencyCategory]:
    return list(db.session.scalars(sa.select(CompetencyCategory).order_by(CompetencyCategory.name)))


def competencies() -> list[Competency]:
    return list(db.session.scalars(sa.select(Competency).order_by(Competency.code)))


def current_levels_statement(today: date) -> sa.Select:
    """(employee_id, competency_id, level, last_shown) from unexpired evidence.

    The reference statement of the rule: evidence counts until the day it expires (the expiry
    day itself no longer counts), and the current level is the highest that still counts.
    `competencies.rules.current_level` restates it in Python and is tested against this.
    """
    return (
        sa.select(
            CompetencyEvidence.employee_id,
            CompetencyEvidence.competency_id,
            sa.func.max(CompetencyEvidence.level).label("level"),
            sa.func.max(CompetencyEvidence.observed_on).label("last_shown"),
        )
        .where(
            sa.or_(CompetencyEvidence.expires_on.is_(None), CompetencyEvidence.expires_on > today)
        )
        .group_by(CompetencyEvidence.employee_id, CompetencyEvidence.competency_id)
    )


@dataclass(frozen=True)
class Standing:
    """An employee against their job: every competency shown, and the requirements not met."""

    levels: list[CurrentLevel]
    gaps: list[tuple[Competency, int, int | None]]  # (competency, minimum, current level)


@functools.cache
def _standing_statement() -> sa.Select:
    # Built once: the profile and home pages ask for it on every request.
    levels = (
        current_levels_statement(sa.bindparam("today", type_=sa.Date))
        .where(CompetencyEvidence.employee_id == sa.bindparam("employee_id"))
        .subquery()
    )
    required = (
        sa.select(JobProfileRequirement.competency_id, JobProfileRequirement.min_level)
        .where(JobProfileRequirement.job_profile_id == sa.bindparam("job_profile_id"))
        .subquery()
    )
    return (
        sa.select(Competency, levels.c.level, levels.c.last_shown, required.c.min_level)
        .outerjoin(levels, levels.c.competency_id == Competency.id)
        .outerjoin(required, required.c.competency_id == Competency.id)
        .where(sa.or_(levels.c.level.is_not(None), required.c.min_level.is_not(None)))
        .order_by(Competency.code)
    )


def standing(employee_id: int, job_profile_id: int | None) -> Standing:
    """The employee's current levels and the job's unmet requirements, in one query."""
    rows = db.session.execute(
        _standing_statement(),
        {"employee_id": employee_id, "job_profile_id": job_profile_id, "today": clock.today()},
    ).all()
    levels = [
        CurrentLevel(competency, level, last_shown, minimum)
        for competency, level, last_shown, minimum in rows
        if level is not None
    ]
    gaps = [
        (competency, minimum, level)
        for competency, level, _, minimum in rows
        if minimum is not None and (level is None or level < minimum)
    ]
    return Standing(levels, gaps)


def current_levels(employee_id: int, job_profile_id: int | None = None) -> list[CurrentLevel]:
    """An employee's current level in each competency they have shown, with the job's minimum."""
    return standing(employee_id, job_profile_id).levels


def evidence_history(employee_id: int, limit: int | None = None) -> list[CompetencyEvidence]:
    stmt = (
        sa.select(CompetencyEvidence)
        .options(
            joinedload(CompetencyEvidence.competency), joinedload(CompetencyEvidence.verified_by)
        )
        .where(CompetencyEvidence.employee_id == employee_id)
        .order_by(CompetencyEvidence.observed_on.desc(), CompetencyEvidence.id.desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class ProfileRequirements:
    """A job profile with what it requires, heaviest weight first."""

    profile: JobProfile
    requirements: list[JobProfileRequirement]


def requirements_by_profile(profile_ids: list[int]) -> dict[int, list[JobProfileRequirement]]:
    """The requirements of these job profiles with their competencies, in one query."""
    found: dict[int, list[JobProfileRequirement]] = {pid: [] for pid in profile_ids}
    rows = db.session.scalars(
        sa.select(JobProfileRequirement)
        .options(joinedload(JobProfileRequirement.competency))
        .where(JobProfileRequirement.job_profile_id.in_(profile_ids))
        .order_by(JobProfileRequirement.weight.desc(), JobProfileRequirement.competency_id)
    )
    for row in rows:
        found[row.job_profile_id].append(row)
    return found


def job_profiles() -> list[ProfileRequirements]:
    """Every job profile with its requirements (two queries)."""
    profiles = list(db.session.scalars(sa.select(JobProfile).order_by(JobProfile.title)))
    requirements = requirements_by_profile([p.id for p in profiles])
    return [ProfileRequirements(p, requirements[p.id]) for p in profiles]


def framework_summary() -> dict:
    return {
        "categories": db.session.scalar(sa.select(sa.func.count(CompetencyCategory.id))),
        "competencies": db.session.scalar(sa.select(sa.func.count(Competency.id))),
        "job_profiles": db.session.scalar(sa.select(sa.func.count(JobProfile.id))),
        "evidence": querying.table_size(CompetencyEvidence.__table__),
    }
