"""The read side of reports: a unit's raw figures for a period, in a fixed number of grouped
queries whatever the unit's size; the units a person may read; snapshots and their comments.

Who counts: the unit's members as they stand (not separated). Training counts enrolments that
held a seat in sessions that started in the period; competency levels gained compare the best
level shown in the period with the best still unexpired at its start; the autonomy level held
is the latest grant in effect on the period's last day.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from academy.models import Course, CourseSession, Enrollment, EnrollmentStatus
from autonomy.models import AutonomyGrant, AutonomyLevel, AutonomyTrack, GrantStatus
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Forbidden, NotFound
from civicladder.models import AuditEvent, User
from competencies.models import Competency, CompetencyCategory, CompetencyEvidence
from hiring.models import Application, ApplicationStatus
from people import queries as people_queries
from people.models import PATH_SEPARATOR, BargainingUnit, Department, Employee, EmployeeStatus
from reports.models import ReportComment, ReportSnapshot
from reports.rules import NO_LEVEL, DepartmentRow, Period, UnitFigures

# Enrolments that held a seat: what "enrolled" means in a report.
SEATED = (
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.ATTENDED,
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.FAILED,
    EnrollmentStatus.NO_SHOW,
)
# Grants that were in effect at some time (a proposal or a declined one never was).
HELD = (GrantStatus.ACTIVE, GrantStatus.SUPERSEDED, GrantStatus.REVOKED)


def bounds(period: Period) -> tuple[datetime, datetime]:
    """The period as UTC instants, the first included, the second not."""
    start = datetime.combine(period.start, time(0), tzinfo=UTC)
    return start, datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=UTC)


def members_of(unit_id: int):
    """The unit's members as a subquery of (id, department_id)."""
    return (
        sa.select(Employee.id, Employee.department_id)
        .where(Employee.bargaining_unit_id == unit_id, Employee.status != EmployeeStatus.SEPARATED)
        .subquery("members")
    )


def unit_figures(unit_id: int, period: Period) -> UnitFigures:
    """Everything a unit's report counts, in seven queries whatever the unit's size."""
    members = members_of(unit_id)
    found = UnitFigures()
    _add_members(found, members)
    _add_training(found, members, period)
    found.gains = gains(members, period)
    found.distribution = _distribution(members, period, found.members)
    _add_autonomy_events(found, members, period)
    found.internal_hires = _internal_hires(members, period)
    return found


def _agency(path: str) -> str:
    return path.split(PATH_SEPARATOR, 1)[0]


def _add_members(found: UnitFigures, members) -> None:
    rows = db.session.execute(
        sa.select(Department.path, sa.func.count(members.c.id))
        .join(Department, Department.id == members.c.department_id)
        .group_by(Department.path)
    )
    for path, count in rows:
        found.departments.setdefault(_agency(path), DepartmentRow()).members += count
        found.members += count


def _add_training(found: UnitFigures, members, period: Period) -> None:
    start, end = bounds(period)
    completed = Enrollment.status == EnrollmentStatus.COMPLETED
    rows = db.session.execute(
        sa.select(
            Department.path,
            sa.func.count(Enrollment.id),
            sa.func.count(sa.distinct(Enrollment.employee_id)),
            sa.func.count(sa.case((completed, Enrollment.id))),
            sa.func.count(sa.distinct(sa.case((completed, Enrollment.employee_id)))),
            sa.func.coalesce(sa.func.sum(sa.case((completed, Course.hours), else_=0)), 0),
        )
        .join(members, members.c.id == Enrollment.employee_id)
        .join(Department, Department.id == members.c.department_id)
        .join(CourseSession, CourseSession.id == Enrollment.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(
            Enrollment.status.in_(SEATED),
            CourseSession.starts_at >= start,
            CourseSession.starts_at < end,
        )
        .group_by(Department.path)
    )
    for path, enrolments, people, completions, completers, hours in rows:
        row = found.departments.setdefault(_agency(path), DepartmentRow())
        row.enrolled_people += people
        row.completed_people += completers
        found.enrolments += enrolments
        found.enrolled_people += people
        found.completions += completions
        found.completed_people += completers
        found.training_hours += int(hours)


def gains(members, period: Period) -> list[tuple[str, int, int]]:
    """Per category: people who reached a higher level in some competency during the period,
    and how many (person, competency) levels were gained."""
    E = CompetencyEvidence
    in_period = sa.and_(E.observed_on >= period.start, E.observed_on <= period.end)
    held_before = sa.and_(
        E.observed_on < period.start, sa.or_(E.expires_on.is_(None), E.expires_on >= period.start)
    )
    pairs = (
        sa.select(
            E.employee_id,
            Competency.category_id,
            sa.func.max(sa.case((in_period, E.level))).label("reached"),
            sa.func.coalesce(sa.func.max(sa.case((held_before, E.level))), 0).label("had"),
        )
        .join(members, members.c.id == E.employee_id)
        .join(Competency, Competency.id == E.competency_id)
        .where(E.observed_on <= period.end)
        .group_by(E.employee_id, E.competency_id, Competency.category_id)
        .subquery("pairs")
    )
    rows = db.session.execute(
        sa.select(
            CompetencyCategory.name,
            sa.func.count(sa.distinct(pairs.c.employee_id)),
            sa.func.count(),
        )
        .join(CompetencyCategory, CompetencyCategory.id == pairs.c.category_id)
        .where(pairs.c.reached > pairs.c.had)
        .group_by(CompetencyCategory.name)
        .order_by(CompetencyCategory.name)
    )
    return [(name, people, levels) for name, people, levels in rows]


def _distribution(members, period: Period, headcount: int) -> list[tuple[str, int]]:
    """Members by the autonomy level they held on the period's last day, lowest first."""
    _, end = bounds(period)
    G = AutonomyGrant
    in_effect = (
        sa.select(
            G.employee_id,
            G.level_id,
            sa.func.row_number()
            .over(partition_by=G.employee_id, order_by=(G.effective_on.desc(), G.id.desc()))
            .label("latest"),
        )
        .join(members, members.c.id == G.employee_id)
        .where(
            G.status.in_(HELD),
            G.effective_on <= period.end,
            # A level lowered before the period ended no longer counts; the grant of the level
            # below (effective the day it was lowered) does.
            ~sa.and_(G.status == GrantStatus.REVOKED, G.decided_at < end),
        )
        .subquery("in_effect")
    )
    rows = db.session.execute(
        sa.select(AutonomyTrack.name, AutonomyLevel.rank, AutonomyLevel.name, sa.func.count())
        .select_from(in_effect)
        .join(AutonomyLevel, AutonomyLevel.id == in_effect.c.level_id)
        .join(AutonomyTrack, AutonomyTrack.id == AutonomyLevel.track_id)
        .where(in_effect.c.latest == 1)
        .group_by(AutonomyTrack.name, AutonomyLevel.rank, AutonomyLevel.name)
        .order_by(AutonomyTrack.name, AutonomyLevel.rank, AutonomyLevel.name)
    ).all()
    held = [(f"{track}: level {rank}, {name}", count) for track, rank, name, count in rows]
    return [*held, (NO_LEVEL, headcount - sum(count for _, count in held))]


def _add_autonomy_events(found: UnitFigures, members, period: Period) -> None:
    start, end = bounds(period)
    G = AutonomyGrant
    granted = sa.and_(
        G.status.in_(HELD), G.effective_on >= period.start, G.effective_on <= period.end
    )
    decided = sa.and_(G.decided_at >= start, G.decided_at < end)
    row = db.session.execute(
        sa.select(
            sa.func.count(sa.case((granted, G.id))),
            sa.func.count(sa.case((sa.and_(granted, G.above_evidence), G.id))),
            sa.func.count(sa.case((sa.and_(G.status == GrantStatus.DECLINED, decided), G.id))),
            sa.func.count(sa.case((sa.and_(G.status == GrantStatus.REVOKED, decided), G.id))),
        ).join(members, members.c.id == G.employee_id)
    ).one()
    found.grants, found.above_evidence, found.declines, found.revocations = row


def hire_event():
    """The join of an application to the audit event of its hire (when it was recorded)."""
    return sa.and_(
        AuditEvent.object_type == "Application",
        AuditEvent.object_id == sa.cast(Application.id, sa.String),
        AuditEvent.action == "application.hired",
    )


def _internal_hires(members, period: Period) -> int:
    """Members hired through a hiring round whose hire was recorded in the period (the hire's
    time is the audit trail's: the application records no date of its own)."""
    start, end = bounds(period)
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Application.employee_id)))
        .join(members, members.c.id == Application.employee_id)
        .join(AuditEvent, hire_event())
        .where(
            Application.status == ApplicationStatus.HIRED,
            AuditEvent.occurred_at >= start,
            AuditEvent.occurred_at < end,
        )
    )


# --- who may read what ------------------------------------------------------------------------


def may_read_unit(user: User, unit_id: int) -> bool:
    """HR reads every unit; a union rep reads the units they represent; nobody else any."""
    if user.has_role(Role.HR):
        return True
    return user.has_role(Role.UNION_REP) and unit_id in people_queries.rep_unit_ids(user.id)


def readable_unit(user: User, unit_id: int) -> BargainingUnit:
    """The unit, when this person may read its reports; a clear 404 or 403 otherwise."""
    unit = db.session.get(BargainingUnit, unit_id)
    if unit is None:
        raise NotFound("There is no bargaining unit with that number.")
    if not may_read_unit(user, unit_id):
        raise Forbidden(
            f"You do not represent {unit.name}, so its reports are not yours to read. "
            "Your home page lists the units you represent."
        )
    return unit


def readable_units(user: User) -> list[BargainingUnit]:
    if user.has_role(Role.HR):
        return people_queries.bargaining_units()
    if user.has_role(Role.UNION_REP):
        return people_queries.rep_units(user)
    return []


def readable_snapshot(user: User, snapshot_id: int) -> ReportSnapshot:
    snapshot = db.session.get(
        ReportSnapshot, snapshot_id, options=[joinedload(ReportSnapshot.published_by)]
    )
    if snapshot is None:
        raise NotFound("There is no published report with that number.")
    if snapshot.bargaining_unit_id is None or not may_read_unit(user, snapshot.bargaining_unit_id):
        raise Forbidden(
            "This published report is for a bargaining unit you do not represent, "
            "so it is not yours to read."
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


def snapshot_for(unit_id: int, period_code: str) -> ReportSnapshot | None:
    return db.session.scalar(
        sa.select(ReportSnapshot).where(
            ReportSnapshot.bargaining_unit_id == unit_id, ReportSnapshot.period == period_code
        )
    )


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
