"""Read side for where people stand against their jobs: one employee's table, a team's grid.

Both come from grouped queries over evidence (one row per person, competency and level), so a
page's query count does not grow with the evidence, the team or the job's requirements.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from civicladder import clock
from civicladder.db import db
from civicladder.languages import N_
from competencies.models import Competency, CompetencyEvidence, JobProfileRequirement
from competencies.queries import still_counts, withdrawn
from people.models import Employee

EXPIRY_WINDOW_DAYS = 60

MET, BELOW, EXPIRED, MISSING, NOT_REQUIRED = "met", "below", "expired", "missing", "na"


@dataclass
class _LevelFacts:
    """What one person's evidence at one level of one competency says, as of today."""

    current: int = 0  # records that still count
    open_ended: bool = False  # one of them never expires
    last_expiry: date | None = None  # the last day any of them counts until
    last_shown: date | None = None
    expired: int = 0  # records that no longer count


@dataclass(frozen=True)
class Standing:
    """A person's standing in one competency: level now, what the job needs, until when."""

    competency: Competency
    level: int | None
    required: int | None
    weight: int | None
    state: str
    last_shown: date | None
    # The day the job's minimum (or, when not required, the current level) stops counting;
    # None when some evidence for it never expires or nothing counts now.
    counts_until: date | None

    @property
    def expires_soon(self) -> bool:
        return self.counts_until is not None and self.counts_until <= clock.today() + timedelta(
            days=EXPIRY_WINDOW_DAYS
        )


def _evidence_facts(employee_ids: list[int], today: date) -> dict[tuple[int, int], dict]:
    """{(employee_id, competency_id): {level: _LevelFacts}} from one grouped query."""
    counts = still_counts(today)
    rows = db.session.execute(
        sa.select(
            CompetencyEvidence.employee_id,
            CompetencyEvidence.competency_id,
            CompetencyEvidence.level,
            sa.func.count(sa.case((counts, 1))).label("current"),
            sa.func.count(sa.case((CompetencyEvidence.expires_on.is_(None), 1))).label(
                "open_ended"
            ),
            sa.func.max(sa.case((counts, CompetencyEvidence.expires_on))).label("last_expiry"),
            sa.func.max(sa.case((counts, CompetencyEvidence.observed_on))).label("last_shown"),
            sa.func.count(sa.case((sa.not_(counts), 1))).label("expired"),
        )
        .where(CompetencyEvidence.employee_id.in_(employee_ids), ~withdrawn())
        .group_by(
            CompetencyEvidence.employee_id,
            CompetencyEvidence.competency_id,
            CompetencyEvidence.level,
        )
    ).all()
    facts: dict[tuple[int, int], dict] = defaultdict(dict)
    for row in rows:
        facts[(row.employee_id, row.competency_id)][row.level] = _LevelFacts(
            current=row.current,
            open_ended=row.open_ended > 0,
            last_expiry=row.last_expiry,
            last_shown=row.last_shown,
            expired=row.expired,
        )
    return facts


def _standing(competency, by_level: dict, required: int | None, weight: int | None) -> Standing:
    counting = {level: f for level, f in by_level.items() if f.current}
    level = max(counting) if counting else None
    shown = [f.last_shown for f in counting.values() if f.last_shown]
    floor = required if required is not None else level
    holding = [f for lvl, f in counting.items() if floor is not None and lvl >= floor]
    counts_until = None
    if holding and not any(f.open_ended for f in holding):
        counts_until = max(f.last_expiry for f in holding if f.last_expiry)
    if required is None:
        state = NOT_REQUIRED
    elif level is not None and level >= required:
        state = MET
    elif any(lvl >= required and f.expired for lvl, f in by_level.items()):
        state = EXPIRED
    elif level is not None:
        state = BELOW
    else:
        state = MISSING
    return Standing(
        competency, level, required, weight, state, max(shown) if shown else None, counts_until
    )


@dataclass(frozen=True)
class EmployeeStanding:
    """Every competency the job requires (shown or not), then others the person has shown."""

    required: list[Standing]
    others: list[Standing]

    @property
    def met(self) -> int:
        return sum(1 for s in self.required if s.state == MET)

    @property
    def expiring(self) -> list[Standing]:
        return sorted(
            (s for s in self.required + self.others if s.expires_soon),
            key=lambda s: s.counts_until,
        )


def employee_standing(employee_id: int, job_profile_id: int | None) -> EmployeeStanding:
    """One employee against their job, in three queries whatever the evidence."""
    today = clock.today()
    requirements = _requirements([job_profile_id] if job_profile_id else [])
    facts = _evidence_facts([employee_id], today)
    required_ids = {r.competency_id for r in requirements}
    other_ids = [cid for (_, cid) in facts if cid not in required_ids]
    competencies = {
        c.id: c
        for c in db.session.scalars(sa.select(Competency).where(Competency.id.in_(other_ids)))
    }
    required = [
        _standing(
            r.competency, facts.get((employee_id, r.competency_id), {}), r.min_level, r.weight
        )
        for r in requirements
    ]
    others = [
        _standing(competencies[cid], facts[(employee_id, cid)], None, None)
        for cid in other_ids
        if any(f.current for f in facts[(employee_id, cid)].values())
    ]
    others.sort(key=lambda s: s.competency.code)
    return EmployeeStanding(required, others)


def _requirements(profile_ids: list[int]) -> list[JobProfileRequirement]:
    if not profile_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(JobProfileRequirement)
            .options(joinedload(JobProfileRequirement.competency))
            .where(JobProfileRequirement.job_profile_id.in_(profile_ids))
            .order_by(JobProfileRequirement.weight.desc(), JobProfileRequirement.competency_id)
        )
    )


@dataclass(frozen=True)
class TeamGrid:
    """People × the competencies their jobs require; a cell is None where a job does not."""

    competencies: list[Competency]
    rows: list[tuple[object, list[Standing | None]]]
    totals: dict[str, int] = field(default_factory=dict)


def team_grid(members: list) -> TeamGrid:
    """The team's standing in every competency any of their jobs requires (two queries)."""
    today = clock.today()
    requirements = _requirements(sorted({m.job_profile_id for m in members if m.job_profile_id}))
    by_profile: dict[int, dict[int, JobProfileRequirement]] = defaultdict(dict)
    columns: dict[int, Competency] = {}
    for r in requirements:
        by_profile[r.job_profile_id][r.competency_id] = r
        columns[r.competency_id] = r.competency
    ordered = sorted(columns.values(), key=lambda c: c.code)
    facts = _evidence_facts([m.id for m in members], today) if members else {}
    rows = []
    totals = {MET: 0, BELOW: 0, EXPIRED: 0, MISSING: 0}
    for member in members:
        needs = by_profile.get(member.job_profile_id, {})
        cells: list[Standing | None] = []
        for competency in ordered:
            requirement = needs.get(competency.id)
            if requirement is None:
                cells.append(None)
                continue
            cell = _standing(
                competency,
                facts.get((member.id, competency.id), {}),
                requirement.min_level,
                requirement.weight,
            )
            totals[cell.state] += 1
            cells.append(cell)
        rows.append((member, cells))
    return TeamGrid(ordered, rows, totals)


# A member's band is the highest level they have shown in any competency, evidence still counting.
LEVEL_BANDS = (
    (0, N_("No competency shown yet")),
    (1, N_("Up to 2 Working")),
    (2, N_("3 Practitioner")),
    (3, N_("4 Advanced or 5 Expert")),
)


def unit_level_bands(unit_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """{unit_id: [(band, active members)]} for bargaining units, in one grouped query."""
    found: dict[int, list[tuple[str, int]]] = {uid: [] for uid in unit_ids}
    if not unit_ids:
        return found
    today = clock.today()
    members = sa.select(Employee.id).where(
        Employee.bargaining_unit_id.in_(unit_ids), Employee.status != "separated"
    )
    top = (
        sa.select(
            CompetencyEvidence.employee_id, sa.func.max(CompetencyEvidence.level).label("level")
        )
        .where(
            CompetencyEvidence.employee_id.in_(members),
            still_counts(today),
        )
        .group_by(CompetencyEvidence.employee_id)
        .subquery()
    )
    band = sa.case(
        (top.c.level.is_(None), 0), (top.c.level <= 2, 1), (top.c.level == 3, 2), else_=3
    )
    rows = db.session.execute(
        sa.select(Employee.bargaining_unit_id, band, sa.func.count(Employee.id))
        .outerjoin(top, top.c.employee_id == Employee.id)
        .where(Employee.bargaining_unit_id.in_(unit_ids), Employee.status != "separated")
        .group_by(Employee.bargaining_unit_id, band)
    ).all()
    labels = dict(LEVEL_BANDS)
    counts = {(unit_id, b): n for unit_id, b, n in rows}
    for unit_id in unit_ids:
        found[unit_id] = [(labels[b], counts.get((unit_id, b), 0)) for b, _ in LEVEL_BANDS]
    return found


def _unmet_requirement(today: date) -> sa.ColumnElement[bool]:
    """For the employee in the outer query: this requirement of their job has no evidence,
    still counting, at its minimum level or above. Correlated, so an index on evidence
    (employee_id, competency_id) answers it per person instead of grouping all evidence."""
    held = (
        sa.exists()
        .where(
            CompetencyEvidence.employee_id == Employee.id,
            CompetencyEvidence.competency_id == JobProfileRequirement.competency_id,
            CompetencyEvidence.level >= JobProfileRequirement.min_level,
            still_counts(today),
        )
        .correlate_except(CompetencyEvidence)
    )
    return sa.and_(JobProfileRequirement.job_profile_id == Employee.job_profile_id, ~held)


def below_requirements_statement(scope: sa.ColumnElement[bool] | None) -> sa.Select:
    """Employees (within `scope`) short of at least one of their job's requirements."""
    short = sa.exists().where(_unmet_requirement(clock.today())).correlate(Employee)
    stmt = (
        sa.select(Employee)
        .options(joinedload(Employee.job_profile), joinedload(Employee.department))
        .where(Employee.status != "separated", Employee.job_profile_id.is_not(None), short)
        .order_by(Employee.last_name, Employee.first_name, Employee.id)
    )
    return stmt if scope is None else stmt.where(scope)


def requirements_missed(employee_ids: list[int]) -> dict[int, int]:
    """How many of their job's requirements each of these employees misses (one query)."""
    if not employee_ids:
        return {}
    rows = db.session.execute(
        sa.select(Employee.id, sa.func.count(JobProfileRequirement.competency_id))
        .join(JobProfileRequirement, _unmet_requirement(clock.today()))
        .where(Employee.id.in_(employee_ids))
        .group_by(Employee.id)
    )
    return dict(rows.all())


def expiring_evidence_statement(scope: sa.ColumnElement[bool] | None) -> sa.Select:
    """Evidence (of employees within `scope`) that stops counting within the next 60 days."""
    today = clock.today()
    stmt = (
        sa.select(CompetencyEvidence)
        .join(Employee, Employee.id == CompetencyEvidence.employee_id)
        .options(joinedload(CompetencyEvidence.competency), joinedload(CompetencyEvidence.employee))
        .where(
            CompetencyEvidence.expires_on > today,
            CompetencyEvidence.expires_on <= today + timedelta(days=EXPIRY_WINDOW_DAYS),
            ~withdrawn(),
            Employee.status != "separated",
        )
        .order_by(CompetencyEvidence.expires_on, CompetencyEvidence.id)
    )
    return stmt if scope is None else stmt.where(scope)
