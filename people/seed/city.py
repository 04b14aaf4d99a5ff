"""The people part of the synthetic city: departments, bargaining units, job profiles, employees
and a sample of accounts, generated in proportion to the size asked for and loaded in bulk.

Employees are written as a stream of tuples; what later steps need of them is kept in compact
arrays (`CityStaff`), never as ORM objects.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

import click
import sqlalchemy as sa

from civicladder import audit, bulk
from civicladder.access import Role
from civicladder.cli import CityContext
from civicladder.db import db
from civicladder.models import User, UserRole, new_session_token
from civicladder.security import hash_password
from people import figures, lines
from people.models import (
    EMPLOYEE_FIELDS,
    PATH_SEPARATOR,
    BargainingUnit,
    Department,
    DepartmentKind,
    Employee,
    JobProfile,
    Membership,
    UnionRepUnit,
)
from people.seed import city_history
from people.seed.city_staff import EMAIL_DOMAIN, Hiring
from people.seed.city_words import (
    AGENCY_PATTERNS,
    AGENCY_SUBJECTS,
    DIVISION_FUNCTIONS,
    JOB_FAMILIES,
    PLACES,
    REGIONS,
    UNION_TRADES,
    UNIT_KINDS,
)

# Demo-only passwords, one per role; every sampled account of a role shares its role's password.
PASSWORDS = {
    Role.ADMIN: "city-admin-2026!",
    Role.HR: "city-hr-2026!",
    Role.UNION_REP: "city-union-2026!",
    Role.MANAGER: "city-manager-2026!",
    Role.EMPLOYEE: "city-employee-2026!",
}
# The accounts a benchmark signs in with: "manager" heads the largest agency, "employee" is a
# frontline worker with evidence, "union_rep" represents every bargaining unit.
CITY_SIGN_INS = {
    "admin": (f"admin@{EMAIL_DOMAIN}", PASSWORDS[Role.ADMIN]),
    "hr": (f"hr@{EMAIL_DOMAIN}", PASSWORDS[Role.HR]),
    "manager": (f"manager@{EMAIL_DOMAIN}", PASSWORDS[Role.MANAGER]),
    "employee": (f"employee@{EMAIL_DOMAIN}", PASSWORDS[Role.EMPLOYEE]),
    "union_rep": (f"union@{EMAIL_DOMAIN}", PASSWORDS[Role.UNION_REP]),
}
# Job grades within a family: code suffix, title pattern (role or area), who holds it.
GRADES = [
    ("1", "{role} I"),
    ("2", "{role} II"),
    ("S", "{role} Supervisor"),
    ("M", "{area} Manager"),
]
GRADE_DESCRIPTIONS = [
    "Entry level: {work}, under the direction of a crew lead.",
    "Experienced level: {work}, and leads a crew of up to ten.",
    "Supervises a unit whose staff {work}; plans the work and develops the people.",
    "Manages a division whose staff {work}; sets priorities, budgets and standards.",
]
MAIN_UNION_SHARE = 0.55  # share of units whose frontline staff are in the largest union


@dataclass
class CityStaff:
    """Employees as later steps need them: index i is employee id `first_id + i`."""

    first_id: int
    job_profile: array = field(default_factory=lambda: array("i"))  # 0: none
    hire_day: array = field(default_factory=lambda: array("i"))  # date.toordinal()
    rank: array = field(default_factory=lambda: array("b"))
    department: array = field(default_factory=lambda: array("i"))
    union: array = field(default_factory=lambda: array("i"))  # bargaining unit id; 0: none
    status: array = field(default_factory=lambda: array("b"))  # index into STATUS_CODES

    def __len__(self) -> int:
        return len(self.rank)

    def index(self, employee_id: int) -> int:
        return employee_id - self.first_id


@dataclass
class UnitPlan:
    name: str
    staff: int  # everyone below the supervisor
    family: int
    union: int | None  # index into the bargaining units
    id: int = 0


@dataclass
class DivisionPlan:
    name: str
    family: int
    units: list[UnitPlan]
    id: int = 0


@dataclass
class AgencyPlan:
    name: str
    families: list[int]
    divisions: list[DivisionPlan]
    id: int = 0


@dataclass
class Proportions:
    agencies: int
    divisions: int
    units: int
    unions: int
    families: int

    @classmethod
    def for_size(cls, employees: int) -> Proportions:
        agencies = _clamp(round(employees / 6000), 3, 50)
        # Small cities keep a tree worth the name: two divisions an agency, two units a division.
        divisions = max(2 * agencies, round(employees / 1000))
        return cls(
            agencies=agencies,
            divisions=divisions,
            units=max(2 * divisions, round(employees / 150)),
            unions=_clamp(round(employees / 20000), 4, 15),
            families=_clamp(round(employees / 20000), 4, len(JOB_FAMILIES)),
        )


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def split(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Share a whole number out in proportion to weights, each part at least `minimum`."""
    parts = [minimum] * len(weights)
    rest = total - minimum * len(weights)
    scale = sum(weights)
    exact = [rest * w / scale for w in weights]
    floors = [math.floor(x) for x in exact]
    short = rest - sum(floors)
    # The parts that lost most to rounding down get the units left over.
    order = sorted(range(len(weights)), key=lambda i: (floors[i] - exact[i], i))
    topped_up = set(order[:short])
    for i in range(len(weights)):
        parts[i] += floors[i] + (1 if i in topped_up else 0)
    return parts


def build(ctx: CityContext) -> None:
    """Departments, bargaining units, job profiles, employees, and a sample of accounts."""
    refuse_unless_empty()
    size = Proportions.for_size(ctx.employees)
    unions = _bargaining_units(ctx, size.unions)
    profiles = _job_profiles(ctx, size.families)
    plan = _plan(ctx, size)
    _load_departments(ctx, plan)
    staff = CityStaff(first_id=bulk.next_id(Employee.__table__))
    hires = Hiring(ctx, plan, unions, profiles, staff)
    with ctx.progress("employees", ctx.employees) as bar:
        bulk.load(Employee.__table__, EMPLOYEE_COLUMNS, hires.rows(), progress=bar.update)
    lines.refresh_all()
    city_history.load(ctx, staff, plan, unions)
    accounts = load_accounts(ctx, hires)
    bulk.finish(
        [
            Department.__table__,
            BargainingUnit.__table__,
            JobProfile.__table__,
            Employee.__table__,
            Membership.__table__,
            User.__table__,
            UserRole.__table__,
            UnionRepUnit.__table__,
        ]
    )
    counts = {
        "agencies": len(plan),
        "divisions": sum(len(a.divisions) for a in plan),
        "units": sum(len(d.units) for a in plan for d in a.divisions),
        "bargaining_units": len(unions),
        "job_profiles": len(profiles),
        "employees": len(staff),
        "accounts": accounts,
    }
    ctx.built.update(
        staff=staff,
        bargaining_units=unions,
        job_profiles={ident: key for key, ident in profiles.items()},
        sign_in_employees=hires.sign_in_employees,
        people_counts=counts,
    )
    audit.record(
        None,
        "city.people_generated",
        None,
        after=counts | {"seed": ctx.seed},
        label=f"Synthetic city, seed {ctx.seed}",
    )
    ctx.say(", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in counts.items()))


def refuse_unless_empty() -> None:
    """The city is built only where it cannot collide with people already there."""
    for model, what in (
        (Employee, "employees"),
        (Department, "departments"),
        (JobProfile, "job profiles"),
        (BargainingUnit, "bargaining units"),
    ):
        if db.session.scalar(sa.select(sa.func.count()).select_from(model)):
            raise click.ClickException(
                f"The database already has {what}: `flask seed city` only builds into a "
                "database without them. The city was not generated."
            )
    taken = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.email.like(f"%@{EMAIL_DOMAIN}"))
    )
    if taken:
        raise click.ClickException(
            f"The database already has accounts at {EMAIL_DOMAIN}. The city was not generated."
        )


def _bargaining_units(ctx: CityContext, count: int) -> list[int]:
    """The unions' ids, the largest first."""
    rng = ctx.rng
    first = bulk.next_id(BargainingUnit.__table__)
    locals_ = rng.sample(range(100, 3999), count)
    trades = UNION_TRADES[:1] + rng.sample(UNION_TRADES[1:], count - 1)
    rows = [
        (first + i, f"L{number}", f"Local {number}, {trade}")
        for i, (number, trade) in enumerate(zip(locals_, trades, strict=True))
    ]
    bulk.load(BargainingUnit.__table__, ("id", "code", "name"), rows)
    return [row[0] for row in rows]


def _job_profiles(ctx: CityContext, families: int) -> dict[tuple[str, int], int]:
    """(family code, grade) -> job profile id, four grades for each family."""
    first = bulk.next_id(JobProfile.__table__)
    rows, ids = [], {}
    for code, role, area, work in JOB_FAMILIES[:families]:
        for grade, (suffix, title) in enumerate(GRADES):
            ident = first + len(rows)
            description = GRADE_DESCRIPTIONS[grade].format(work=work)
            rows.append(
                (ident, f"{code}-{suffix}", title.format(role=role, area=area), description)
            )
            ids[(code, grade)] = ident
    bulk.load(JobProfile.__table__, ("id", "code", "title", "description"), rows)
    return ids


def _plan(ctx: CityContext, size: Proportions) -> list[AgencyPlan]:
    """The department tree with each unit's headcount; the largest agency comes first."""
    rng = ctx.rng
    weights = [(rank + 1) ** -0.8 for rank in range(size.agencies)]
    divisions = split(size.divisions, weights, 1)
    units = [max(d, u) for d, u in zip(divisions, split(size.units, weights, 1), strict=True)]
    subjects = rng.sample(AGENCY_SUBJECTS, size.agencies)
    plan = []
    for a, subject in enumerate(subjects):
        families = rng.sample(range(size.families), min(size.families, rng.randint(2, 4)))
        names = _division_names(rng, divisions[a])
        per_division = split(units[a], [rng.uniform(0.5, 1.5) for _ in names], 1)
        plan.append(
            AgencyPlan(
                name=rng.choice(AGENCY_PATTERNS).format(subject),
                families=families,
                divisions=[
                    DivisionPlan(name, rng.choice(families), _units(rng, count, families, size))
                    for name, count in zip(names, per_division, strict=True)
                ],
            )
        )
    _share_staff(rng, plan, weights, ctx.employees)
    return plan


def _division_names(rng, count: int) -> list[str]:
    names = rng.sample(DIVISION_FUNCTIONS, min(count, len(DIVISION_FUNCTIONS)))
    while len(names) < count:
        name = f"{rng.choice(REGIONS)} {rng.choice(DIVISION_FUNCTIONS)}"
        if name not in names:
            names.append(name)
    return names


def _units(rng, count: int, families: list[int], size: Proportions) -> list[UnitPlan]:
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(PLACES)} {rng.choice(UNIT_KINDS)}"
        if name in names:
            name = f"{name} {len(names) + 1}"
        names.append(name)
    units = []
    for name in names:
        family = families[0] if rng.random() < 0.6 else rng.choice(families)
        union = 0 if rng.random() < MAIN_UNION_SHARE else 1 + family % (size.unions - 1)
        units.append(UnitPlan(name, 0, family, union))
    return units


def _share_staff(rng, plan: list[AgencyPlan], weights: list[float], employees: int) -> None:
    """Everyone below the unit supervisors, shared among units by agency size and chance."""
    units = [(agency, unit) for agency in plan for d in agency.divisions for unit in d.units]
    leaders = len(plan) + sum(len(a.divisions) for a in plan) + len(units)
    per_unit = {}
    for a, agency in enumerate(plan):
        in_agency = sum(len(d.units) for d in agency.divisions)
        per_unit[id(agency)] = weights[a] / in_agency
    unit_weights = [per_unit[id(agency)] * rng.uniform(0.4, 1.6) for agency, _ in units]
    for (_, unit), staff in zip(units, split(employees - leaders, unit_weights, 2), strict=True):
        unit.staff = staff


def _load_departments(ctx: CityContext, plan: list[AgencyPlan]) -> None:
    next_id = bulk.next_id(Department.__table__)
    rows = []

    def add(name: str, kind: DepartmentKind, parent: int | None, path: str) -> int:
        nonlocal next_id
        rows.append((next_id, name, kind.value, parent, path))
        next_id += 1
        return next_id - 1

    for agency in plan:
        agency.id = add(agency.name, DepartmentKind.AGENCY, None, agency.name)
        for division in agency.divisions:
            division_path = agency.name + PATH_SEPARATOR + division.name
            division.id = add(division.name, DepartmentKind.DIVISION, agency.id, division_path)
            for unit in division.units:
                path = division_path + PATH_SEPARATOR + unit.name
                unit.id = add(unit.name, DepartmentKind.UNIT, division.id, path)
    with ctx.progress("departments", len(rows)) as bar:
        bulk.load(
            Department.__table__,
            ("id", "name", "kind", "parent_id", "path"),
            rows,
            progress=bar.update,
        )


EMPLOYEE_COLUMNS = ("id", *EMPLOYEE_FIELDS)


def load_accounts(ctx: CityContext, hiring: Hiring) -> int:
    """The administrator and the sampled accounts; each role's one password hashed once."""
    hashes = {role: hash_password(password) for role, password in PASSWORDS.items()}
    created = datetime.combine(ctx.as_of, time(8), tzinfo=UTC)
    first = bulk.next_id(User.__table__)
    admin_email = CITY_SIGN_INS["admin"][0]
    users = [(first, admin_email, "City Administrator", hashes[Role.ADMIN])]
    roles = [(first, Role.ADMIN.value)]
    reps, links = [], []
    ctx.built["users"] = {"admin": first}
    for number, (employee, name, email, held, units, label) in enumerate(hiring.accounts, 1):
        user = first + number
        main = next(role for role in PASSWORDS if role in held)
        users.append((user, CITY_SIGN_INS[label][0] if label else email, name, hashes[main]))
        roles += [(user, role.value) for role in sorted(held)]
        reps += [(user, unit) for unit in units]
        links.append((user, employee))
        if label:
            ctx.built["users"][label] = user
    with ctx.progress("accounts", len(users)) as bar:
        bulk.load(
            User.__table__,
            ("id", "email", "full_name", "password_hash", "active", "session_token", "created_at"),
            ((*row, True, new_session_token(), created) for row in users),
            progress=bar.update,
        )
    bulk.load(UserRole.__table__, ("user_id", "role"), roles)
    bulk.load(UnionRepUnit.__table__, ("user_id", "bargaining_unit_id"), reps)
    bulk.update_rows(Employee.__table__, [{"id": ident, "user_id": user} for user, ident in links])
    ctx.built["sign_ins"] = [(label, *sign_in) for label, sign_in in CITY_SIGN_INS.items()]
    return len(users)


def refresh_unit_figures(ctx: CityContext) -> None:
    """The bargaining units' stored figures, once every step's data is in."""
    as_of, lines = figures.refresh()
    ctx.say(f"{lines:,} figure lines for the union reps' homes, as of {as_of:%Y-%m-%d %H:%M}")
