"""The people part of the demo city: departments, bargaining units, employees and demo users."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from civicladder import clock
from civicladder import services as shell_services
from civicladder.access import Role
from civicladder.db import db
from people import figures, membership, services
from people.models import BargainingUnit, Employee, EmployeeStatus

SEED = 1549
EMAIL_DOMAIN = "demo.civicladder.example"

BARGAINING_UNITS = {
    "DC37-1549": "DC37 Local 1549 (Clerical-Administrative)",
    "DC37-983": "DC37 Local 983 (Motor Vehicle Operators and Parks workers)",
}


@dataclass(frozen=True)
class Unit:
    """A unit's staff: a supervisor and workers, some of them under a crew chief."""

    name: str
    job_profile: str
    bargaining_unit: str | None
    workers: int
    crew: int = 0


# agency > division > unit. Every agency has a head, every division a director, every unit a
# supervisor. Managers are outside the bargaining units; most frontline workers are in one.
AGENCIES: dict[str, dict[str, list[Unit]]] = {
    "Department of Buildings": {
        "Inspections": [Unit("Construction Inspections", "BLDG-INSP", None, 5)],
        "Plan Review and Permits": [Unit("Permit Examination", "PERMIT-EX", "DC37-1549", 5)],
    },
    "Parks and Recreation": {
        "Parks Maintenance": [
            Unit("North District", "PARKS-MW", "DC37-983", 4, crew=3),
            Unit("South District", "PARKS-MW", "DC37-983", 5),
        ],
        "Planning and Performance": [Unit("Performance Management", "PROG-ANL", "DC37-1549", 2)],
    },
    "311 Customer Service": {
        "Contact Center": [
            Unit("Day Shift", "CSR-311", "DC37-1549", 6),
            Unit("Evening Shift", "CSR-311", "DC37-1549", 5),
        ],
        "Quality and Analytics": [Unit("Service Quality", "PROG-ANL", "DC37-1549", 2)],
    },
    "Citywide Administrative Services": {
        "Human Resources": [Unit("Workforce Development", "PROG-ANL", "DC37-1549", 2)],
    },
}

# Years of service drawn for each place in the hierarchy.
SERVICE_YEARS = {
    "head": (15, 28),
    "director": (10, 22),
    "supervisor": (6, 16),
    "crew chief": (5, 12),
    "worker": (0, 14),
}
# (unit, worker number) of the people on leave.
ON_LEAVE = {("Construction Inspections", 4), ("South District", 2), ("Evening Shift", 3)}

# Some people have a past, so an earlier quarter's report counts other people than today's.
# A worker of the unit, hired long enough ago, moved in from another unit some months ago.
MOVED = [("Day Shift", "South District", 10), ("Evening Shift", "Day Shift", 7)]
# A worker of the unit was away (status) from some months ago until some months ago.
AWAY = [
    ("South District", EmployeeStatus.SEPARATED, 20, 14),  # left and was hired again
    ("Permit Examination", EmployeeStatus.LEAVE, 9, 6),
]
# Former staff: (unit, months since they separated).
FORMER = [("Day Shift", 4), ("South District", 15)]

# The demo accounts: label, email name, demo-only password, roles, the employee they are
# (unit, place in it, years of service) or None. The manager runs North District: four workers
# and a crew chief with three more. The employee works for them; the union rep is a 311 delegate.
DEMO_ACCOUNTS = [
    ("admin", "admin", "demo-admin-2026!", {Role.ADMIN}, None),
    ("hr", "hr", "demo-hr-2026!", {Role.HR, Role.EMPLOYEE}, ("Workforce Development", 0, 9)),
    (
        "manager",
        "manager",
        "demo-manager-2026!",
        {Role.MANAGER, Role.EMPLOYEE},
        ("North District", 0, 12),
    ),
    ("employee", "employee", "demo-employee-2026!", {Role.EMPLOYEE}, ("North District", 1, 5)),
    (
        "union_rep",
        "union",
        "demo-union-2026!",
        {Role.UNION_REP, Role.EMPLOYEE},
        ("Day Shift", 1, 8),
    ),
]

# fmt: off
FIRST_NAMES = [
    "Aaliyah", "Adebayo", "Ana", "Andre", "Carmen", "Chen", "Darnell", "Deepa", "Diego", "Elena",
    "Fatima", "Gabriel", "Grace", "Hyun", "Ibrahim", "Imani", "Jamal", "Jasmine", "Jose",
    "Kateryna", "Kevin", "Kwame", "Lakshmi", "Latoya", "Luis", "Malik", "Maria", "Mei", "Miguel",
    "Nadia", "Olga", "Omar", "Patrick", "Priya", "Rafael", "Rosa", "Samuel", "Sofia", "Tanisha",
    "Thomas", "Tomasz", "Valentina", "Wei", "Yasmin", "Zoe",
]
LAST_NAMES = [
    "Abdullah", "Alvarez", "Baptiste", "Brennan", "Castillo", "Chowdhury", "Cohen", "Delgado",
    "Diallo", "Esposito", "Fernandez", "Goldberg", "Gonzalez", "Green", "Haddad", "Hernandez",
    "Ivanova", "Jackson", "Kaur", "Kim", "Kowalski", "Lee", "Liu", "Mensah", "Murphy", "Nguyen",
    "Okafor", "Ortiz", "Patel", "Pierre", "Quinn", "Ramirez", "Rivera", "Robinson", "Rossi",
    "Santos", "Shapiro", "Singh", "Thompson", "Torres", "Vasquez", "Washington", "Williams",
    "Wong", "Yilmaz", "Zhang",
]
# fmt: on


def build(built: dict) -> None:
    """Departments, bargaining units and about 60 employees with their managers."""
    units = {
        code: services.create_bargaining_unit(None, code, name)
        for code, name in BARGAINING_UNITS.items()
    }
    staff = _Staffing(built["job_profiles"], units)
    for agency, divisions in AGENCIES.items():
        head = staff.hire(agency, "head", manager=None)
        for division, unit_specs in divisions.items():
            director = staff.hire(f"{agency} > {division}", "director", manager=head)
            for unit in unit_specs:
                staff.staff_unit(f"{agency} > {division} > {unit.name}", unit, director)
    staff.give_a_past()
    built["bargaining_units"] = {code: unit.id for code, unit in units.items()}
    built["demo_employees"] = {
        label: staff.placed[place[:2]].id
        for label, _, _, _, place in DEMO_ACCOUNTS
        if place is not None
    }


class _Staffing:
    """Hires people into places: deterministic names, numbers and hire dates."""

    def __init__(self, job_profiles: dict[str, int], units: dict[str, BargainingUnit]) -> None:
        self.rng = random.Random(SEED)
        self.today = clock.today()
        self.job_profiles = job_profiles
        self.units = units
        self.names = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
        self.rng.shuffle(self.names)
        self.count = 0
        # (unit name, place) -> employee, where place 0 is the supervisor and 1.. the workers
        self.placed: dict[tuple[str, int], Employee] = {}
        self.paths: dict[str, tuple[str, Unit]] = {}  # unit name -> its path and staffing
        self.fixed_years = {
            account[4][:2]: account[4][2] for account in DEMO_ACCOUNTS if account[4] is not None
        }

    def staff_unit(self, path: str, unit: Unit, director: Employee) -> None:
        self.paths[unit.name] = (path, unit)
        profile = self.job_profiles[unit.job_profile]
        supervisor = self.place(path, unit, 0, "supervisor", director, profile, None)
        crew_chief = None
        if unit.crew:
            crew_chief = self.hire(path, "crew chief", manager=supervisor, job_profile_id=profile)
        for number in range(1, unit.workers + unit.crew + 1):
            manager = supervisor if number <= unit.workers else crew_chief
            self.place(path, unit, number, "worker", manager, profile, unit.bargaining_unit)

    def place(
        self,
        path: str,
        unit: Unit,
        number: int,
        kind: str,
        manager: Employee | None,
        job_profile_id: int,
        bargaining_unit: str | None,
    ) -> Employee:
        on_leave = (unit.name, number) in ON_LEAVE
        employee = self.hire(
            path,
            kind,
            manager=manager,
            job_profile_id=job_profile_id,
            bargaining_unit=self.units[bargaining_unit] if bargaining_unit else None,
            status=EmployeeStatus.LEAVE if on_leave else EmployeeStatus.ACTIVE,
            years=self.fixed_years.get((unit.name, number)),
        )
        self.placed[(unit.name, number)] = employee
        return employee

    def hire(
        self,
        path: str,
        kind: str,
        *,
        manager: Employee | None,
        job_profile_id: int | None = None,
        bargaining_unit: BargainingUnit | None = None,
        status: EmployeeStatus = EmployeeStatus.ACTIVE,
        years: int | None = None,
    ) -> Employee:
        first, last = self.names[self.count]
        self.count += 1
        return services.create_employee(
            None,
            employee_number=f"E{10000 + self.count}",
            first_name=first,
            last_name=last,
            email=f"{first}.{last}@{EMAIL_DOMAIN}".lower(),
            department=services.ensure_department(None, path),
            hire_date=self._hire_date(kind, years),
            manager=manager,
            bargaining_unit=bargaining_unit,
            job_profile_id=job_profile_id,
            status=status,
        )

    def give_a_past(self) -> None:
        """Moves, a spell of leave, a re-hire and former staff, dated in the last two years."""
        for unit_name, before, months in MOVED:
            person = self._long_served(unit_name, months)
            path, unit = self.paths[before]
            earlier = (self._unit_id(unit), services.ensure_department(None, path).id)
            self._past(person, [(*earlier, EmployeeStatus.ACTIVE, None), (*_now(person), months)])
        for unit_name, status, began, back in AWAY:
            person = self._long_served(unit_name, began)
            unit_id, department_id, _ = _now(person)
            self._past(
                person,
                [
                    (unit_id, department_id, EmployeeStatus.ACTIVE, None),
                    (unit_id, department_id, status, began),
                    (*_now(person), back),
                ],
            )
        for unit_name, months in FORMER:
            path, unit = self.paths[unit_name]
            person = self.hire(
                path,
                "worker",
                manager=self.placed[(unit_name, 0)],
                job_profile_id=self.job_profiles[unit.job_profile],
                bargaining_unit=self.units[unit.bargaining_unit] if unit.bargaining_unit else None,
                status=EmployeeStatus.SEPARATED,
                years=3,
            )
            unit_id, department_id, _ = _now(person)
            self._past(
                person,
                [(unit_id, department_id, EmployeeStatus.ACTIVE, None), (*_now(person), months)],
            )

    def _long_served(self, unit_name: str, months: int) -> Employee:
        """The unit's first worker without a demo account hired well before `months` ago."""
        accounts = set(self.fixed_years)
        by = self.today - timedelta(days=30 * months + 90)
        return next(
            person
            for (name, number), person in self.placed.items()
            if name == unit_name
            and number > 0
            and (name, number) not in accounts
            and person.hire_date < by
        )

    def _unit_id(self, unit: Unit) -> int | None:
        return self.units[unit.bargaining_unit].id if unit.bargaining_unit else None

    def _past(self, person: Employee, steps: list[tuple]) -> None:
        """Write a person's history: each step (unit, department, status, months ago it began;
        None for the hire date)."""
        held = [
            (
                *step[:3],
                person.hire_date if step[3] is None else self.today - timedelta(days=30 * step[3]),
            )
            for step in steps
        ]
        membership.rewrite(person, held)

    def _hire_date(self, kind: str, years: int | None) -> date:
        if years is not None:
            return self.today - timedelta(days=years * 365 + 40)
        low, high = SERVICE_YEARS[kind]
        return self.today - timedelta(days=self.rng.randint(low * 365 + 30, high * 365 + 300))


def _now(person: Employee) -> tuple:
    return person.bargaining_unit_id, person.department_id, person.status


def build_accounts(built: dict) -> None:
    """One account per role, each with its own printed, demo-only password.

    Reads only `built`, so it can run as a later step of its own.
    """
    sign_ins = built.setdefault("sign_ins", [])
    built["users"] = {}
    for label, name, password, roles, _ in DEMO_ACCOUNTS:
        employee_id = built["demo_employees"].get(label)
        person = db.session.get(Employee, employee_id) if employee_id is not None else None
        user = shell_services.create_user(
            None,
            email=f"{name}@{EMAIL_DOMAIN}",
            full_name=person.full_name if person is not None else "Demo Administrator",
            roles=roles,
            password=password,
        )
        if person is not None:
            services.link_account(None, user, person)
        if Role.UNION_REP in roles:
            services.set_rep_units(None, user, set(built["bargaining_units"].values()))
        built["users"][label] = user.id
        sign_ins.append((label, user.email, password))


def refresh_unit_figures(built: dict) -> None:
    """The bargaining units' stored figures, once every package's people and evidence are in."""
    figures.refresh()
