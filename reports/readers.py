"""Who reads which reports: a union rep their units', HR every unit's and department's, a
manager their own department's and those below it; and the published snapshots they find."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import joinedload

from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Forbidden, NotFound
from civicladder.models import User
from people import queries as people_queries
from people.models import PATH_SEPARATOR, BargainingUnit, Department, UnionRepUnit
from reports.models import ReportComment, ReportSnapshot
from reports.tables import UNIT, Scope


def may_read_unit(user: User, unit_id: int) -> bool:
    """HR reads every unit; a union rep reads the units they represent; nobody else any."""
    if user.has_role(Role.HR):
        return True
    return user.has_role(Role.UNION_REP) and unit_id in people_queries.rep_unit_ids(user.id)


def readable_unit(user: User, unit_id: int) -> BargainingUnit:
    """The unit, when this person may read its reports; a clear 404 or 403 otherwise."""
    unit = db.session.get(BargainingUnit, unit_id)
    if unit is None:
        raise NotFound(gettext("There is no bargaining unit with that number."))
    if not may_read_unit(user, unit_id):
        raise Forbidden(
            gettext(
                "You do not represent %(unit)s, so its reports are not yours to read. Your "
                "home page lists the units you represent.",
                unit=unit.name,
            )
        )
    return unit


def unit_reps(unit_id: int) -> list[User]:
    """The active accounts that represent the unit."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UnionRepUnit, UnionRepUnit.user_id == User.id)
            .where(UnionRepUnit.bargaining_unit_id == unit_id, User.active.is_(True))
            .order_by(User.id)
        )
    )


def readable_units(user: User) -> list[BargainingUnit]:
    if user.has_role(Role.HR):
        return people_queries.bargaining_units()
    if user.has_role(Role.UNION_REP):
        return people_queries.rep_units(user)
    return []


def may_read_department(user: User, department: Department) -> bool:
    """HR reads every department; a manager reads their own department and those below it."""
    if user.has_role(Role.HR):
        return True
    if not user.has_role(Role.MANAGER):
        return False
    own = people_queries.own_employee(user)
    if own is None:
        return False
    home = own.department.path
    return department.path == home or department.path.startswith(home + PATH_SEPARATOR)


def readable_department(user: User, department_id: int) -> Department:
    department = db.session.get(Department, department_id)
    if department is None:
        raise NotFound(gettext("There is no department with that number."))
    if not may_read_department(user, department):
        raise Forbidden(
            gettext(
                "The reports of %(department)s are not yours to read: a manager reads those "
                "of their own department and the departments below it.",
                department=department.path,
            )
        )
    return department


def own_departments(user: User) -> list[Department]:
    """A manager's own department and the ones just below it, whose reports they read."""
    own = people_queries.own_employee(user)
    if own is None or not user.has_role(Role.MANAGER):
        return []
    return [own.department, *child_departments(own.department)]


def child_departments(department: Department) -> list[Department]:
    return list(
        db.session.scalars(
            sa.select(Department)
            .where(Department.parent_id == department.id)
            .order_by(Department.name)
        )
    )


def agencies() -> list[Department]:
    return list(
        db.session.scalars(
            sa.select(Department).where(Department.parent_id.is_(None)).order_by(Department.name)
        )
    )


def may_read_snapshot(user: User, snapshot: ReportSnapshot) -> bool:
    if snapshot.bargaining_unit_id is not None:
        return may_read_unit(user, snapshot.bargaining_unit_id)
    return snapshot.department is not None and may_read_department(user, snapshot.department)


def readable_snapshot(user: User, snapshot_id: int) -> ReportSnapshot:
    snapshot = db.session.get(
        ReportSnapshot, snapshot_id, options=[joinedload(ReportSnapshot.published_by)]
    )
    if snapshot is None:
        raise NotFound(gettext("There is no published report with that number."))
    if not may_read_snapshot(user, snapshot):
        raise Forbidden(
            gettext(
                "This published report is for a bargaining unit you do not represent or a "
                "department outside your own, so it is not yours to read."
            )
        )
    return snapshot


def snapshots_of_units(unit_ids: list[int]) -> dict[int, list[ReportSnapshot]]:
    """Each unit's published snapshots, latest period first, in one query."""
    found: dict[int, list[ReportSnapshot]] = {unit_id: [] for unit_id in unit_ids}
    rows = db.session.scalars(
        sa.select(ReportSnapshot)
        .where(ReportSnapshot.bargaining_unit_id.in_(unit_ids or [0]))
        .order_by(ReportSnapshot.bargaining_unit_id, ReportSnapshot.period_start.desc())
    )
    for snapshot in rows:
        found[snapshot.bargaining_unit_id].append(snapshot)
    return found


def snapshot_for(scope: Scope, period_code: str) -> ReportSnapshot | None:
    column = (
        ReportSnapshot.bargaining_unit_id if scope.kind == UNIT else ReportSnapshot.department_id
    )
    return db.session.scalar(
        sa.select(ReportSnapshot).where(column == scope.id, ReportSnapshot.period == period_code)
    )


def snapshots_for_periods(scope: Scope, period_codes: list[str]) -> dict[str, ReportSnapshot]:
    """The scope's published snapshots of these periods, by period, in one query."""
    column = (
        ReportSnapshot.bargaining_unit_id if scope.kind == UNIT else ReportSnapshot.department_id
    )
    rows = db.session.scalars(
        sa.select(ReportSnapshot).where(
            column == scope.id, ReportSnapshot.period.in_(period_codes or [""])
        )
    )
    return {snapshot.period: snapshot for snapshot in rows}


def published_contents(scopes: list[Scope], period_codes: list[str]) -> dict[tuple[str, str], dict]:
    """The published contents of these scopes (all units, or all departments) in these
    periods, by (scope code, period), in one query."""
    if not scopes:
        return {}
    units = scopes[0].kind == UNIT
    column = ReportSnapshot.bargaining_unit_id if units else ReportSnapshot.department_id
    codes = {scope.id: scope.code for scope in scopes}
    rows = db.session.execute(
        sa.select(column, ReportSnapshot.period, ReportSnapshot.content).where(
            column.in_(list(codes)), ReportSnapshot.period.in_(period_codes or [""])
        )
    )
    return {(codes[scope_id], period): content for scope_id, period, content in rows}


def snapshots_of_departments(department_ids: list[int]) -> dict[int, list[ReportSnapshot]]:
    found: dict[int, list[ReportSnapshot]] = {department_id: [] for department_id in department_ids}
    rows = db.session.scalars(
        sa.select(ReportSnapshot)
        .where(ReportSnapshot.department_id.in_(department_ids or [0]))
        .order_by(ReportSnapshot.department_id, ReportSnapshot.period_start.desc())
    )
    for snapshot in rows:
        found[snapshot.department_id].append(snapshot)
    return found


def comments_on(snapshot_id: int) -> list[ReportComment]:
    return list(
        db.session.scalars(
            sa.select(ReportComment)
            .where(ReportComment.snapshot_id == snapshot_id)
            .order_by(ReportComment.created_at, ReportComment.id)
        )
    )


def unit_periods_published(period_code: str) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(ReportSnapshot.bargaining_unit_id).where(
                ReportSnapshot.period == period_code,
                ReportSnapshot.bargaining_unit_id.is_not(None),
            )
        )
    )
