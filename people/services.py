"""People state changes: departments, bargaining units, employees, union reps' units, rosters."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_decimal, gettext, ngettext

from civicladder import audit, notify
from civicladder import services as shell_services
from civicladder.access import Role, require_role
from civicladder.db import db, locked_get, take_turns
from civicladder.errors import Conflict, Invalid
from civicladder.models import User
from people import lines, membership, signals
from people.models import (
    EMPLOYEE_FIELDS,
    PATH_SEPARATOR,
    BargainingUnit,
    Department,
    DepartmentKind,
    Employee,
    EmployeeStatus,
    UnionRepUnit,
)

if TYPE_CHECKING:
    from people.roster import RosterPlan

# Roster writes (a file, the API's batches) take turns: each plans from what the last committed.
ROSTER_WRITES = "roster import"
KIND_BY_DEPTH = [DepartmentKind.AGENCY, DepartmentKind.DIVISION, DepartmentKind.UNIT]


def split_path(path: str) -> list[str]:
    parts = [part.strip() for part in (path or "").replace("/", ">").split(">")]
    parts = [part for part in parts if part]
    if not parts:
        raise Invalid(
            gettext("A department path needs at least one name, like 'Parks > Forestry'.")
        )
    if len(parts) > len(KIND_BY_DEPTH):
        raise Invalid(
            gettext("A department path has at most three levels: agency > division > unit.")
        )
    return parts


def ensure_department(actor: User | None, path: str) -> Department:
    """The department at this path, creating it and any missing parents."""
    require_role(actor, Role.HR)
    parts = split_path(path)
    parent: Department | None = None
    for depth, name in enumerate(parts):
        full_path = PATH_SEPARATOR.join(parts[: depth + 1])
        department = db.session.scalar(sa.select(Department).where(Department.path == full_path))
        if department is None:
            department = Department(
                name=name,
                kind=KIND_BY_DEPTH[depth],
                parent_id=parent.id if parent else None,
                path=full_path,
            )
            db.session.add(department)
            db.session.flush()
            audit.record(actor, "department.created", department, after={"path": full_path})
        parent = department
    assert parent is not None
    return parent


def create_bargaining_unit(actor: User | None, code: str, name: str) -> BargainingUnit:
    require_role(actor, Role.HR)
    code = code.strip()
    if db.session.scalar(sa.select(BargainingUnit.id).where(BargainingUnit.code == code)):
        raise Conflict(gettext("A bargaining unit with code %(code)s already exists.", code=code))
    unit = BargainingUnit(code=code, name=name.strip())
    db.session.add(unit)
    db.session.flush()
    audit.record(actor, "bargaining_unit.created", unit, after={"code": code, "name": unit.name})
    return unit


def create_employee(
    actor: User | None,
    *,
    employee_number: str,
    first_name: str,
    last_name: str,
    department: Department,
    hire_date: date,
    email: str | None = None,
    manager: Employee | None = None,
    bargaining_unit: BargainingUnit | None = None,
    job_profile_id: int | None = None,
    status: EmployeeStatus = EmployeeStatus.ACTIVE,
) -> Employee:
    require_role(actor, Role.HR)
    employee_number = employee_number.strip()
    if db.session.scalar(sa.select(Employee.id).where(Employee.employee_number == employee_number)):
        raise Conflict(
            gettext("Employee number %(number)s is already in use.", number=employee_number)
        )
    employee = Employee(
        employee_number=employee_number,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip().lower() if email else None,
        department_id=department.id,
        manager_id=manager.id if manager else None,
        bargaining_unit_id=bargaining_unit.id if bargaining_unit else None,
        job_profile_id=job_profile_id,
        hire_date=hire_date,
        status=status,
    )
    db.session.add(employee)
    db.session.flush()
    lines.set_path(employee, manager)
    membership.follow([employee.id])
    audit.record(
        actor, "employee.created", employee, after=audit.snapshot(employee, EMPLOYEE_FIELDS)
    )
    signals.employee_added.send(actor, employee_ids=[employee.id])
    return employee


def update_employee(
    actor: User,
    employee: Employee,
    *,
    department: Department,
    manager: Employee | None,
    bargaining_unit: BargainingUnit | None,
    job_profile_id: int | None,
    status: EmployeeStatus,
    reason: str,
    effective_on: date | None = None,
) -> Employee:
    """HR changes an employee's placement: department, manager, unit, job profile, status.

    The roster import's rules hold: nobody manages themselves, and no chain of managers loops
    back on itself. Reporting lines follow a new manager in the same transaction, and the
    membership history a new unit, department or status, from `effective_on` (today unless
    given).
    """
    require_role(actor, Role.HR, system_may=False)
    if not reason or not reason.strip():
        raise Invalid(
            gettext("Give a reason for the change: it is kept in the audit log."), field="reason"
        )
    employee = locked_get(Employee, employee.id, gettext("There is no such employee."))
    if manager is not None:
        _check_no_manager_cycle(employee, manager)
    before = audit.snapshot(employee, EMPLOYEE_FIELDS)
    employee.department_id = department.id
    employee.manager_id = manager.id if manager is not None else None
    employee.bargaining_unit_id = bargaining_unit.id if bargaining_unit is not None else None
    employee.job_profile_id = job_profile_id
    employee.status = status
    db.session.flush()
    old, new = audit.changed(before, audit.snapshot(employee, EMPLOYEE_FIELDS))
    if not new:
        return employee
    if "manager_id" in new:
        lines.refresh_all()
    if set(membership.PLACEMENT) & set(new):
        membership.follow([employee.id], effective_on)
    audit.record(actor, "employee.updated", employee, before=old, after=new, reason=reason.strip())
    if new.get("status") == EmployeeStatus.SEPARATED.value:
        signals.employee_separated.send(actor, employee_ids=[employee.id])
    if {"department_id", "manager_id", "job_profile_id"} & set(new):
        signals.employee_moved.send(actor, employee_ids=[employee.id])
    return employee


def _check_no_manager_cycle(employee: Employee, manager: Employee) -> None:
    if manager.id == employee.id:
        raise Invalid(
            gettext("%(name)s cannot be their own manager.", name=employee.full_name),
            field="manager",
        )
    # The manager's line path lists their chain from the top: a loop would pass through here.
    chain = (lines.path_of(manager.id) or "").strip(lines.SEPARATOR).split(lines.SEPARATOR)
    if str(employee.id) in chain:
        raise Invalid(
            gettext(
                "%(manager)s reports to %(name)s, directly or through others, so cannot be "
                "their manager.",
                manager=manager.full_name,
                name=employee.full_name,
            ),
            field="manager",
        )


def link_account(actor: User | None, user: User, employee: Employee | None) -> User:
    """Link a user account to an employee record (or unlink it with None).

    The link lets the person see their own profile and, as a manager, their reporting line.
    One account per employee and one employee per account. HR links only the accounts it
    invites (a plain employee account, never used).
    """
    if actor is not None and not shell_services.is_unused_employee_account(user):
        require_role(actor, Role.ADMIN)
    else:
        require_role(actor, Role.ADMIN, Role.HR)
    from people import queries

    current_id = queries.own_employee_id(user)
    wanted_id = employee.id if employee is not None else None
    if current_id == wanted_id:
        return user
    if employee is not None and employee.user_id is not None:
        raise Conflict(
            gettext("%(name)s already has a user account.", name=employee.full_name),
            field="employee_number",
        )
    if current_id is not None:
        db.session.execute(
            sa.update(Employee).where(Employee.id == current_id).values(user_id=None)
        )
    if employee is not None:
        employee.user_id = user.id
    db.session.flush()
    queries.forget_own_employee()
    audit.record(
        actor,
        "user.employee_linked" if employee is not None else "user.employee_unlinked",
        user,
        before={"employee_id": current_id},
        after={"employee_id": wanted_id},
        label=user.email,
    )
    return user


def invite_user(
    actor: User,
    *,
    email: str,
    full_name: str,
    roles: set[Role],
    employee: Employee | None,
    link_for: Callable[[str], str],
) -> tuple[User, str]:
    """Create an account, link it to its employee record and email its one-time link.

    `link_for` turns the one-time token into the address to send. Returns the account and the
    link, which the administrator sees once; only the email keeps it after this request.
    """
    user = shell_services.create_user(actor, email=email, full_name=full_name, roles=roles)
    if employee is not None:
        link_account(actor, user, employee)
    link = link_for(shell_services.issue_reset_link(actor, user))
    notify.email(user.email, "You are invited to CivicLadder", _invitation_text(user, link))
    return user, link


def invite_employees(
    actor: User, employees: list[Employee], link_for: Callable[[str], str]
) -> list[User]:
    """HR's bulk invitation: an employee account for each imported employee with an email and
    no account, linked to their record, each emailed a one-time link."""
    require_role(actor, Role.HR, system_may=False)
    invited = []
    for employee in employees:
        if employee.user_id is not None or not employee.email:
            continue
        user, _ = invite_user(
            actor,
            email=employee.email,
            full_name=employee.full_name,
            roles={Role.EMPLOYEE},
            employee=employee,
            link_for=link_for,
        )
        invited.append(user)
    return invited


def _invitation_text(user: User, link: str) -> str:
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    return (
        f"Hello {user.full_name},\n\n"
        "An account has been made for you in CivicLadder, where you can see your competencies, "
        "what your job needs and how to grow.\n\n"
        f"Choose your password through this link within {hours} hours (it works once):\n"
        f"{link}\n\n"
        "If the link has expired, ask your administrator for a new one."
    )


def set_rep_units(actor: User, rep: User, unit_ids: set[int]) -> User:
    """Set which bargaining units a union representative reads reports for."""
    require_role(actor, Role.ADMIN)
    # Of two identical changes at once, the second waits here and then finds nothing to do.
    rep = locked_get(User, rep.id, gettext("There is no such user."))
    if unit_ids and not rep.has_role(Role.UNION_REP):
        raise Invalid(
            gettext("Give the person the union representative role before assigning units.")
        )
    known = set(
        db.session.scalars(sa.select(BargainingUnit.id).where(BargainingUnit.id.in_(unit_ids)))
    )
    if known != unit_ids:
        raise Invalid(gettext("One of the chosen bargaining units does not exist."))
    current = set(
        db.session.scalars(
            sa.select(UnionRepUnit.bargaining_unit_id).where(UnionRepUnit.user_id == rep.id)
        )
    )
    if current == unit_ids:
        return rep
    db.session.execute(
        sa.delete(UnionRepUnit).where(
            UnionRepUnit.user_id == rep.id, UnionRepUnit.bargaining_unit_id.in_(current - unit_ids)
        )
    )
    db.session.add_all(
        UnionRepUnit(user_id=rep.id, bargaining_unit_id=unit_id) for unit_id in unit_ids - current
    )
    db.session.flush()
    audit.record(
        actor,
        "user.bargaining_units_changed",
        rep,
        before={"bargaining_units": sorted(current)},
        after={"bargaining_units": sorted(unit_ids)},
        label=rep.email,
    )
    return rep


# --- roster import --------------------------------------------------------------------------


def import_roster(
    actor: User | None,
    data: bytes,
    *,
    expected_sha256: str | None = None,
    expected_fingerprint: str | None = None,
    filename: str = "",
    on_progress: Callable[[int], None] | None = None,
    plan: RosterPlan | None = None,
) -> RosterPlan:
    """Import a roster file whole or not at all: check it again, then create and update.

    Raises RosterRejected (an Invalid) listing every row problem before anything is written,
    and Conflict when the file or the changes it makes differ from what was previewed.
    Records one audit event per created or changed employee and one "roster.imported"
    summary, also when nothing changed, so every import leaves a trail. Does not commit.

    `plan`: the plan of this very file made earlier in the same transaction (the command
    line checks once, inside its write transaction); without it the file is checked here,
    as a preview shown in an earlier request may be out of date.
    """
    from people import roster

    require_role(actor, Role.HR)
    take_turns(ROSTER_WRITES)
    stale = plan is None or not roster.is_staged(plan.staged)
    if stale or plan.sha256 != hashlib.sha256(data).hexdigest():
        plan = roster.plan_import(data)
    if expected_sha256 is not None and plan.sha256 != expected_sha256:
        raise Conflict(gettext("This is not the file you previewed. Upload it again."))
    if not plan.ok:
        raise roster.RosterRejected(plan)
    if expected_fingerprint is not None and plan.fingerprint != expected_fingerprint:
        raise Conflict(
            gettext(
                "The workforce records changed after you previewed this file, so the import "
                "would now make different changes. Upload the file again to see them."
            )
        )
    _write_roster(
        actor, plan, on_progress, {"file": filename}, f"Roster {filename or plan.sha256[:12]}"
    )
    return plan


def upsert_employees(
    actor: User | None, items: Sequence, *, on_progress: Callable[[int], None] | None = None
) -> RosterPlan:
    """Add and change employees given as objects with the roster file's columns (another
    system's roster, sent through the API), by the roster import's rules and write, whole or
    not at all: raises RosterRejected (an Invalid) listing every problem, each naming its item
    (line i + 1 is item i) and column, before anything is written. Audited as an import is,
    its summary naming no file. Does not commit."""
    from people import roster

    require_role(actor, Role.HR)
    take_turns(ROSTER_WRITES)
    plan = roster.plan_rows(items)
    if not plan.ok:
        raise roster.RosterRejected(plan)
    _write_roster(actor, plan, on_progress, {"file": None}, f"Roster of {plan.row_count:,} rows")
    return plan


def _write_roster(
    actor: User | None,
    plan: RosterPlan,
    on_progress: Callable[[int], None] | None,
    source: dict,
    label: str,
) -> None:
    """Write a checked plan, tell the packages above, and record the import's summary."""
    from people.roster import services as roster_writes

    roster_writes.write_plan(actor, plan, on_progress)
    _announce_roster_changes(actor, plan)
    audit.record(
        actor,
        "roster.imported",
        None,
        after=source
        | {
            "sha256": plan.sha256,
            "rows": plan.row_count,
            "created": len(plan.creates),
            "updated": len(plan.updates),
            "unchanged": plan.unchanged,
            "departments_created": len(plan.new_departments),
        },
        label=label,
    )
    db.session.flush()


def import_checked_roster(
    actor: User | None, data: bytes, preview: dict, filename: str, on_progress=None
) -> dict:
    """The write of a roster import started from the web (`civicladder.import_jobs`): the file
    HR saw previewed, refused (a DomainError) when it or the changes it makes differ now.
    Returns the summary its page shows."""
    from flask import url_for

    from people import roster

    try:
        plan = import_roster(
            actor,
            data,
            expected_sha256=preview["sha256"],
            expected_fingerprint=preview["fingerprint"],
            filename=filename,
            on_progress=on_progress,
        )
    except roster.RosterRejected as rejected:
        raise Conflict(rejected.message) from None
    return {
        "message": gettext(
            "Roster imported: %(created)s, %(updated)s updated, %(unchanged)s unchanged, "
            "%(departments)s.",
            created=ngettext(
                "%(count)s new employee",
                "%(count)s new employees",
                len(plan.creates),
                count=format_decimal(len(plan.creates)),
            ),
            updated=len(plan.updates),
            unchanged=plan.unchanged,
            departments=ngettext(
                "%(count)s new department",
                "%(count)s new departments",
                len(plan.new_departments),
                count=format_decimal(len(plan.new_departments)),
            ),
        ),
        "link": url_for("people.directory"),
        "link_text": gettext("See the workforce list"),
    }


def _announce_roster_changes(actor: User | None, plan: RosterPlan) -> None:
    """Tell the packages above who was added, separated or moved by this import."""
    if plan.created_ids:
        signals.employee_added.send(actor, employee_ids=plan.created_ids)
    if plan.separated_ids:
        signals.employee_separated.send(actor, employee_ids=plan.separated_ids)
    if plan.moved_ids:
        signals.employee_moved.send(actor, employee_ids=plan.moved_ids)
