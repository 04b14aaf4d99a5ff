"""The competency part of the demo city: the framework, five job profiles, and evidence."""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from civicladder import clock
from civicladder.db import db
from competencies import services
from competencies.models import Competency, EvidenceSource, JobProfileRequirement
from competencies.seed.demo_framework import CATEGORIES, COMPETENCIES, JOB_PROFILES
from people.models import Employee


def build_framework(built: dict) -> None:
    """Categories, competencies with their scale, and job profiles, through the services."""
    categories = {
        name: services.create_category(None, name, description).id
        for name, description in CATEGORIES.items()
    }
    competency_ids: dict[str, int] = {}
    for category, code, name, description, *levels in COMPETENCIES:
        competency = services.create_competency(
            None,
            code=code,
            name=name,
            category_id=categories[category],
            description=description,
            descriptors=dict(enumerate(levels, start=1)),
        )
        competency_ids[competency.code] = competency.id
    profile_ids: dict[str, int] = {}
    for code, title, description, requirements in JOB_PROFILES:
        profile = services.save_job_profile(
            None,
            None,
            code=code,
            title=title,
            description=description,
            requirements=[(competency_ids[c], level, weight) for c, level, weight in requirements],
        )
        profile_ids[profile.code] = profile.id
    built["competencies"] = competency_ids
    built["job_profiles"] = profile_ids


# Evidence: a fixed seed, so every demo city is the same; dates move with today.
EVIDENCE_SEED = 983
WINDOW_DAYS = 3 * 365  # no evidence older than three years
NEWEST_DAYS = 7  # the most recent evidence is a week old
IMPORTED_AFTER_DAYS = 2 * 365  # older evidence came over from the previous records
VALID_DAYS = {"OPS-SAFETY": 2 * 365}  # safety is recertified every two years
LEVEL_SHIFTS = ((-2, -1, 0, 1, 2), (1, 3, 6, 3, 1))  # around the job's minimum, mostly at it
LEADER_COMPETENCIES = ("LEAD-SUPERV", "LEAD-COACH")
NOT_YET_SHOWN = 0.1  # share of required competencies with no evidence yet

# The demo employee's record, fixed so the demo shows the same things every time:
# (competency code, level, days ago). Safety has lapsed and repair is below the job's minimum.
DEMO_EMPLOYEE_EVIDENCE = [
    ("OPS-SAFETY", 3, 760),
    ("OPS-EQUIP", 2, 700),
    ("OPS-EQUIP", 3, 95),
    ("OPS-GROUNDS", 2, 410),
    ("OPS-REPAIR", 1, 240),
    ("RES-COMM", 2, 150),
]


def build_evidence(built: dict) -> None:
    """Evidence for most employees, spread around their job's minimum levels."""
    rng = random.Random(EVIDENCE_SEED)
    today = clock.today()
    competencies = {c.code: c for c in db.session.scalars(sa.select(Competency))}
    by_id = {c.id: c for c in competencies.values()}
    requirements: dict[int, list[tuple[Competency, int]]] = {}
    for row in db.session.scalars(sa.select(JobProfileRequirement)):
        requirements.setdefault(row.job_profile_id, []).append(
            (by_id[row.competency_id], row.min_level)
        )
    leaders = set(db.session.scalars(sa.select(Employee.manager_id).distinct()))
    demo_employee_id = built.get("demo_employees", {}).get("employee")
    employees = db.session.scalars(
        sa.select(Employee)
        .where(Employee.job_profile_id.is_not(None))
        .order_by(Employee.employee_number)
    ).all()
    for employee in employees:
        if employee.id == demo_employee_id:
            for code, level, days_ago in DEMO_EMPLOYEE_EVIDENCE:
                _record(employee, competencies[code], level, today - timedelta(days=days_ago))
            continue
        start = max(employee.hire_date, today - timedelta(days=WINDOW_DAYS))
        if (today - start).days < 90:
            continue  # too new to have been validated yet
        bonus = 1 if employee.id in leaders else 0
        plan = [
            (competency, minimum + bonus + rng.choices(*LEVEL_SHIFTS)[0])
            for competency, minimum in sorted(
                requirements[employee.job_profile_id], key=lambda item: item[0].code
            )
        ]
        if bonus:
            plan += [(competencies[code], rng.choice((3, 4))) for code in LEADER_COMPETENCIES]
        for competency, level in plan:
            if rng.random() >= NOT_YET_SHOWN:
                _record_history(rng, employee, competency, min(max(level, 1), 5), start, today)


def _record_history(
    rng: random.Random,
    employee: Employee,
    competency: Competency,
    level: int,
    start: date,
    today: date,
) -> None:
    """One piece of evidence; sometimes an earlier, lower one, and a renewal of lapsed safety."""
    span = (today - start).days - NEWEST_DAYS
    shown = start + timedelta(days=rng.randint(0, span))
    if level > 1 and (shown - start).days > 60 and rng.random() < 0.3:
        earlier = start + timedelta(days=rng.randint(0, (shown - start).days - 30))
        _record(employee, competency, level - 1, earlier)
    evidence_expires = _record(employee, competency, level, shown)
    if evidence_expires is not None and evidence_expires <= today and rng.random() < 0.5:
        renewed = today - timedelta(days=rng.randint(NEWEST_DAYS, 120))
        _record(employee, competency, level, max(renewed, evidence_expires - timedelta(days=30)))


def _record(employee: Employee, competency: Competency, level: int, shown: date) -> date | None:
    valid_days = VALID_DAYS.get(competency.code)
    expires_on = shown + timedelta(days=valid_days) if valid_days else None
    if (clock.today() - shown).days > IMPORTED_AFTER_DAYS:
        source, note = EvidenceSource.IMPORTED, "Imported from the previous training records."
    else:
        source, note = EvidenceSource.MANAGER_VALIDATION, "Observed on the job by the supervisor."
    services.record_evidence(
        None,
        employee,
        competency,
        level=level,
        observed_on=shown,
        source=source,
        expires_on=expires_on,
        note=note,
    )
    return expires_on
