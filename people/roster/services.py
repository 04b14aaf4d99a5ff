"""Roster import, write side: a checked plan written set by set, never object by object.

`people.services.import_roster` checks the plan and calls `write_plan`. A roster can hold a
city's whole workforce (100,000 rows and more), so departments, employees and their audit events
go in as bulk inserts (COPY on PostgreSQL), existing employees change through one executemany
UPDATE, and nothing loads an ORM object per row. It all happens in the caller's transaction:
any failure rolls back everything, so an import is whole or absent.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from civicladder import audit, bulk, querying
from civicladder.db import db
from civicladder.models import User
from people import lines
from people.models import EMPLOYEE_FIELDS, PATH_SEPARATOR, Department, Employee, EmployeeStatus
from people.roster.rules import RosterPlan, RosterRow

Progress = Callable[[int], None] | None
REASON = "Roster import"
EMPLOYEE = Employee.__table__
# Employee columns an import writes, and with `id` the before/after of its audit events.
WRITTEN = list(EMPLOYEE_FIELDS)


def write_plan(actor: User | None, plan: RosterPlan, on_progress: Progress = None) -> None:
    """Create the plan's departments, create and update its employees, and audit each one."""
    from people.services import KIND_BY_DEPTH

    department_ids = _create_departments(actor, plan, KIND_BY_DEPTH)
    current = _current_values(
        [plan.lookups.employees[c.employee_number]["id"] for c in plan.updates]
    )
    _release_changing_emails(plan, current)
    ids = {number: known["id"] for number, known in plan.lookups.employees.items()}
    ids.update({number: known[0] for number, known in plan.lookups.managers.items()})
    created = _create_employees(plan, department_ids, ids, on_progress)
    updated = _update_employees(plan, department_ids, ids, current, on_progress)
    if created or updated:
        lines.refresh_all()  # new people and new managers change reporting lines
    audit.record_many(
        actor,
        "employee.created",
        (
            audit.Recorded("Employee", row["id"], _label(row), after=_snapshot(row))
            for row in created
        ),
        reason=REASON,
    )
    audit.record_many(
        actor,
        "employee.updated",
        (
            audit.Recorded("Employee", row["id"], _label(row), before=old, after=new)
            for row in updated
            for old, new in [audit.changed(_snapshot(current[row["id"]]), _snapshot(row))]
            if new
        ),
        reason=REASON,
    )
    _forget_loaded_employees({row["id"] for row in updated})


def _create_departments(actor: User | None, plan: RosterPlan, kinds: list) -> dict[str, int]:
    """The plan's new departments, a level at a time so each parent exists before its units."""
    ids = dict(plan.lookups.departments)
    by_depth: dict[int, list[str]] = {}
    for path in plan.new_departments:
        by_depth.setdefault(path.count(PATH_SEPARATOR), []).append(path)
    for depth in sorted(by_depth):
        rows = [
            {
                "name": path.rsplit(PATH_SEPARATOR, 1)[-1],
                "kind": kinds[depth],
                "parent_id": ids[path.rsplit(PATH_SEPARATOR, 1)[0]] if depth else None,
                "path": path,
            }
            for path in by_depth[depth]
        ]
        table = Department.__table__
        inserted = db.session.execute(sa.insert(table).returning(table.c.id, table.c.path), rows)
        ids.update((path, department_id) for department_id, path in inserted)
    audit.record_many(
        actor,
        "department.created",
        (
            audit.Recorded("Department", ids[path], path, after={"path": path})
            for path in plan.new_departments
        ),
    )
    return ids


def _current_values(employee_ids: list[int]) -> dict[int, dict]:
    """The written columns of the employees an import changes, by id (no ORM objects)."""
    from people.roster import LOOKUP_CHUNK

    columns = [EMPLOYEE.c.id, *(EMPLOYEE.c[name] for name in WRITTEN)]
    found: dict[int, dict] = {}
    for start in range(0, len(employee_ids), LOOKUP_CHUNK):
        chunk = employee_ids[start : start + LOOKUP_CHUNK]
        stmt = sa.select(*columns).where(querying.among(EMPLOYEE.c.id, chunk))
        found.update((row.id, dict(row._mapping)) for row in db.session.execute(stmt))
    return found


def _release_changing_emails(plan: RosterPlan, current: dict[int, dict]) -> None:
    """Clear the emails another row of the file takes, so two employees can swap or pass on
    an address (a unique index is checked row by row, even within one UPDATE).

    Only those: rewriting a row costs an index entry in every index of the table.
    """
    taken = {row.email for row in plan.rows.values()}
    bulk.update_rows(
        EMPLOYEE,
        [
            {"id": employee_id, "email": None}
            for employee_id, values in current.items()
            if values["email"] in taken
            and plan.rows[values["employee_number"]].email != values["email"]
        ],
    )


def _values(plan: RosterPlan, row: RosterRow, department_ids: dict[str, int]) -> dict:
    return {
        "employee_number": row.employee_number,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "email": row.email,
        "department_id": department_ids[row.department_path],
        "bargaining_unit_id": plan.lookups.bargaining_units.get(row.bargaining_unit),
        "job_profile_id": plan.lookups.job_profiles.get(row.job_profile),
        "hire_date": row.hire_date,
    }


def _create_employees(
    plan: RosterPlan, department_ids: dict[str, int], ids: dict[str, int], on_progress: Progress
) -> list[dict]:
    """Insert the new employees with their managers, and return their rows with ids.

    On PostgreSQL the ids are drawn first, so every row names its manager as it is written
    (one COPY; its foreign keys are checked when it ends). Elsewhere the rows are inserted
    with the managers already known, and those in the file are set by one executemany UPDATE.
    """
    rows = []
    for change in plan.creates:
        row = plan.rows[change.employee_number]
        values = _values(plan, row, department_ids)
        values["status"] = row.status or EmployeeStatus.ACTIVE
        rows.append(values)
    reserved = bulk.reserve_ids(EMPLOYEE, len(rows))
    if reserved is not None:
        for values, employee_id in zip(rows, reserved, strict=True):
            values["id"] = employee_id
            ids[values["employee_number"]] = employee_id
        for values in rows:
            values["manager_id"] = _manager_id(plan, values["employee_number"], ids)
        bulk.insert_rows(EMPLOYEE, rows, on_progress)
        return rows
    for values in rows:
        values["manager_id"] = _manager_id(plan, values["employee_number"], ids, missing=None)
    bulk.insert_rows(EMPLOYEE, rows, on_progress)
    numbers = [values["employee_number"] for values in rows]
    ids.update(_ids_by_number(numbers))
    wiring = []
    for values in rows:
        values["id"] = ids[values["employee_number"]]
        if values["manager_id"] is None and plan.rows[values["employee_number"]].manager_number:
            values["manager_id"] = _manager_id(plan, values["employee_number"], ids)
            wiring.append({"row_id": values["id"], "new_manager": values["manager_id"]})
    if wiring:
        db.session.execute(
            sa.update(EMPLOYEE)
            .where(EMPLOYEE.c.id == sa.bindparam("row_id"))
            .values(manager_id=sa.bindparam("new_manager")),
            wiring,
        )
    return rows


_REQUIRED = object()


def _manager_id(plan: RosterPlan, number: str, ids: dict[str, int], missing=_REQUIRED):
    manager = plan.rows[number].manager_number
    if not manager:
        return None
    if manager in ids:
        return ids[manager]
    if missing is _REQUIRED:
        raise KeyError(manager)
    return missing


def _ids_by_number(numbers: list[str]) -> dict[str, int]:
    from people.roster import LOOKUP_CHUNK

    found: dict[str, int] = {}
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[start : start + LOOKUP_CHUNK]
        stmt = sa.select(EMPLOYEE.c.employee_number, EMPLOYEE.c.id).where(
            querying.among(EMPLOYEE.c.employee_number, chunk)
        )
        found.update((number, employee_id) for number, employee_id in db.session.execute(stmt))
    return found


def _update_employees(
    plan: RosterPlan,
    department_ids: dict[str, int],
    ids: dict[str, int],
    current: dict[int, dict],
    on_progress: Progress,
) -> list[dict]:
    """Write every changed employee's new values in one executemany UPDATE; return them."""
    rows = []
    for employee_id, old in current.items():
        row = plan.rows[old["employee_number"]]
        values = _values(plan, row, department_ids)
        values["manager_id"] = _manager_id(plan, row.employee_number, ids)
        values["status"] = row.status or old["status"]
        values["id"] = employee_id
        rows.append(values)
    columns = ["id", *(name for name in WRITTEN if name != "employee_number")]
    bulk.update_rows(EMPLOYEE, [{name: values[name] for name in columns} for values in rows])
    if on_progress is not None and rows:
        on_progress(len(rows))
    return rows


def _snapshot(values: dict) -> dict:
    return {name: values[name] for name in WRITTEN}


def _label(values: dict) -> str:
    # The label audit.record gives an Employee: str(employee).
    return f"{values['first_name']} {values['last_name']} ({values['employee_number']})"


def _forget_loaded_employees(employee_ids: set[int]) -> None:
    """Expire changed employees the session already holds, so it reads what was written."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Employee) and obj.id in employee_ids:
            db.session.expire(obj)
