"""The read side of reports: a unit's raw figures for a period, in a fixed number of grouped
queries whatever the unit's size; the units a person may read; snapshots and their comments.

Who counts: the people who were members of the unit (or in the department) at some time in the
period and not separated then, by the membership history. Training counts enrolments that held
a seat in sessions that started in the period; competency levels gained compare the best level
shown in the period with the best still unexpired at its start; the autonomy level held is the
latest grant in effect on the period's last day.
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
from people.models import PATH_SEPARATOR, Department, EmployeeStatus, Membership
from reports.rules import Period
from reports.tables import ADDED, NO_LEVEL, UNIT, DepartmentRow, PathFigures, Scope, UnitFigures

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


def members_of(scope: Scope, period: Period):
    """Whom the report counts, as a subquery of (id, department_id): everyone who was a member
    of the scope at some time in the period and not separated then, each with the department
    of their last such row in it (the breakdown's). From the membership history, so a recount
    of a past period after someone separates or moves counts what was counted before."""
    held, later = Membership.__table__.alias("held"), Membership.__table__.alias("later")
    # An anti-join rather than a window: PostgreSQL estimates its rows well, and the joins to
    # a unit's training and evidence are planned for the members there are.
    return (
        sa.select(held.c.employee_id.label("id"), held.c.department_id)
        .where(
            *_held_in(held, scope, period),
            ~sa.exists().where(
                later.c.employee_id == held.c.employee_id,
                *_held_in(later, scope, period),
                sa.or_(
                    later.c.started_on > held.c.started_on,
                    sa.and_(later.c.started_on == held.c.started_on, later.c.id > held.c.id),
                ),
            ),
        )
        .subquery("members")
    )


def _held_in(rows, scope: Scope, period: Period) -> list:
    """Membership rows of the scope, not separated, overlapping the period."""
    found = [
        rows.c.status != EmployeeStatus.SEPARATED,
        rows.c.started_on <= period.end,
        sa.or_(rows.c.ended_on.is_(None), rows.c.ended_on >= period.start),
    ]
    if scope.kind == UNIT:
        return [*found, rows.c.bargaining_unit_id == scope.id]
    below = f"{scope.path}{PATH_SEPARATOR}"
    in_tree = sa.select(Department.id).where(
        sa.or_(Department.path == scope.path, Department.path.startswith(below, autoescape=True))
    )
    return [*found, rows.c.department_id.in_(in_tree)]


def unit_figures(unit_id: int, period: Period) -> UnitFigures:
    return figures(Scope(UNIT, unit_id), period)


def figures(scope: Scope, period: Period) -> UnitFigures:
    """Everything a report counts, in six queries whatever the number of people."""
    return total(by_department(scope, period), scope)


def by_department(scope: Scope, period: Period) -> dict[str, PathFigures]:
    """Each department's own people's figures (not those of the departments below it), by
    path, for everyone the scope counts: six grouped queries whatever the number of people.
    A person counts in one department only, so any scope's figures are these added up."""
    members = members_of(scope, period)
    found: dict[str, PathFigures] = {}

    def at(path: str) -> PathFigures:
        return found.setdefault(path, PathFigures())

    for path, count in db.session.execute(
        sa.select(Department.path, sa.func.count(members.c.id))
        .join(Department, Department.id == members.c.department_id)
        .group_by(Department.path)
    ):
        at(path).members = count
    for path, *counts in _training(members, period):
        (
            at(path).enrolments,
            at(path).enrolled_people,
            at(path).completions,
            at(path).completed_people,
        ) = counts[:4]
        at(path).training_hours = int(counts[4])
    for path, category, people, levels in gains(members, period):
        at(path).gains[category] = (people, levels)
    for path, level, count in _distribution(members, period):
        at(path).held[level] = count
    for path, *counts in _autonomy_events(members, period):
        record = at(path)
        record.grants, record.above_evidence, record.declines, record.revocations = counts
    for path, hires in _internal_hires(members, period):
        at(path).internal_hires = hires
    return found


def total(found: dict[str, PathFigures], scope: Scope) -> UnitFigures:
    """A scope's figures from its departments' own: everything in `found` within the scope,
    added up, with the breakdown by agency (or by the departments just below)."""
    result = UnitFigures()
    gains_: dict[str, list[int]] = {}
    held: dict[tuple, int] = {}
    for path, record in found.items():
        if not scope.holds(path):
            continue
        row = result.departments.setdefault(scope.group_of(path), DepartmentRow())
        row.members += record.members
        row.enrolled_people += record.enrolled_people
        row.completed_people += record.completed_people
        for name in ADDED:
            setattr(result, name, getattr(result, name) + getattr(record, name))
        for category, (people, levels) in record.gains.items():
            both = gains_.setdefault(category, [0, 0])
            both[0] += people
            both[1] += levels
        for level, count in record.held.items():
            held[level] = held.get(level, 0) + count
    result.gains = [(c, people, levels) for c, (people, levels) in sorted(gains_.items()) if levels]
    result.distribution = [
        (f"{track}: level {rank}, {name}", count)
        for (track, rank, name), count in sorted(held.items())
    ]
    result.distribution.append((NO_LEVEL, result.members - sum(held.values())))
    return result


def _training(members, period: Period):
    """Per department: enrolments, people enrolled, completions, people who completed, hours."""
    start, end = bounds(period)
    completed = Enrollment.status == EnrollmentStatus.COMPLETED
    return db.session.execute(
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
    ).all()


def gains(members, period: Period):
    """Competency levels gained in the period, per department and category: the people who
    reached a higher level in some competency, and how many (person, competency) levels.

    A level is gained in a period when a competency is shown in it at a higher level than any
    still valid at the period's start."""
    E = CompetencyEvidence
    in_period = sa.and_(E.observed_on >= period.start, E.observed_on <= period.end)
    held_before = sa.and_(
        E.observed_on < period.start,
        sa.or_(E.expires_on.is_(None), E.expires_on >= period.start),
    )
    pairs = (
        sa.select(
            E.employee_id,
            members.c.department_id,
            Competency.category_id,
            sa.func.max(sa.case((in_period, E.level))).label("reached"),
            sa.func.coalesce(sa.func.max(sa.case((held_before, E.level))), 0).label("had"),
        )
        .join(members, members.c.id == E.employee_id)
        .join(Competency, Competency.id == E.competency_id)
        # Withdrawn evidence never counted: a level it showed was not gained.
        .where(E.observed_on <= period.end, ~withdrawn(E))
        .group_by(E.employee_id, members.c.department_id, E.competency_id, Competency.category_id)
        .subquery("pairs")
    )
    gained = pairs.c.reached > pairs.c.had
    return db.session.execute(
        sa.select(
            Department.path,
            CompetencyCategory.name,
            sa.func.count(sa.distinct(pairs.c.employee_id)),
            sa.func.count(),
        )
        .join(CompetencyCategory, CompetencyCategory.id == pairs.c.category_id)
        .join(Department, Department.id == pairs.c.department_id)
        .where(gained)
        .group_by(Department.path, CompetencyCategory.name)
    ).all()


def _distribution(members, period: Period):
    """Per department, members by the autonomy level they held on the period's last day, as
    (path, (track, rank, level name), count)."""
    _, end = bounds(period)
    G = AutonomyGrant
    in_effect = (
        sa.select(
            G.employee_id,
            G.level_id,
            members.c.department_id,
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
        sa.select(
            Department.path,
            AutonomyTrack.name,
            AutonomyLevel.rank,
            AutonomyLevel.name,
            sa.func.count(),
        )
        .select_from(in_effect)
        .join(AutonomyLevel, AutonomyLevel.id == in_effect.c.level_id)
        .join(AutonomyTrack, AutonomyTrack.id == AutonomyLevel.track_id)
        .join(Department, Department.id == in_effect.c.department_id)
        .where(in_effect.c.latest == 1)
        .group_by(Department.path, AutonomyTrack.name, AutonomyLevel.rank, AutonomyLevel.name)
    )
    return [(path, (track, rank, name), count) for path, track, rank, name, count in rows]


def _autonomy_events(members, period: Period):
    """Per department: levels granted, of which above the evidence, declined, lowered."""
    start, end = bounds(period)
    G = AutonomyGrant
    granted = sa.and_(
        G.status.in_(HELD), G.effective_on >= period.start, G.effective_on <= period.end
    )
    decided = sa.and_(G.decided_at >= start, G.decided_at < end)
    return db.session.execute(
        sa.select(
            Department.path,
            sa.func.count(sa.case((granted, G.id))),
            sa.func.count(sa.case((sa.and_(granted, G.above_evidence), G.id))),
            sa.func.count(sa.case((sa.and_(G.status == GrantStatus.DECLINED, decided), G.id))),
            sa.func.count(sa.case((sa.and_(G.status == GrantStatus.REVOKED, decided), G.id))),
        )
        .join(members, members.c.id == G.employee_id)
        .join(Department, Department.id == members.c.department_id)
        .group_by(Department.path)
    ).all()


def hire_event():
    """The join of an application to the audit event of its hire (when it was recorded)."""
    return sa.and_(
        AuditEvent.object_type == "Application",
        AuditEvent.object_id == sa.cast(Application.id, sa.String),
        AuditEvent.action == "application.hired",
    )


def _internal_hires(members, period: Period):
    """Per department, members hired through a hiring round whose hire was recorded in the
    period (the hire's time is the audit trail's: the application records no date of its
    own)."""
    start, end = bounds(period)
    return db.session.execute(
        sa.select(Department.path, sa.func.count(sa.distinct(Application.employee_id)))
        .join(members, members.c.id == Application.employee_id)
        .join(Department, Department.id == members.c.department_id)
        .join(AuditEvent, hire_event())
        .where(
            Application.status == ApplicationStatus.HIRED,
            AuditEvent.occurred_at >= start,
            AuditEvent.occurred_at < end,
        )
        .group_by(Department.path)
    ).all()
