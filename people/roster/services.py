"""Roster import, write side: a checked plan written set by set, never object by object.

`people.services.import_roster` checks the plan and calls `write_plan`. A roster can hold a
city's whole workforce (300,000 rows and more), so the write works from the file's staged
rows in the database (`people.roster.staging`): new departments are inserted a level at a
time, new employees by one INSERT ... SELECT, changed ones by one UPDATE ... FROM, and the
audit events go in as bulk inserts a few thousand at a time. Nothing loads an ORM object or
holds a Python object per row. It all happens in the caller's transaction: any failure rolls
back everything, so an import is whole or absent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import sqlalchemy as sa

from civicladder import audit
from civicladder.db import db
from civicladder.models import User
from people import lines, membership
from people.models import EMPLOYEE_FIELDS, PATH_SEPARATOR, Department, Employee, EmployeeStatus
from people.roster import staging
from people.roster.rules import RosterPlan

Progress = Callable[[int], None] | None
REASON = "Roster import"
EMPLOYEE = Employee.__table__
STAGED = staging.STAGED
CURRENT = staging.CURRENT
# Rows read back at a time to write their audit events.
AUDIT_CHUNK = 10_000


def write_plan(actor: User | None, plan: RosterPlan, on_progress: Progress = None) -> None:
    """Create the plan's departments, create and update its employees, and audit each one.

    Sets the plan's `created_ids` (the new employees), `separated_ids` and `moved_ids`: the
    existing employees it separated, and those whose department or manager it changed."""
    from people.services import KIND_BY_DEPTH

    if not staging.holds(plan.staged):
        raise RuntimeError("This plan's file is no longer staged; plan the file again.")
    _create_departments(actor, plan, KIND_BY_DEPTH)
    created = staging.number_new_rows()
    # The plan was made from these staged rows in this transaction: where it found nothing to
    # change, a re-import of the same file, the comparison is not made again.
    updating = len(plan.updates) > 0
    if created:
        plan.created_ids = _audit_creates(actor)
    if updating:
        plan.separated_ids, plan.moved_ids = _audit_updates(actor)
        _release_changing_emails()
    if created:
        _insert_new_employees()
        if on_progress is not None:
            on_progress(created)
    if updating:
        updated = _update_changed_employees()
        if on_progress is not None and updated:
            on_progress(updated)
    if created or updating:
        lines.refresh_all()  # new people and new managers change reporting lines
        membership.follow(_named_employees())
    _forget_loaded_employees()


def _create_departments(actor: User | None, plan: RosterPlan, kinds: list) -> None:
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


NEW = staging.NEW
_CREATED = NEW.c.id.is_not(None)
# Employees that existed before the write and change (new ones match their rows once written).
_UPDATED = sa.and_(STAGED.c.ok, NEW.c.id.is_(None), ~staging.IS_NEW, staging.CHANGED)


def _in_chunks(stmt: sa.Select) -> Iterator[list]:
    """The rows of a statement over the staged rows in file order, a chunk at a time.

    One statement read through a server-side cursor, so it is planned and joined once; the
    audit events of a chunk are written between two fetches."""
    yield from staging.stream(stmt.order_by(STAGED.c.line), AUDIT_CHUNK)


def _audit_creates(actor: User | None) -> list[int]:
    """Audit each new employee; their ids."""
    written = [value.label(name) for name, value in staging.WRITTEN.items()]
    stmt = (
        sa.select(STAGED.c.line, NEW.c.id.label("new_id"), *written)
        .select_from(staging.RESOLVED)
        .where(_CREATED)
    )
    created: list[int] = []
    for rows in _in_chunks(stmt):
        created.extend(row.new_id for row in rows)
        audit.record_many(
            actor,
            "employee.created",
            (
                audit.Recorded("Employee", row.new_id, _label(row), after=_snapshot(row))
                for row in rows
            ),
            reason=REASON,
        )
    return created


def _audit_updates(actor: User | None) -> tuple[list[int], list[int]]:
    """Audit each changed employee's changed columns; (separated ids, moved ids)."""
    written = [value.label(name) for name, value in staging.WRITTEN.items()]
    before = [CURRENT.c[name].label(f"before_{name}") for name in EMPLOYEE_FIELDS]
    stmt = (
        sa.select(STAGED.c.line, CURRENT.c.id.label("employee_id"), *written, *before)
        .select_from(staging.RESOLVED)
        .where(_UPDATED)
    )
    separated: list[int] = []
    moved: list[int] = []
    for rows in _in_chunks(stmt):
        events = []
        for row in rows:
            old, new = audit.changed(_snapshot(row, "before_"), _snapshot(row))
            if not new:
                continue
            events.append(
                audit.Recorded("Employee", row.employee_id, _label(row), before=old, after=new)
            )
            if new.get("status") == EmployeeStatus.SEPARATED:
                separated.append(row.employee_id)
            if {"department_id", "manager_id", "job_profile_id"} & new.keys():
                moved.append(row.employee_id)
        audit.record_many(actor, "employee.updated", events, reason=REASON)
    return separated, moved


def _release_changing_emails() -> None:
    """Clear the emails another row of the file takes, so two employees can swap or pass on
    an address (a unique index is checked row by row, even within one UPDATE).

    Only those: rewriting a row costs an index entry in every index of the table.
    """
    taken = sa.select(STAGED.c.email).where(STAGED.c.email.is_not(None))
    giving_up = (
        sa.select(CURRENT.c.id)
        .select_from(STAGED.join(CURRENT, CURRENT.c.employee_number == STAGED.c.employee_number))
        .where(
            STAGED.c.ok,
            CURRENT.c.email.is_not(None),
            CURRENT.c.email != STAGED.c.email,
            CURRENT.c.email.in_(taken),
        )
    )
    db.session.execute(sa.update(EMPLOYEE).where(EMPLOYEE.c.id.in_(giving_up)).values(email=None))


def _insert_new_employees() -> None:
    paths = staging.new_line_paths()
    names = ["id", *staging.WRITTEN, "line_path"]
    rows = (
        sa.select(NEW.c.id, *staging.WRITTEN.values(), paths.c.path)
        .select_from(staging.RESOLVED.outerjoin(paths, paths.c.line == STAGED.c.line))
        .where(_CREATED)
    )
    db.session.execute(sa.insert(EMPLOYEE).from_select(names, rows))


def _update_changed_employees() -> int:
    columns = [name for name in staging.WRITTEN if name != "employee_number"]
    changes = (
        sa.select(
            CURRENT.c.id.label("target_id"),
            *(staging.WRITTEN[name].label(name) for name in columns),
        )
        .select_from(staging.RESOLVED)
        .where(_UPDATED)
        .subquery("changes")
    )
    stmt = (
        sa.update(EMPLOYEE)
        .where(EMPLOYEE.c.id == changes.c.target_id)
        .values({name: changes.c[name] for name in columns})
    )
    return db.session.execute(stmt).rowcount


def _named_employees() -> sa.Select:
    """The employees the file's rows name: the membership history follows their records."""
    named = sa.select(STAGED.c.employee_number).where(STAGED.c.ok)
    return sa.select(EMPLOYEE.c.id).where(EMPLOYEE.c.employee_number.in_(named))


def _snapshot(row, prefix: str = "") -> dict:
    values = row._mapping
    snapshot = {name: values[prefix + name] for name in EMPLOYEE_FIELDS}
    snapshot["status"] = EmployeeStatus(snapshot["status"])
    return snapshot


def _label(row) -> str:
    # The label audit.record gives an Employee: str(employee).
    return f"{row.first_name} {row.last_name} ({row.employee_number})"


def _forget_loaded_employees() -> None:
    """Expire the employees the session already holds, so it reads what was written."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Employee):
            db.session.expire(obj)
