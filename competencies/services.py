"""Competency state changes: categories, competencies and their scale, job profiles, evidence."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext

from civicladder import audit, caching, clock
from civicladder.access import Role, require_role
from civicladder.db import db, fetch, locked_get
from civicladder.errors import Conflict, Forbidden, Invalid
from civicladder.languages import written_in
from civicladder.models import User
from civicladder.notify import notify
from competencies import signals
from competencies.models import (
    Competency,
    CompetencyCategory,
    CompetencyEvidence,
    EvidenceSource,
    JobProfileRequirement,
    ProficiencyDescriptor,
)
from competencies.queries import FRAMEWORK
from competencies.rules import LEVELS, level_name
from people import queries as people_queries
from people.models import Employee, JobProfile

COMPETENCY_FIELDS = ["code", "name", "description", "category_id"]
JOB_PROFILE_FIELDS = ["code", "title", "description"]


def create_category(actor: User | None, name: str, description: str = "") -> CompetencyCategory:
    require_role(actor, Role.HR)
    name = name.strip()
    if db.session.scalar(sa.select(CompetencyCategory.id).where(CompetencyCategory.name == name)):
        raise Conflict(f"There is already a category called {name}.", field="name")
    category = CompetencyCategory(name=name, description=description.strip())
    db.session.add(category)
    db.session.flush()
    audit.record(actor, "competency_category.created", category, after={"name": name})
    caching.bump(FRAMEWORK)
    return category


def update_category(
    actor: User | None, category: CompetencyCategory, name: str, description: str = ""
) -> CompetencyCategory:
    require_role(actor, Role.HR)
    # Of two identical edits at once, the second waits here and then finds nothing changed.
    category = locked_get(CompetencyCategory, category.id)
    name = name.strip()
    clash = sa.select(CompetencyCategory.id).where(
        CompetencyCategory.name == name, CompetencyCategory.id != category.id
    )
    if db.session.scalar(clash):
        raise Conflict(f"There is already a category called {name}.", field="name")
    before = audit.snapshot(category, ["name", "description"])
    category.name, category.description = name, description.strip()
    old, new = audit.changed(before, audit.snapshot(category, ["name", "description"]))
    if new:
        category.changed_at = clock.now()
        audit.record(actor, "competency_category.updated", category, before=old, after=new)
        caching.bump(FRAMEWORK)
    return category


def get_category(category_id: int) -> CompetencyCategory:
    return fetch(CompetencyCategory, category_id, "There is no such competency category.")


def _check_descriptors(descriptors: dict[int, str]) -> dict[int, str]:
    cleaned = {level: (descriptors.get(level) or "").strip() for level in LEVELS}
    missing = [str(level) for level, text in cleaned.items() if not text]
    if missing:
        raise Invalid(
            "Describe the behaviour at every step of the scale (missing: level "
            + ", ".join(missing)
            + ").",
            field=f"level_{missing[0]}",
        )
    return cleaned


def _check_code_free(code: str, competency_id: int | None = None) -> str:
    code = code.strip().upper()
    stmt = sa.select(Competency.id).where(Competency.code == code)
    if competency_id is not None:
        stmt = stmt.where(Competency.id != competency_id)
    if db.session.scalar(stmt):
        raise Conflict(f"The code {code} is already used by another competency.", field="code")
    return code


def _category(category_id: int) -> CompetencyCategory:
    category = db.session.get(CompetencyCategory, category_id)
    if category is None:
        raise Invalid("Choose a category from the list.", field="category_id")
    return category


def create_competency(
    actor: User | None,
    *,
    code: str,
    name: str,
    category_id: int,
    description: str,
    descriptors: dict[int, str],
) -> Competency:
    require_role(actor, Role.HR)
    code = _check_code_free(code)
    _category(category_id)
    cleaned = _check_descriptors(descriptors)
    competency = Competency(
        code=code, name=name.strip(), category_id=category_id, description=description.strip()
    )
    competency.descriptors = [
        ProficiencyDescriptor(level=level, descriptor=text) for level, text in cleaned.items()
    ]
    db.session.add(competency)
    db.session.flush()
    after = audit.snapshot(competency, COMPETENCY_FIELDS) | {"descriptors": cleaned}
    audit.record(actor, "competency.created", competency, after=after)
    caching.bump(FRAMEWORK)
    return competency


def update_competency(
    actor: User | None,
    competency: Competency,
    *,
    code: str,
    name: str,
    category_id: int,
    description: str,
    descriptors: dict[int, str],
) -> Competency:
    require_role(actor, Role.HR)
    competency = locked_get(Competency, competency.id)
    code = _check_code_free(code, competency.id)
    _category(category_id)
    cleaned = _check_descriptors(descriptors)
    before = audit.snapshot(competency, COMPETENCY_FIELDS) | {
        "descriptors": {d.level: d.descriptor for d in competency.descriptors}
    }
    competency.code = code
    competency.name = name.strip()
    competency.category_id = category_id
    competency.description = description.strip()
    by_level = {d.level: d for d in competency.descriptors}
    for level, text in cleaned.items():
        if level in by_level:
            by_level[level].descriptor = text
        else:
            competency.descriptors.append(ProficiencyDescriptor(level=level, descriptor=text))
    db.session.flush()
    after = audit.snapshot(competency, COMPETENCY_FIELDS) | {"descriptors": cleaned}
    old, new = audit.changed(before, after)
    if new:
        competency.changed_at = clock.now()
        audit.record(actor, "competency.updated", competency, before=old, after=new)
        caching.bump(FRAMEWORK)
    return competency


def save_job_profile(
    actor: User | None,
    profile: JobProfile | None,
    *,
    code: str,
    title: str,
    description: str,
    requirements: list[tuple[int, int, int]],
) -> JobProfile:
    """Create or update a job profile with its (competency_id, min_level, weight) requirements."""
    require_role(actor, Role.HR)
    if profile is not None:
        profile = locked_get(type(profile), profile.id)
    code = code.strip().upper()
    clash = sa.select(JobProfile.id).where(JobProfile.code == code)
    if profile is not None:
        clash = clash.where(JobProfile.id != profile.id)
    if db.session.scalar(clash):
        raise Conflict(f"The code {code} is already used by another job profile.", field="code")
    _check_requirements(requirements)
    creating = profile is None
    before = None if creating else _profile_state(profile)
    if creating:
        profile = JobProfile()
        db.session.add(profile)
    profile.code, profile.title, profile.description = code, title.strip(), description.strip()
    db.session.flush()
    wanted = {cid: (level, weight) for cid, level, weight in requirements}
    for requirement in _requirement_rows(profile.id):
        if requirement.competency_id not in wanted:
            db.session.delete(requirement)
        else:
            requirement.min_level, requirement.weight = wanted.pop(requirement.competency_id)
    db.session.add_all(
        JobProfileRequirement(
            job_profile_id=profile.id, competency_id=cid, min_level=level, weight=weight
        )
        for cid, (level, weight) in wanted.items()
    )
    db.session.flush()
    after = _profile_state(profile)
    if creating:
        audit.record(actor, "job_profile.created", profile, after=after)
    else:
        old, new = audit.changed(before, after)
        if new:
            audit.record(actor, "job_profile.updated", profile, before=old, after=new)
    return profile


def _requirement_rows(profile_id: int) -> list[JobProfileRequirement]:
    return list(
        db.session.scalars(
            sa.select(JobProfileRequirement).where(
                JobProfileRequirement.job_profile_id == profile_id
            )
        )
    )


def _profile_state(profile: JobProfile) -> dict:
    state = audit.snapshot(profile, JOB_PROFILE_FIELDS)
    state["requirements"] = sorted(
        [r.competency_id, r.min_level, r.weight] for r in _requirement_rows(profile.id)
    )
    return state


def _check_requirements(requirements: list[tuple[int, int, int]]) -> None:
    if not requirements:
        raise Invalid("A job profile needs at least one required competency.", field="requirements")
    ids = [cid for cid, _, _ in requirements]
    if len(set(ids)) != len(ids):
        raise Invalid("Each competency can be listed only once.", field="requirements")
    for _, level, weight in requirements:
        if level not in LEVELS:
            raise Invalid("A minimum level is between 1 and 5.", field="requirements")
        if not 1 <= weight <= 100:
            raise Invalid("A weight is a whole number from 1 to 100.", field="requirements")
    found = db.session.scalar(sa.select(sa.func.count(Competency.id)).where(Competency.id.in_(ids)))
    if found != len(ids):
        raise Invalid("One of the chosen competencies does not exist.", field="requirements")


def record_evidence(
    actor: User | None,
    employee: Employee,
    competency: Competency,
    *,
    level: int,
    observed_on: date,
    source: EvidenceSource = EvidenceSource.MANAGER_VALIDATION,
    expires_on: date | None = None,
    note: str = "",
) -> CompetencyEvidence:
    """Append evidence that the employee showed the competency at a level.

    HR may record evidence for anyone and a manager for the people in their reporting line;
    nobody records evidence for themselves.
    """
    check_may_validate(actor, employee)
    if level not in LEVELS:
        raise Invalid("Choose a level from 1 to 5.", field="level")
    if observed_on > clock.today():
        raise Invalid(
            "The date the competency was shown cannot be in the future.", field="observed_on"
        )
    if expires_on is not None and expires_on <= observed_on:
        raise Invalid("The expiry date must come after the date shown.", field="expires_on")
    evidence = CompetencyEvidence(
        employee_id=employee.id,
        competency_id=competency.id,
        level=level,
        source=source,
        observed_on=observed_on,
        expires_on=expires_on,
        verified_by_id=actor.id if actor is not None else None,
        note=note.strip(),
    )
    db.session.add(evidence)
    db.session.flush()
    audit.record(
        actor,
        "competency_evidence.recorded",
        evidence,
        after={
            "employee": employee.employee_number,
            "competency": competency.code,
            "level": level,
            "source": source,
            "observed_on": observed_on,
            "expires_on": expires_on,
        },
        label=f"{employee.full_name}: {competency.code} level {level}",
    )
    _tell_employee(employee, competency, level)
    signals.evidence_recorded.send(actor, evidence=[evidence])
    return evidence


def _tell_employee(employee: Employee, competency: Competency, level: int) -> None:
    person = employee.user
    if person is None or not person.active:
        return
    with written_in(person.locale):
        notify(
            person,
            gettext("New competency evidence: %(competency)s", competency=competency.name),
            gettext(
                "Evidence that you showed %(competency)s at level %(level)s was recorded.",
                competency=competency.name,
                level=level_name(level),
            ),
            link=url_for("people.profile", employee_id=employee.id),
        )


def may_validate(actor: User | None, employee: Employee) -> bool:
    """Whether the actor may record evidence for this employee.

    HR for anyone and a manager for their reporting line, but nobody for themselves: evidence
    is someone else's word that a person showed a skill, whatever the recorder's role.
    """
    if actor is None:
        return True
    if _is_self(actor, employee):
        return False
    if actor.has_role(Role.HR):
        return True
    return actor.has_role(Role.MANAGER) and people_queries.may_view(actor, employee)


def _is_self(actor: User, employee: Employee) -> bool:
    return employee.user_id is not None and employee.user_id == actor.id


def check_may_validate(actor: User | None, employee: Employee) -> None:
    """Raise Forbidden, saying why, unless the actor may record evidence for the employee."""
    if actor is not None and _is_self(actor, employee):
        raise Forbidden(
            "You cannot record evidence of your own competencies. "
            "Ask your manager or HR to record what they saw."
        )
    if not may_validate(actor, employee):
        raise Forbidden("You can record evidence only for people in your reporting line.")


def get_competency(competency_id: int) -> Competency:
    return fetch(Competency, competency_id, "There is no such competency.")


def get_job_profile(profile_id: int) -> JobProfile:
    return fetch(JobProfile, profile_id, "There is no such job profile.")
