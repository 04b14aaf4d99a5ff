"""Read side for people: reporting lines, scoped directory, profiles, filter choices."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, has_app_context
from flask_babel import gettext
from sqlalchemy.orm import joinedload

from civicladder import caching, querying
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Invalid, NotFound
from civicladder.languages import N_
from civicladder.models import User
from people import lines
from people.models import (
    BargainingUnit,
    Department,
    Employee,
    EmployeeStatus,
    JobProfile,
    UnionRepUnit,
)


def reporting_line_ids(manager_id: int, path: str | None = None) -> sa.Select:
    """Ids of everyone below a manager, direct and indirect (a prefix of their line path).

    Give the manager's `path` when it is at hand (a loaded record) to save looking it up.
    """
    path = path or lines.path_of(manager_id)
    if path is None:
        return sa.select(Employee.id).where(sa.false())
    return sa.select(Employee.id).where(lines.in_line_of(path), Employee.id != manager_id)


_OWN_KEY = "people.own_employee"


def own_employee(user: User | None) -> Employee | None:
    """The employee record linked to this user account (job profile, department), or None.

    Asked by the access checks, several panels and the navigation on one page, so a request
    loads it once; `forget_own_employee` clears that when a link changes.
    """
    if user is None or not getattr(user, "id", None):
        return None
    cache = g.setdefault(_OWN_KEY, {}) if has_app_context() else {}
    if user.id not in cache:
        cache[user.id] = db.session.scalar(
            sa.select(Employee)
            .options(joinedload(Employee.job_profile), joinedload(Employee.department))
            .where(Employee.user_id == user.id)
        )
    return cache[user.id]


def own_employee_id(user: User | None) -> int | None:
    """The id of the employee record linked to this user account, or None."""
    own = own_employee(user)
    return own.id if own is not None else None


def forget_own_employee() -> None:
    if has_app_context():
        g.pop(_OWN_KEY, None)


def sees_everyone(user: User) -> bool:
    return user.has_role(Role.HR)


def _manager_path(user: User, own: Employee) -> str | None:
    """The line path that bounds a manager's scope; None when the user's scope is their own row."""
    if user.has_role(Role.MANAGER):
        return own.line_path
    return None


def scope_condition(user: User) -> sa.ColumnElement[bool] | None:
    """Which employees this user may open, as a condition on Employee; None: HR, everyone.

    A manager's scope is their own line path's prefix (themselves and everyone below), which
    PostgreSQL reads from an index; an employee's is their own record. `may_view` is the same
    rule for one loaded employee, and a test holds the two together.
    """
    if sees_everyone(user):
        return None
    own = own_employee(user)
    if own is None:
        return sa.false()
    path = _manager_path(user, own)
    if path is not None:
        return lines.in_line_of(path)
    return Employee.id == own.id


def may_view(user: User, employee: Employee) -> bool:
    """Whether this user may open this (loaded) employee: `scope_condition`, without a query."""
    if sees_everyone(user):
        return True
    own = own_employee(user)
    if own is None:
        return False
    if own.id == employee.id:
        return True
    path = _manager_path(user, own)
    return path is not None and (employee.line_path or "").startswith(path)


def can_view(user: User, employee_id: int) -> bool:
    condition = scope_condition(user)
    if condition is None or employee_id == own_employee_id(user):
        return True
    return bool(
        db.session.scalar(sa.select(sa.exists().where(Employee.id == employee_id, condition)))
    )


def get_visible_employee(user: User, employee_id: int) -> Employee:
    """The employee, if this user may see them; otherwise the same 404 as a missing one."""
    employee = db.session.scalar(
        sa.select(Employee)
        .options(
            joinedload(Employee.department),
            joinedload(Employee.manager),
            joinedload(Employee.bargaining_unit),
            joinedload(Employee.job_profile),
        )
        .where(Employee.id == employee_id)
    )
    if employee is None or not may_view(user, employee):
        raise NotFound(gettext("There is no employee profile at this address that you can open."))
    return employee


def directory_statement(
    user: User,
    *,
    text: str | None = None,
    department_id: int | None = None,
    bargaining_unit_id: int | None = None,
    job_profile_id: int | None = None,
    status: str | None = None,
) -> sa.Select:
    stmt = (
        sa.select(Employee)
        .options(
            joinedload(Employee.department),
            joinedload(Employee.bargaining_unit),
            joinedload(Employee.job_profile),
        )
        .order_by(Employee.last_name, Employee.first_name, Employee.id)
    )
    condition = scope_condition(user)
    if condition is not None:
        stmt = stmt.where(condition)
    if text := querying.search_text(text):
        # Written as the trigram index has it (migration 0005), so PostgreSQL can use it.
        full_name = Employee.first_name.concat(sa.literal_column("' '")).concat(Employee.last_name)
        stmt = stmt.where(
            sa.or_(querying.contains(full_name, text), Employee.employee_number == text)
        )
        # Sorted by a key no index holds, so the database finds the matches first and sorts
        # those few; walking the name index instead read 200,000 rows to reach the Smiths.
        stmt = stmt.order_by(None).order_by(
            sa.func.lower(Employee.last_name), sa.func.lower(Employee.first_name), Employee.id
        )
    if department_id:
        # A department filter includes everything beneath it in the tree.
        path = db.session.scalar(sa.select(Department.path).where(Department.id == department_id))
        if path is not None:
            under = sa.select(Department.id).where(
                sa.or_(Department.path == path, Department.path.startswith(path + " > "))
            )
            stmt = stmt.where(Employee.department_id.in_(under))
    if bargaining_unit_id:
        stmt = stmt.where(Employee.bargaining_unit_id == bargaining_unit_id)
    if job_profile_id:
        stmt = stmt.where(Employee.job_profile_id == job_profile_id)
    if status := (status or "").strip():
        stmt = stmt.where(Employee.status == _employee_status(status))
    return stmt


def _employee_status(value: str) -> EmployeeStatus:
    try:
        return EmployeeStatus(value.lower())
    except ValueError:
        allowed = ", ".join(s.value for s in EmployeeStatus)
        raise Invalid(
            gettext("Choose a status from the list (%(allowed)s).", allowed=allowed),
            field="status",
        ) from None


def direct_reports(employee_id: int) -> list[Employee]:
    return list(
        db.session.scalars(
            sa.select(Employee)
            .options(joinedload(Employee.job_profile))
            .where(Employee.manager_id == employee_id)
            .order_by(Employee.last_name, Employee.first_name)
        )
    )


def direct_report_count(employee_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Employee.id)).where(Employee.manager_id == employee_id)
    )


def reporting_line_count(employee_id: int, path: str | None = None) -> int:
    """Everyone below the manager. Counted from the line paths alone (the manager's own row
    among them, taken off after), which PostgreSQL reads from the path index without visiting
    the table, and kept between requests until a path changes (`lines.LINES`): the head of a
    45,000-person agency opened their home in 72 ms, 30 of them counting the line."""
    path = path or lines.path_of(employee_id)
    if path is None:
        return 0

    def count() -> int:
        return db.session.scalar(sa.select(sa.func.count()).where(lines.in_line_of(path)))

    return max(caching.cached(lines.LINES, path, count) - 1, 0)


def workforce_size() -> int:
    """Every employee on record, kept between requests like a line's size: each new employee
    gets a line path (`lines.LINES` moves), and no employee row is ever deleted."""

    def count() -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(Employee))

    return caching.cached(lines.LINES, "everyone", count)


def department_choices(chosen_id: int | None = None) -> list[tuple[int, str]]:
    """The directory's department filter: the agencies, and the department in use if deeper.

    A city has thousands of units; listing them all put 2,350 options (about 190 KB) on every
    directory page. Deeper departments are reached from the links in the results instead.
    """
    condition = Department.parent_id.is_(None)
    if chosen_id:
        condition = sa.or_(condition, Department.id == chosen_id)
    rows = db.session.execute(
        sa.select(Department.id, Department.path).where(condition).order_by(Department.path)
    )
    return [(row.id, row.path) for row in rows]


def bargaining_units() -> list[BargainingUnit]:
    return list(db.session.scalars(sa.select(BargainingUnit).order_by(BargainingUnit.name)))


def bargaining_unit_by_code(code: str) -> BargainingUnit | None:
    return db.session.scalar(sa.select(BargainingUnit).where(BargainingUnit.code == code.strip()))


def rep_units(user: User) -> list[BargainingUnit]:
    """The bargaining units a union rep represents, by name."""
    return list(
        db.session.scalars(
            sa.select(BargainingUnit)
            .join(UnionRepUnit, UnionRepUnit.bargaining_unit_id == BargainingUnit.id)
            .where(UnionRepUnit.user_id == user.id)
            .order_by(BargainingUnit.name)
        )
    )


def unit_headcounts(unit_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """{unit_id: [("members", active members)]}, in one grouped query (a stored figure kind)."""
    rows = dict(
        db.session.execute(
            sa.select(Employee.bargaining_unit_id, sa.func.count(Employee.id))
            .where(Employee.bargaining_unit_id.in_(unit_ids), Employee.status != "separated")
            .group_by(Employee.bargaining_unit_id)
        ).all()
    )
    return {unit_id: [("members", rows.get(unit_id, 0))] for unit_id in unit_ids}


def workforce_summary() -> dict:
    """The HR home's figures: people by status (estimated for a city, see
    `querying.counts_by`), those without a job profile, departments and units."""
    by_status = querying.counts_by(
        Employee.__table__.c.status, [status.value for status in EmployeeStatus]
    )
    return {
        "without_job": db.session.scalar(
            sa.select(sa.func.count(Employee.id)).where(
                Employee.job_profile_id.is_(None), Employee.status != "separated"
            )
        ),
        "active": by_status["active"],
        "leave": by_status["leave"],
        "separated": by_status["separated"],
        "departments": db.session.scalar(sa.select(sa.func.count(Department.id))),
        "bargaining_units": db.session.scalar(sa.select(sa.func.count(BargainingUnit.id))),
    }


def employee_by_number(employee_number: str) -> Employee | None:
    return db.session.scalar(
        sa.select(Employee).where(Employee.employee_number == employee_number.strip())
    )


def users_statement(text: str | None = None) -> sa.Select:
    stmt = sa.select(User).order_by(User.full_name, User.id)
    if text := querying.search_text(text):
        stmt = stmt.where(
            sa.or_(querying.contains(User.full_name, text), querying.contains(User.email, text))
        )
    return stmt


def rep_unit_ids(user_id: int) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(UnionRepUnit.bargaining_unit_id).where(UnionRepUnit.user_id == user_id)
        )
    )


def job_profile_choices() -> list[tuple[int, str]]:
    """(id, title) of every job profile."""
    rows = db.session.execute(
        sa.select(JobProfile.id, JobProfile.title).order_by(JobProfile.title)
    ).all()
    return [(row.id, row.title) for row in rows]


# The label of the people without a job profile, kept in English with the figures and shown in
# the reader's language.
NO_JOB_PROFILE = N_("No job profile")


def unit_members_by_job(unit_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """{unit_id: [(job title or "No job profile", active members)]}, in one grouped query."""
    found: dict[int, list[tuple[str, int]]] = {uid: [] for uid in unit_ids}
    if not unit_ids:
        return found
    title = sa.func.coalesce(JobProfile.title, NO_JOB_PROFILE)
    rows = db.session.execute(
        sa.select(Employee.bargaining_unit_id, title, sa.func.count(Employee.id))
        .outerjoin(JobProfile, JobProfile.id == Employee.job_profile_id)
        .where(Employee.bargaining_unit_id.in_(unit_ids), Employee.status != "separated")
        .group_by(Employee.bargaining_unit_id, title)
        .order_by(Employee.bargaining_unit_id, title)
    )
    for unit_id, job, members in rows:
        found[unit_id].append((job, members))
    return found


def department_by_path(path: str) -> Department | None:
    """A department by its full path, spaces around the separators forgiven."""
    parts = [part.strip() for part in path.split(">") if part.strip()]
    if not parts:
        return None
    return db.session.scalar(sa.select(Department).where(Department.path == " > ".join(parts)))


def uninvited_statement() -> sa.Select:
    """Employees with an email and no account, whose email no account uses either."""
    taken = sa.select(User.id).where(User.email == Employee.email).correlate(Employee)
    return (
        sa.select(Employee)
        .options(joinedload(Employee.department), joinedload(Employee.job_profile))
        .where(
            Employee.email.is_not(None),
            Employee.user_id.is_(None),
            Employee.status != "separated",
            ~sa.exists(taken),
        )
        .order_by(Employee.last_name, Employee.first_name, Employee.id)
    )
