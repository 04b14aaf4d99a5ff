"""Factories for competencies: categories, competencies with a scale, job profiles, evidence."""

from __future__ import annotations

import itertools
from datetime import date
from types import SimpleNamespace

from civicladder.db import db
from competencies.models import (
    Competency,
    CompetencyCategory,
    CompetencyEvidence,
    EvidenceSource,
    JobProfileRequirement,
    ProficiencyDescriptor,
)
from people.models import JobProfile

_sequence = itertools.count(1)


def competency_factories():
    def category(name: str | None = None) -> CompetencyCategory:
        found = CompetencyCategory(name=name or f"Category {next(_sequence)}", description="")
        db.session.add(found)
        db.session.flush()
        return found

    def competency(code: str | None = None, name: str | None = None, category_=None) -> Competency:
        n = next(_sequence)
        item = Competency(
            code=code or f"C-{n}",
            name=name or f"Competency {n}",
            description="",
            category_id=(category_ or category()).id,
        )
        item.descriptors = [
            ProficiencyDescriptor(level=level, descriptor=f"Behaviour at level {level}")
            for level in range(1, 6)
        ]
        db.session.add(item)
        db.session.flush()
        return item

    def job_profile(requirements: list[tuple[Competency, int, int]] | None = None, **overrides):
        n = next(_sequence)
        profile = JobProfile(
            code=overrides.get("code", f"JP-{n}"),
            title=overrides.get("title", f"Job {n}"),
            description="",
        )
        db.session.add(profile)
        db.session.flush()
        db.session.add_all(
            JobProfileRequirement(
                job_profile_id=profile.id, competency_id=c.id, min_level=level, weight=weight
            )
            for c, level, weight in (requirements or [])
        )
        db.session.flush()
        return profile

    def evidence(
        employee,
        competency_,
        level: int = 3,
        *,
        observed_on: date = date(2025, 1, 1),
        expires_on: date | None = None,
        source: EvidenceSource = EvidenceSource.MANAGER_VALIDATION,
    ) -> CompetencyEvidence:
        row = CompetencyEvidence(
            employee_id=employee.id,
            competency_id=competency_.id,
            level=level,
            source=source,
            observed_on=observed_on,
            expires_on=expires_on,
            note="",
        )
        db.session.add(row)
        db.session.flush()
        return row

    return SimpleNamespace(
        category=category,
        competency=competency,
        job_profile=job_profile,
        evidence=evidence,
    )
