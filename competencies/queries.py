"""Read side for competencies: the framework, current levels, evidence history, job profiles."""

from __future__ import annotations

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
    CompetencyEvidenceWithdrawal,
    JobProfileRequirement,
    ProficiencyDescriptor,
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


# What `civicladder.caching` keeps of the framework (its page, as rendered); the services that
# change a category, a competency or its scale move its version.
FRAMEWORK = "competencies.framework"


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


def withdrawn(evidence=CompetencyEvidence) -> sa.ColumnElement[bool]:
    """The evidence row (the model or an alias of it) has been withdrawn."""
    return sa.exists().where(CompetencyEvidenceWithdrawal.evidence_id == evidence.id)


def still_counts(today: date, evidence=CompetencyEvidence) -> sa.ColumnElement[bool]:
    """Evidence that counts on `today`: not withdrawn, and unexpired (the expiry day itself no
    longer counts). Every query that reads current evidence uses this one condition."""
    return sa.and_(
        sa.or_(evidence.expires_on.is_(None), evidence.expires_on > today), ~withdrawn(evidence)
    )


def current_levels_statement(today: date) -> sa.Select:
    """(employee_id, competency_id, level, last_shown) from evidence that still counts.

    The reference statement of the rule: evidence counts until the day it expires (the expiry
    day itself no longer counts) unless it was withdrawn, and the current level is the highest
    that still counts.
    `competencies.rules.current_level` restates it in Python and is tested against this.
    """
    return (
        sa.select(
            CompetencyEvidence.employee_id,
            CompetencyEvidence.competency_id,
            sa.func.max(CompetencyEvidence.level).label("level"),
            sa.func.max(CompetencyEvidence.observed_on).label("last_shown"),
        )
        .where(still_counts(today))
        .group_by(CompetencyEvidence.employee_id, CompetencyEvidence.competency_id)
    )


def current_levels(employee_id: int, job_profile_id: int | None = None) -> list[CurrentLevel]:
    """An employee's current level in each competency they have shown, with the job's minimum."""
    levels = (
        current_levels_statement(clock.today())
        .where(CompetencyEvidence.employee_id == employee_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Competency, levels.c.level, levels.c.last_shown)
        .join(levels, levels.c.competency_id == Competency.id)
        .order_by(Competency.code)
    ).all()
    required = {}
    if job_profile_id:
        required = dict(
            db.session.execute(
                sa.select(
                    JobProfileRequirement.competency_id, JobProfileRequirement.min_level
                ).where(JobProfileRequirement.job_profile_id == job_profile_id)
            ).all()
        )
    return [
        CurrentLevel(competency, level, last_shown, required.get(competency.id))
        for competency, level, last_shown in rows
    ]


def evidence_history(employee_id: int, limit: int | None = None) -> list[CompetencyEvidence]:
    stmt = (
        sa.select(CompetencyEvidence)
        .options(
            joinedload(CompetencyEvidence.competency),
            joinedload(CompetencyEvidence.verified_by),
            selectinload(CompetencyEvidence.withdrawal),
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


def descriptors_of(competency_ids: list[int]) -> dict[int, dict[int, str]]:
    """{competency_id: {level: descriptor}} for these competencies, in one query."""
    found: dict[int, dict[int, str]] = {cid: {} for cid in competency_ids}
    if competency_ids:
        rows = db.session.execute(
            sa.select(
                ProficiencyDescriptor.competency_id,
                ProficiencyDescriptor.level,
                ProficiencyDescriptor.descriptor,
            ).where(ProficiencyDescriptor.competency_id.in_(competency_ids))
        )
        for competency_id, level, descriptor in rows:
            found[competency_id][level] = descriptor
    return found


def profiles_requiring(competency_id: int) -> list[tuple[JobProfile, int]]:
    """The job profiles that require a competency, with the minimum level each needs."""
    return [
        (profile, minimum)
        for profile, minimum in db.session.execute(
            sa.select(JobProfile, JobProfileRequirement.min_level)
            .join(JobProfileRequirement, JobProfileRequirement.job_profile_id == JobProfile.id)
            .where(JobProfileRequirement.competency_id == competency_id)
            .order_by(JobProfile.title)
        ).all()
    ]


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
