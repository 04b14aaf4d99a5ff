"""The competency part of the synthetic city: a framework of about 150 competencies with their
scale, 4 to 7 requirements for each job profile, and about ten pieces of evidence per employee,
streamed into the database in bulk."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import click
import sqlalchemy as sa

from civicladder import audit, bulk, caching
from civicladder.cli import CityContext
from civicladder.db import db
from competencies.models import (
    Competency,
    CompetencyCategory,
    CompetencyEvidence,
    EvidenceSource,
    JobProfileRequirement,
    ProficiencyDescriptor,
)
from competencies.queries import FRAMEWORK
from competencies.seed.city_words import CATEGORIES, FAMILY_CATEGORIES, LEVEL_TEMPLATES, NOTES
from people.seed.city_staff import Rank

WINDOW_YEARS = 6  # evidence reaches back this far
NEW_HIRE_DAYS = 90  # too new to have been validated yet
IMPORTED_AFTER_DAYS = 2 * 365  # older evidence came over from the previous records
NOT_YET_SHOWN = 0.1  # share of required competencies without evidence yet
LEVEL_SHIFTS = ((-2, -1, 0, 1, 2), (1, 3, 7, 3, 1))  # around the job's minimum, mostly at it
MINIMUM_BY_GRADE = [(1, 2, 2, 3), (2, 3, 3), (3, 3, 4), (3, 4, 4)]
# Facet 0 of these categories must be renewed: (category code, days the evidence is valid).
RENEWED = {"SAF": 2 * 365, "OPS": 3 * 365, "CAR": 365}
EVIDENCE_COLUMNS = (
    "id",
    "employee_id",
    "competency_id",
    "level",
    "source",
    "observed_on",
    "expires_on",
    "note",
    "recorded_at",
)


def build(ctx: CityContext) -> None:
    """The framework, job profiles' requirements and the evidence of every employee."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Competency)):
        raise click.ClickException(
            "The database already has competencies: `flask seed city` only builds into a "
            "database without them. The city was not generated."
        )
    framework = _framework(ctx)
    requirements = _requirements(ctx, framework)
    staff = ctx.built["staff"]
    evidence = _Evidence(ctx, framework, requirements)
    with ctx.progress("competency evidence", len(staff)) as bar:
        written = bulk.load(
            CompetencyEvidence.__table__,
            EVIDENCE_COLUMNS,
            evidence.rows(bar.update),
            batch=20000,
        )
    bulk.finish(
        [
            CompetencyCategory.__table__,
            Competency.__table__,
            ProficiencyDescriptor.__table__,
            JobProfileRequirement.__table__,
            CompetencyEvidence.__table__,
        ]
    )
    counts = {
        "categories": len(CATEGORIES),
        "competencies": len(framework.ids),
        "requirements": sum(len(r) for r in requirements.values()),
        "evidence": written,
    }
    ctx.built.update(
        competencies=list(framework.ids.values()),
        requirements=requirements,
        competency_counts=counts,
    )
    audit.record(
        None,
        "city.competencies_generated",
        None,
        after=counts | {"seed": ctx.seed},
        label=f"Synthetic city, seed {ctx.seed}",
    )
    ctx.say(", ".join(f"{value:,} {name}" for name, value in counts.items()))


class Framework:
    def __init__(self) -> None:
        self.ids: dict[str, int] = {}  # competency code -> id
        self.by_category: dict[str, list[int]] = {}
        self.valid_days: dict[int, int] = {}


def _case_identifier(ctx: CityContext, name: str) -> str:
    """The same identifier for the same seed and name: a city generated twice is the same."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"civicladder:city:{ctx.seed}:{name}"))


def _framework(ctx: CityContext) -> Framework:
    """Ten categories of fifteen competencies, each with a descriptor for the five levels."""
    framework = Framework()
    first_category = bulk.next_id(CompetencyCategory.__table__)
    next_competency = bulk.next_id(Competency.__table__)
    categories, competencies, descriptors = [], [], []
    now = datetime.combine(ctx.as_of, time(), UTC)
    for c, (code, name, covers, subjects, facets) in enumerate(CATEGORIES):
        category = first_category + c
        categories.append(
            (category, name, f"Competencies for {covers}.", _case_identifier(ctx, code), now)
        )
        framework.by_category[code] = []
        for s, subject in enumerate(subjects):
            for f, facet in enumerate(facets):
                ident = next_competency
                next_competency += 1
                skill = f"{subject} {facet}"
                competency_code = f"{code}-{s + 1}{f + 1}"
                description = f"{skill} in the work of {covers}."
                competencies.append(
                    (
                        ident,
                        competency_code,
                        skill,
                        description,
                        category,
                        _case_identifier(ctx, competency_code),
                        now,
                    )
                )
                descriptors += [
                    (
                        ident,
                        level,
                        template.format(skill=skill.lower(), context=covers),
                        _case_identifier(ctx, f"{competency_code}.{level}"),
                    )
                    for level, template in enumerate(LEVEL_TEMPLATES, start=1)
                ]
                framework.ids[competency_code] = ident
                framework.by_category[code].append(ident)
                if f == 0 and code in RENEWED:
                    framework.valid_days[ident] = RENEWED[code]
    dated = ("case_identifier", "changed_at")
    bulk.load(CompetencyCategory.__table__, ("id", "name", "description", *dated), categories)
    bulk.load(
        Competency.__table__,
        ("id", "code", "name", "description", "category_id", *dated),
        competencies,
    )
    bulk.load(
        ProficiencyDescriptor.__table__,
        ("competency_id", "level", "descriptor", "case_identifier"),
        descriptors,
    )
    caching.bump(FRAMEWORK)  # app servers already running show the new framework
    return framework


def _requirements(ctx: CityContext, framework: Framework) -> dict[int, list[tuple[int, int]]]:
    """Job profile id -> [(competency id, minimum level)]: 4 to 7 from the family's fields."""
    rng = ctx.rng
    requirements: dict[int, list[tuple[int, int]]] = {}
    rows = []
    for profile, (family, grade) in sorted(ctx.built["job_profiles"].items()):
        core, second = FAMILY_CATEGORIES[family]
        count = rng.randint(4, 7)
        chosen = rng.sample(framework.by_category[core], count - 2)
        chosen += rng.sample(framework.by_category[second], 1)
        chosen += rng.sample(framework.by_category["LEA" if grade >= 2 else "COM"], 1)
        requirements[profile] = []
        for competency in chosen:
            minimum = rng.choice(MINIMUM_BY_GRADE[grade])
            requirements[profile].append((competency, minimum))
            rows.append((profile, competency, minimum, rng.randrange(10, 45, 5)))
    bulk.load(
        JobProfileRequirement.__table__,
        ("job_profile_id", "competency_id", "min_level", "weight"),
        rows,
    )
    return requirements


class _Evidence:
    """Streams evidence rows, employee by employee, in id order."""

    def __init__(self, ctx: CityContext, framework: Framework, requirements: dict) -> None:
        self.rng = ctx.rng
        self.as_of = ctx.as_of
        self.today = ctx.as_of.toordinal()
        self.staff = ctx.built["staff"]
        self.framework = framework
        self.requirements = requirements
        self.must_have = set(ctx.built.get("sign_in_employees", {}).values())
        self.all_competencies = list(framework.ids.values())
        self.leadership = framework.by_category["LEA"]
        self.next_id = bulk.next_id(CompetencyEvidence.__table__)

    def rows(self, progress) -> Iterator[tuple]:
        staff = self.staff
        step = 1000
        for index in range(len(staff)):
            if index % step == step - 1:
                progress(step)
            profile = staff.job_profile[index]
            hired = staff.hire_day[index]
            if not profile or self.today - hired < NEW_HIRE_DAYS:
                continue
            yield from self._person(staff.first_id + index, profile, hired, staff.rank[index])
        progress(len(staff) % step)

    def _person(self, employee: int, profile: int, hired: int, rank: int) -> Iterator[tuple]:
        rng = self.rng
        start = max(hired, self.today - WINDOW_YEARS * 365)
        sure = employee in self.must_have
        bonus = 1 if rank <= Rank.LEAD else 0
        plan = [
            (competency, minimum + bonus + rng.choices(*LEVEL_SHIFTS)[0])
            for competency, minimum in self.requirements[profile]
            if sure or rng.random() >= NOT_YET_SHOWN
        ]
        if bonus:
            plan.append((rng.choice(self.leadership), rng.choice((3, 4))))
        plan += [
            (rng.choice(self.all_competencies), rng.randint(2, 3)) for _ in range(rng.randint(0, 2))
        ]
        for competency, level in plan:
            yield from self._history(employee, competency, min(max(level, 1), 5), start, hired)

    def _history(self, employee, competency, level, start, hired) -> Iterator[tuple]:
        """One to three pieces, the last at the level reached, and a renewal of some that lapsed."""
        rng = self.rng
        pieces = 1 + (rng.random() < 0.4) + (rng.random() < 0.15)
        days = sorted(rng.randint(start, self.today - 7) for _ in range(pieces))
        valid = self.framework.valid_days.get(competency)
        for number, day in enumerate(days):
            # Earlier pieces show the step below the level reached at the last.
            shown = level if number == pieces - 1 else max(1, level - 1)
            yield self._row(employee, competency, shown, day, valid, hired)
        if valid and days[-1] + valid <= self.today and rng.random() < 0.5:
            renewed = rng.randint(max(days[-1] + 1, self.today - 120), self.today - 1)
            yield self._row(employee, competency, level, renewed, valid, hired)

    def _row(self, employee, competency, level, day, valid, hired) -> tuple:
        age = self.today - day
        if age > IMPORTED_AFTER_DAYS:
            source = EvidenceSource.IMPORTED
        elif day - hired < NEW_HIRE_DAYS:
            source = EvidenceSource.HIRING_ASSESSMENT
        elif self.rng.random() < 0.55:
            source = EvidenceSource.MANAGER_VALIDATION
        else:
            source = EvidenceSource.COURSE_COMPLETION
        ident = self.next_id
        self.next_id += 1
        observed = date.fromordinal(day)
        recorded = datetime.combine(
            date.fromordinal(min(day + 1, self.today)), time(15), tzinfo=UTC
        )
        expires = observed + timedelta(days=valid) if valid else None
        return (
            ident, employee, competency, level, source.value, observed, expires,
            NOTES[source.value], recorded,
        )  # fmt: skip
