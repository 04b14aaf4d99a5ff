"""Staffing the synthetic city: employees streamed as rows down the manager hierarchy, and the
sample of accounts (with the fixed sign-ins) written after them."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import timedelta
from enum import IntEnum
from itertools import accumulate

from civicladder.access import Role
from civicladder.cli import CityContext
from people.models import EmployeeStatus
from people.seed.city_words import FIRST_NAMES, JOB_FAMILIES, LAST_NAMES

EMAIL_DOMAIN = "city.civicladder.example"
STATUS_CODES = [EmployeeStatus.ACTIVE, EmployeeStatus.LEAVE, EmployeeStatus.SEPARATED]
ACTIVE, LEAVE, SEPARATED = range(3)  # indexes into STATUS_CODES, kept in compact arrays
SPAN = 8  # workers per crew lead
# Fixed places in the largest agency's first unit for the sign-in accounts: worker number ->
# label. They are active, long enough in the job to have evidence, and in a bargaining unit.
SIGN_IN_WORKERS = {1: "employee", 2: "union_rep", 3: "hr"}


class Rank(IntEnum):
    """A person's place in the manager hierarchy, agency head at the top."""

    HEAD = 0
    DIRECTOR = 1
    SUPERVISOR = 2
    LEAD = 3
    WORKER = 4


# Years of service drawn for each rank: (fewest, most).
SERVICE_YEARS = {
    Rank.HEAD: (12, 35),
    Rank.DIRECTOR: (10, 34),
    Rank.SUPERVISOR: (6, 32),
    Rank.LEAD: (3, 30),
    Rank.WORKER: (0, 35),
}

# Shares drawn per person; leaders stay active so every line has someone at its head.
WORKER_LEAVE, WORKER_SEPARATED, LEAD_LEAVE = 0.04, 0.05, 0.02
WORKER_IN_UNION, LEAD_IN_UNION, SUPERVISOR_IN_UNION = 0.92, 0.7, 0.15
SENIOR_WORKER, NO_PROFILE = 0.25, 0.02
LEAD_ACCOUNT, WORKER_ACCOUNT = 0.05, 0.01
SIGN_IN_YEARS = 6.0


class Hiring:
    """Walks the planned tree, hiring a head, directors, supervisors, crew leads and workers.

    Ids go in hiring order, so every manager has a smaller id than the people below them.
    """

    def __init__(self, ctx: CityContext, plan, unions: list[int], profiles: dict, staff) -> None:
        self.rng = ctx.rng
        self.as_of = ctx.as_of
        self.plan = plan
        self.unions = unions
        self.profiles = profiles
        self.staff = staff
        self.next_id = staff.first_id
        self.emails: dict[str, int] = {}
        # (employee id, full name, own email, roles, bargaining unit ids represented, label)
        self.accounts: list[tuple[int, str, str, tuple[Role, ...], list[int], str | None]] = []
        self.sign_in_employees: dict[str, int] = {}
        self.represented: set[int] = set()  # bargaining units with a rep of their own
        self.first_weights = list(accumulate((i + 1) ** -0.3 for i in range(len(FIRST_NAMES))))
        self.last_weights = list(accumulate((i + 1) ** -0.4 for i in range(len(LAST_NAMES))))

    def rows(self) -> Iterator[tuple]:
        for a, agency in enumerate(self.plan):
            head, row = self._person(agency.id, None, None, None, rank=Rank.HEAD)
            yield row
            for d, division in enumerate(agency.divisions):
                profile = self.profiles[(JOB_FAMILIES[division.family][0], 3)]
                director, row = self._person(division.id, head, profile, None, rank=Rank.DIRECTOR)
                yield row
                for u, unit in enumerate(division.units):
                    places = {}
                    if d == 0 and u == 0:
                        places = SIGN_IN_WORKERS if a == 0 else {3: "agency_hr"}
                    yield from self._unit(unit, director, places)

    def _unit(self, unit, director: int, places: dict[int, str]) -> Iterator[tuple]:
        rng = self.rng
        family = JOB_FAMILIES[unit.family][0]
        union = self.unions[unit.union] if unit.union is not None else None
        in_union = union if rng.random() < SUPERVISOR_IN_UNION else None
        supervisor, row = self._person(
            unit.id, director, self.profiles[(family, 2)], in_union, rank=Rank.SUPERVISOR
        )
        yield row
        lead_count = math.ceil(unit.staff / (SPAN + 1)) if unit.staff >= 4 else 0
        leads = []
        for _ in range(lead_count):
            in_union = union if rng.random() < LEAD_IN_UNION else None
            lead, row = self._person(
                unit.id, supervisor, self.profiles[(family, 1)], in_union, rank=Rank.LEAD
            )
            leads.append(lead)
            yield row
        for number in range(1, unit.staff - lead_count + 1):
            manager = leads[(number - 1) % lead_count] if leads else supervisor
            label = places.get(number)
            grade = 1 if rng.random() < SENIOR_WORKER else 0
            profile = None if rng.random() < NO_PROFILE else self.profiles[(family, grade)]
            in_union = union if rng.random() < WORKER_IN_UNION else None
            if label in SIGN_IN_WORKERS.values():
                # A sign-in is a plain frontline worker with a job, in the largest union.
                profile, in_union = self.profiles[(family, 0)], self.unions[0]
            _, row = self._person(
                unit.id, manager, profile, in_union, rank=Rank.WORKER, label=label
            )
            yield row

    def _person(self, department, manager, profile, union, *, rank: Rank, label=None):
        """Hire one person: their row, and what later steps need of them in `staff`."""
        rng = self.rng
        ident = self.next_id
        self.next_id += 1
        first = rng.choices(FIRST_NAMES, cum_weights=self.first_weights)[0]
        last = rng.choices(LAST_NAMES, cum_weights=self.last_weights)[0]
        low, high = SERVICE_YEARS[rank]
        if label is not None:
            years = SIGN_IN_YEARS
        elif rank == Rank.WORKER:
            years = high * rng.random() ** 1.5  # more recent hires than old-timers
        else:
            years = rng.uniform(low, high)
        hire = self.as_of - timedelta(days=int(years * 365.25))
        status = ACTIVE if label is not None else self._status(rank)
        email = self._email(first, last)
        self.staff.job_profile.append(profile or 0)
        self.staff.hire_day.append(hire.toordinal())
        self.staff.rank.append(rank)
        self.staff.status.append(status)
        self.staff.department.append(department)
        self.staff.union.append(union or 0)
        if status == ACTIVE:
            self._maybe_account(ident, f"{first} {last}", email, rank, union, label)
        number = f"E{ident - self.staff.first_id + 1:07d}"
        row = (
            ident, number, first, last, email, department, manager, union, profile, hire,
            STATUS_CODES[status].value,
        )  # fmt: skip
        return ident, row

    def _status(self, rank: int) -> int:
        draw = self.rng.random()
        if rank == Rank.WORKER:
            if draw < WORKER_SEPARATED:
                return SEPARATED
            return LEAVE if draw < WORKER_SEPARATED + WORKER_LEAVE else ACTIVE
        if rank == Rank.LEAD:
            return LEAVE if draw < LEAD_LEAVE else ACTIVE
        return ACTIVE

    def _email(self, first: str, last: str) -> str:
        local = f"{_letters(first)}.{_letters(last)}"
        seen = self.emails.get(local, 0) + 1
        self.emails[local] = seen
        return f"{local}{seen if seen > 1 else ''}@{EMAIL_DOMAIN}"

    def _maybe_account(self, ident, name, email, rank, union, label) -> None:
        roles: tuple[Role, ...] = ()
        reps: list[int] = []
        if label == "union_rep":
            # The sign-in rep reads every unit; each unit still gets a rep of its own below.
            self._add(ident, name, email, (Role.UNION_REP, Role.EMPLOYEE), list(self.unions), label)
            return
        elif label in ("hr", "agency_hr"):
            roles = (Role.HR, Role.EMPLOYEE)
        elif label == "employee":
            roles = (Role.EMPLOYEE,)
        elif rank <= Rank.SUPERVISOR or (rank == Rank.LEAD and self.rng.random() < LEAD_ACCOUNT):
            roles = (Role.MANAGER, Role.EMPLOYEE)
        elif rank == Rank.WORKER and union is not None and union not in self.represented:
            roles, reps = (Role.UNION_REP, Role.EMPLOYEE), [union]
        elif rank == Rank.WORKER and self.rng.random() < WORKER_ACCOUNT:
            roles = (Role.EMPLOYEE,)
        if not roles:
            return
        self.represented.update(reps)
        if label == "agency_hr":
            label = None
        if ident == self.staff.first_id:
            label = "manager"  # the head of the largest agency
        self._add(ident, name, email, roles, reps, label)

    def _add(self, ident, name, email, roles, reps, label) -> None:
        if label is not None:
            self.sign_in_employees[label] = ident
        self.accounts.append((ident, name, email, roles, reps, label))


def _letters(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())
