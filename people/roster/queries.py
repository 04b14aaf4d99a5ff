"""Roster import, read side: look up what a roster refers to and plan the changes.

Nothing here writes. `plan_import` reads the file, checks every row, looks up what the rows refer
to in a fixed number of set-based queries (never one per row), and returns a `RosterPlan`: the
employees to create and update, the unchanged count, the new departments, and every problem with
its line number. `people.services.import_roster` writes a plan, and only a plan without problems.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from civicladder import querying
from civicladder.db import db
from people.models import BargainingUnit, Department, Employee, EmployeeStatus, JobProfile
from people.roster.rules import (
    LOOKUP_CHUNK,
    Lookups,
    RosterPlan,
    RosterRow,
    RowError,
    cycle_errors,
    diff_plan,
    duplicate_errors,
    path_prefixes,
    read_records,
    read_row,
    reference_errors,
)


def plan_import(data: bytes) -> RosterPlan:
    """Read and check a roster file and work out what importing it would change."""
    header, records = read_records(data)
    rows: list[RosterRow] = []
    errors: list[RowError] = []
    for line, values in records:
        row, row_errors = read_row(line, header, values)
        rows.append(row)
        errors.extend(row_errors)
    errors.extend(duplicate_errors(rows, "employee_number", "Employee number"))
    errors.extend(duplicate_errors(rows, "email", "Email"))
    by_number: dict[str, RosterRow] = {}
    for row in rows:
        if row.employee_number:
            by_number.setdefault(row.employee_number, row)
    lookups = load_lookups(rows)
    errors.extend(reference_errors(rows, by_number, lookups))
    errors.extend(cycle_errors(by_number, lookups))
    plan = RosterPlan(
        sha256=hashlib.sha256(data).hexdigest(),
        row_count=len(rows),
        rows=by_number,
        lookups=lookups,
        errors=sorted(errors, key=lambda e: e.line),
    )
    diff_plan(plan, rows)
    return plan


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        yield ordered[start : start + LOOKUP_CHUNK]


def load_lookups(rows: list[RosterRow]) -> Lookups:
    """Everything the rows refer to, in a fixed number of queries whatever the row count."""
    numbers = {row.employee_number for row in rows if row.employee_number}
    paths = {p for row in rows if row.department_path for p in path_prefixes(row.department_path)}
    outside_managers = {
        row.manager_number
        for row in rows
        if row.manager_number and row.manager_number not in numbers
    }

    lookups = Lookups()
    lookups.employees = _existing_employees(numbers)
    lookups.email_owners = _pairs(
        Employee.email, Employee.employee_number, {row.email for row in rows if row.email}
    )
    lookups.departments = _pairs(Department.path, Department.id, paths)
    lookups.bargaining_units = _pairs(
        BargainingUnit.code,
        BargainingUnit.id,
        {r.bargaining_unit for r in rows if r.bargaining_unit},
    )
    lookups.job_profiles = _pairs(
        JobProfile.code, JobProfile.id, {r.job_profile for r in rows if r.job_profile}
    )
    lookups.managers = _manager_chains(outside_managers)
    return lookups


def _pairs(key_column, value_column, keys: set[str]) -> dict:
    found: dict = {}
    for chunk in _chunks(keys):
        found.update(
            (key, value)
            for key, value in db.session.execute(
                sa.select(key_column, value_column).where(querying.among(key_column, chunk))
            )
        )
    return found


def _existing_employees(numbers: set[str]) -> dict[str, dict]:
    manager = aliased(Employee)

    stmt = (
        sa.select(
            Employee.id,
            Employee.employee_number,
            Employee.first_name,
            Employee.last_name,
            Employee.email,
            Department.path,
            manager.employee_number.label("manager_number"),
            BargainingUnit.code.label("bargaining_unit"),
            JobProfile.code.label("job_profile"),
            Employee.hire_date,
            Employee.status,
        )
        .join(Department, Department.id == Employee.department_id)
        .outerjoin(manager, manager.id == Employee.manager_id)
        .outerjoin(BargainingUnit, BargainingUnit.id == Employee.bargaining_unit_id)
        .outerjoin(JobProfile, JobProfile.id == Employee.job_profile_id)
    )
    found: dict[str, dict] = {}
    for chunk in _chunks(numbers):
        rows = db.session.execute(stmt.where(querying.among(Employee.employee_number, chunk)))
        # Unpacked rows: a whole workforce can pass through here, and attribute access costs.
        for id_, number, first, last, email, path, boss, unit, job, hired, status in rows:
            found[number] = {
                "id": id_,
                "values": {
                    "first_name": first,
                    "last_name": last,
                    "email": email or "",
                    "department": path,
                    "manager": boss or "",
                    "bargaining_unit": unit or "",
                    "job_profile": job or "",
                    "hire_date": hired.isoformat(),
                    "status": EmployeeStatus(status).value,
                },
            }
    return found


def _manager_chains(numbers: set[str]) -> dict[str, tuple[int, str | None]]:
    """Existing managers named by the file and everyone above them, in one recursive query."""
    found: dict[int, tuple[str, int | None]] = {}
    for chunk in _chunks(numbers):
        chain = (
            sa.select(Employee.id, Employee.employee_number, Employee.manager_id)
            .where(querying.among(Employee.employee_number, chunk))
            .cte("manager_chain", recursive=True)
        )
        above = sa.select(Employee.id, Employee.employee_number, Employee.manager_id).join(
            chain, Employee.id == chain.c.manager_id
        )
        # UNION, not UNION ALL: it stops even on a loop already in the data.
        chain = chain.union(above)
        for row in db.session.execute(
            sa.select(chain.c.id, chain.c.employee_number, chain.c.manager_id)
        ):
            found[row.id] = (row.employee_number, row.manager_id)
    return {
        number: (employee_id, found[manager_id][0] if manager_id in found else None)
        for employee_id, (number, manager_id) in found.items()
    }
