"""Roster import, read side: check a roster against itself and the workforce, and plan it.

Nothing here changes the workforce. `plan_import` streams the file (`plan_rows`: a list of
objects with the file's columns, from the API) into the session's staged
copy (`people.roster.staging`), checking each row as it passes, then finds duplicates,
unknown references and the employees it creates or changes with set-based queries over that
copy: a fixed number of statements whatever the file's size, and no Python object per row
beyond the map of who reports to whom that the cycle check walks. `people.services.import_roster`
writes a plan, and only a plan without problems.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from functools import partial

import sqlalchemy as sa
from flask_babel import gettext

from civicladder import querying
from civicladder.db import db
from people.models import BargainingUnit, Department, Employee, EmployeeStatus, JobProfile
from people.roster import staging
from people.roster.reading import RosterRow, read_object, read_records, read_row
from people.roster.rules import (
    BATCH,
    CHANGES_KEPT,
    CYCLE,
    DUPLICATE_EMAIL,
    DUPLICATE_NUMBER,
    FIELD_LABELS,
    FILE,
    LOOKUP_CHUNK,
    REFERENCE,
    ROW,
    Change,
    Changes,
    Fingerprint,
    Lookups,
    RosterPlan,
    RowError,
    Source,
    change_of,
    cycle_errors,
    duplicate_errors,
    email_taken,
    path_prefixes,
    unknown_bargaining_unit,
    unknown_job_profile,
    unknown_manager,
)

STAGED = staging.STAGED
# A preview lists at most this many changes, problems and new departments; its counts always
# cover the whole file.
PREVIEW_ROWS = 500


class _Reading:
    """What the checks need from the rows as they stream past: their problems, who reports
    to whom (first row of each number) and the departments named."""

    def __init__(self):
        self.errors: list[tuple[int, RowError]] = []
        self.managers: dict[str, str | None] = {}
        self.paths: set[str] = set()

    def rows(self, checked: Iterable[tuple[RosterRow, list[RowError]]]) -> Iterator:
        """The rows to stage, from each row as read and checked on its own, with its problems."""
        for row, problems in checked:
            line = row.line
            self.errors.extend((ROW, problem) for problem in problems)
            if row.employee_number and row.employee_number not in self.managers:
                self.managers[row.employee_number] = row.manager_number
            if row.department_path:
                self.paths.add(row.department_path)
            yield (
                line,
                row.employee_number,
                row.first_name,
                row.last_name,
                row.email,
                row.department_path,
                row.manager_number,
                row.bargaining_unit,
                row.job_profile,
                row.hire_date,
                row.status.value if row.status else None,
                not problems,
            )


def plan_import(data: bytes) -> RosterPlan:
    """Read and check a roster file and work out what importing it would change."""
    header, records = read_records(data)
    checked = (read_row(line, header, values) for line, values in records)
    return _plan(checked, hashlib.sha256(data).hexdigest(), FILE)


def plan_rows(items: Sequence) -> RosterPlan:
    """Check employees given as objects with the file's columns (the API's bulk upsert) as a
    file's rows are, and work out what writing them would change. Item i is line i + 1 of
    the plan (its errors name it so); the digest is of the items as canonical JSON."""
    checked = (read_object(index + 1, item) for index, item in enumerate(items))
    canonical = json.dumps(list(items), sort_keys=True, separators=(",", ":"), default=str)
    return _plan(checked, hashlib.sha256(canonical.encode()).hexdigest(), BATCH)


def _plan(
    checked: Iterable[tuple[RosterRow, list[RowError]]], sha256: str, source: Source
) -> RosterPlan:
    """Stage the rows as they are checked, then check them against each other and the
    workforce, and compare them with the employees they name."""
    reading = _Reading()
    token, row_count = staging.load(reading.rows(checked))
    errors = reading.errors
    numbers = _duplicates(
        STAGED.c.employee_number, gettext("Employee number"), "employee_number", source
    )
    errors.extend((DUPLICATE_NUMBER, e) for e in numbers)
    emails = _duplicates(STAGED.c.email, gettext("Email"), "email", source)
    errors.extend((DUPLICATE_EMAIL, e) for e in emails)
    errors.extend((REFERENCE, e) for e in _reference_errors(source))
    lookups = Lookups()
    outside = {m for m in reading.managers.values() if m and m not in reading.managers}
    lookups.managers = _manager_chains(outside)
    errors.extend((CYCLE, e) for e in _cycle_errors(reading.managers, lookups))
    reading.managers = {}  # a workforce's worth of numbers, no longer needed
    paths = {prefix for path in reading.paths for prefix in path_prefixes(path)}
    lookups.departments = _pairs(Department.path, Department.id, paths)
    errors.sort(key=lambda pair: (pair[1].line, pair[0]))
    staging.mark_bad(e.line for kind, e in errors if kind != ROW)
    plan = RosterPlan(
        sha256=sha256,
        row_count=row_count,
        lookups=lookups,
        errors=[error for _, error in errors],
        new_departments=sorted(paths - lookups.departments.keys()),
        staged=token,
    )
    _compare(plan)
    return plan


def _duplicates(column, label: str, field: str, source: Source) -> Iterator[RowError]:
    repeated = (
        sa.select(column).where(column.is_not(None)).group_by(column).having(sa.func.count() > 1)
    )
    stmt = (
        sa.select(STAGED.c.line, column, STAGED.c.employee_number)
        .where(column.in_(repeated))
        .order_by(STAGED.c.line)
    )
    entries = ((line, value, number or "") for line, value, number in db.session.execute(stmt))
    return duplicate_errors(entries, label, field, source)


def _reference_errors(source: Source) -> Iterator[RowError]:
    """Codes, managers and emails the rows name that do not exist or belong to someone else."""
    s = STAGED
    number = sa.func.coalesce(s.c.employee_number, "")
    units = (
        sa.select(s.c.line, number, s.c.bargaining_unit)
        .where(s.c.bargaining_unit.is_not(None))
        .where(~sa.exists().where(BargainingUnit.code == s.c.bargaining_unit))
    )
    profiles = (
        sa.select(s.c.line, number, s.c.job_profile)
        .where(s.c.job_profile.is_not(None))
        .where(~sa.exists().where(JobProfile.code == s.c.job_profile))
    )
    in_file = STAGED.alias("in_file")
    managers = (
        sa.select(s.c.line, number, s.c.manager_number)
        .where(s.c.manager_number.is_not(None))
        .where(~sa.exists().where(in_file.c.employee_number == s.c.manager_number))
        .where(~sa.exists().where(Employee.employee_number == s.c.manager_number))
    )
    owner = Employee.__table__.alias("owner")
    emails = (
        sa.select(s.c.line, number, s.c.email, owner.c.employee_number)
        .join(owner, owner.c.email == s.c.email)
        .where(owner.c.employee_number != number)
        .where(~sa.exists().where(in_file.c.employee_number == owner.c.employee_number))
    )
    found: list[tuple[int, int, RowError]] = []
    for order, (stmt, message) in enumerate(
        [
            (units, unknown_bargaining_unit),
            (profiles, unknown_job_profile),
            (managers, partial(unknown_manager, source=source)),
            (emails, email_taken),
        ]
    ):
        found.extend((row[0], order, message(*row)) for row in db.session.execute(stmt))
    found.sort(key=lambda item: item[:2])
    return (error for _, _, error in found)


def _cycle_errors(managers: dict[str, str | None], lookups: Lookups) -> list[RowError]:
    loops = dict(cycle_errors(managers, lookups))
    if not loops:
        return []
    first_line = sa.func.min(STAGED.c.line)
    stmt = (
        sa.select(STAGED.c.employee_number, first_line)
        .where(querying.among(STAGED.c.employee_number, sorted(loops)))
        .group_by(STAGED.c.employee_number)
    )
    return [
        RowError(line, loops[number], number, "manager_employee_number")
        for number, line in db.session.execute(stmt)
    ]


def _compare(plan: RosterPlan) -> None:
    """Count the rows that create, change and leave employees as they are, keep the first
    changes to show, and digest them all (fingerprint)."""
    s = STAGED
    counts = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.sum(sa.case((staging.IS_NEW, 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(~staging.IS_NEW, staging.CHANGED), 1), else_=0)),
        )
        .select_from(staging.COMPARED)
        .where(s.c.ok)
    ).one()
    total, creates, updates = counts[0], counts[1] or 0, counts[2] or 0
    plan.unchanged = total - creates - updates
    first_creates: list[Change] = []
    first_updates: list[Change] = []
    fingerprint = Fingerprint()
    stmt = (
        sa.select(
            s.c.line,
            s.c.employee_number,
            s.c.first_name,
            s.c.last_name,
            staging.IS_NEW.label("is_new"),
            *(before.label(f"before_{key}") for key, (before, _) in staging.FIELDS.items()),
            *(after.label(f"after_{key}") for key, (_, after) in staging.FIELDS.items()),
        )
        .select_from(staging.COMPARED)
        .where(s.c.ok, sa.or_(staging.IS_NEW, staging.CHANGED))
        .order_by(s.c.line)
    )
    for rows in staging.stream(stmt, 5000):
        for row in rows:
            fingerprint.add(row)
            kept = first_creates if row.is_new else first_updates
            if len(kept) < CHANGES_KEPT and (change := _change(row)) is not None:
                kept.append(change)
    plan.creates = Changes(creates, first_creates)
    plan.updates = Changes(updates, first_updates)
    plan.fingerprint = fingerprint.finish(plan.new_departments)


def _change(row) -> Change | None:
    values = row._mapping
    after = {key: _shown(values[f"after_{key}"]) for key in FIELD_LABELS}
    before = None if row.is_new else {k: _shown(values[f"before_{k}"]) for k in FIELD_LABELS}
    name = f"{row.first_name} {row.last_name}"
    return change_of(row.line, row.employee_number, name, before, after)


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, EmployeeStatus):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        yield ordered[start : start + LOOKUP_CHUNK]


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


def preview(data: bytes, limit: int = PREVIEW_ROWS) -> dict:
    """What importing the file would change, as kept for its preview page: the counts, the
    first `limit` changes and problems, and the digests a commit must match."""
    plan = plan_import(data)
    return {
        "ok": plan.ok,
        "sha256": plan.sha256,
        "fingerprint": plan.fingerprint,
        "row_count": plan.row_count,
        "creates": len(plan.creates),
        "updates": len(plan.updates),
        "unchanged": plan.unchanged,
        "change_count": plan.change_count,
        "new_departments": plan.new_departments[:limit],
        "new_department_count": len(plan.new_departments),
        "error_lines": plan.error_lines,
        "error_count": len(plan.errors),
        "errors": [
            {"line": e.line, "employee_number": e.employee_number, "message": e.message}
            for e in plan.errors[:limit]
        ],
        "changes": [
            {
                "line": c.line,
                "employee_number": c.employee_number,
                "name": c.name,
                "is_new": c.is_new,
                "before": c.before,
                "after": c.after,
            }
            for c in plan.first_changes(limit)
        ],
    }
