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

from academy.models import Course, CourseSession, Enrollment, EnrollmentStatus
from autonomy.models import AutonomyGrant, AutonomyLevel, AutonomyTrack, GrantStatus
from civicladder.db import db
from civicladder.models import AuditEvent
from competencies.models import Competency, CompetencyCategory, CompetencyEvidence
from competencies.queries import withdrawn
from hiring.models import Application, ApplicationStatus
from people.models import PATH_SEPARATOR, Department, Employee, EmployeeStatus
from reports import rules
from reports.rules import Period
from reports.tables import NO_LEVEL, UNIT, DepartmentRow, Scope, UnitFigures

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


def members_of(scope: Scope):
    """Whom the report counts (not separated), as a subquery of (id, department_id)."""
    stmt = sa.select(Employee.id, Employee.department_id).where(
        Employee.status != EmployeeStatus.SEPARATED
    )
    if scope.kind == UNIT:
        return stmt.where(Employee.bargaining_unit_id == scope.id).subquery("members")
    below = f"{scope.path}{PATH_SEPARATOR}"
    return (
        stmt.join(Department, Department.id == Employee.department_id)
        .where(
            sa.or_(
                Department.path == scope.path, Department.path.startswith(below, autoescape=True)
            )
        )
        .subquery("members")
    )


def unit_figures(unit_id: int, period: Period) -> UnitFigures:
    return figures(Scope(UNIT, unit_id), period)


def figures(scope: Scope, period: Period) -> UnitFigures:
    """Everything a report counts, in six queries whatever the number of people."""
    members = members_of(scope)
    found = UnitFigures()
    _add_members(found, members, scope)
    _add_training(found, members, period, scope)
    found.gains, found.levels_by_period = gains(members, rules.trend_periods(period))
    found.distribution = _distribution(members, period, found.members)
    _add_autonomy_events(found, members, period)
    found.internal_hires = _internal_hires(members, period)
    return found


def _add_members(found: UnitFigures, members, scope: Scope) -> None:
    rows = db.session.execute(
        sa.select(Department.path, sa.func.count(members.c.id))
        .join(Department, Department.id == members.c.department_id)
        .group_by(Department.path)
    )
    for path, count in rows:
        found.departments.setdefault(scope.group_of(path), DepartmentRow()).members += count
        found.members += count


def _add_training(found: UnitFigures, members, period: Period, scope: Scope) -> None:
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
        row = found.departments.setdefault(scope.group_of(path), DepartmentRow())
        row.enrolled_people += people
        row.completed_people += completers
        found.enrolments += enrolments
        found.enrolled_people += people
        found.completions += completions
        found.completed_people += completers
        found.training_hours += int(hours)


def gains(members, periods: list[Period]) -> tuple[list[tuple[str, int, int]], list[int]]:
    """Competency levels gained, in one pass over the members' evidence: for the last period,
    per category, the people who reached a higher level in some competency and how many
    (person, competency) levels were gained; and the levels gained in each of the periods.

    A level is gained in a period when a competency is shown in it at a higher level than any
    still valid at the period's start."""
    E = CompetencyEvidence
    columns = []
    for index, period in enumerate(periods):
        in_period = sa.and_(E.observed_on >= period.start, E.observed_on <= period.end)
        held_before = sa.and_(
            E.observed_on < period.start,
            sa.or_(E.expires_on.is_(None), E.expires_on >= period.start),
        )
        columns += [
            sa.func.max(sa.case((in_period, E.level))).label(f"reached_{index}"),
            sa.func.coalesce(sa.func.max(sa.case((held_before, E.level))), 0).label(f"had_{index}"),
        ]
    pairs = (
        sa.select(E.employee_id, Competency.category_id, *columns)
        .join(members, members.c.id == E.employee_id)
        .join(Competency, Competency.id == E.competency_id)
        # Withdrawn evidence never counted: a level it showed was not gained.
        .where(E.observed_on <= periods[-1].end, ~withdrawn(E))
        .group_by(E.employee_id, E.competency_id, Competency.category_id)
        .subquery("pairs")
    )

    def gained(index: int):
        return pairs.c[f"reached_{index}"] > pairs.c[f"had_{index}"]

    last = len(periods) - 1
    rows = db.session.execute(
        sa.select(
            CompetencyCategory.name,
            sa.func.count(sa.distinct(sa.case((gained(last), pairs.c.employee_id)))),
            *(sa.func.count(sa.case((gained(i), 1))) for i in range(len(periods))),
        )
        .join(CompetencyCategory, CompetencyCategory.id == pairs.c.category_id)
        .group_by(CompetencyCategory.name)
        .order_by(CompetencyCategory.name)
    ).all()
    by_category = [(row[0], row[1], row[-1]) for row in rows if row[-1]]
    by_period = [sum(row[2 + i] for row in rows) for i in range(len(periods))]
    return by_category, by_period


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
