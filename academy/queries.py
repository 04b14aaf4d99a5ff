"""Read side for the academy: the catalog, sessions, rosters, waitlists, approval queues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import joinedload, selectinload

from academy import rules
from academy.models import (
    Course,
    CourseCoursePrerequisite,
    CourseLevelPrerequisite,
    CourseOutcome,
    CourseSession,
    DeliveryMode,
    Enrollment,
    EnrollmentStatus,
)
from civicladder import clock, querying
from civicladder.db import db
from civicladder.errors import NotFound
from civicladder.languages import N_
from competencies.models import Competency, CompetencyEvidence
from competencies.queries import current_levels_statement
from people import lines
from people.models import Employee

S = EnrollmentStatus


# --- what a person has -----------------------------------------------------------------------


def levels_of(employee_id: int | None) -> dict[int, int]:
    """The employee's current level by competency id (one query)."""
    if employee_id is None:
        return {}
    stmt = current_levels_statement(clock.today()).where(
        CompetencyEvidence.employee_id == employee_id
    )
    return {row.competency_id: row.level for row in db.session.execute(stmt)}


def completed_course_ids(employee_id: int | None) -> set[int]:
    if employee_id is None:
        return set()
    return set(
        db.session.scalars(
            sa.select(CourseSession.course_id)
            .join(Enrollment, Enrollment.session_id == CourseSession.id)
            .where(Enrollment.employee_id == employee_id, Enrollment.status == S.COMPLETED)
        )
    )


def _prerequisites(course: Course):
    levels = [(p.competency_id, p.competency.name, p.min_level) for p in course.level_prerequisites]
    courses = [(p.required_course_id, p.required_course.title) for p in course.course_prerequisites]
    return levels, courses


def unmet_prerequisites(course: Course, employee_id: int) -> list[str]:
    levels, courses = _prerequisites(course)
    if not levels and not courses:
        return []
    return rules.unmet(levels, courses, levels_of(employee_id), completed_course_ids(employee_id))


# --- the catalog -----------------------------------------------------------------------------


def _course_loads():
    return (
        selectinload(Course.outcomes).joinedload(CourseOutcome.competency),
        selectinload(Course.level_prerequisites).joinedload(CourseLevelPrerequisite.competency),
        selectinload(Course.course_prerequisites).joinedload(
            CourseCoursePrerequisite.required_course
        ),
    )


def catalog_statement(
    *,
    text: str | None = None,
    competency_id: int | None = None,
    category_id: int | None = None,
    delivery_mode: str | None = None,
    from_date: date | None = None,
    sort: str | None = None,
) -> sa.Select:
    """Courses matching the filters, by title (or soonest session, or fewest hours); each row
    loads its outcomes and prerequisites."""
    stmt = sa.select(Course).options(*_course_loads()).order_by(*_catalog_order(sort))
    if text := querying.search_text(text):
        stmt = stmt.where(
            sa.or_(querying.contains(Course.title, text), querying.starts_with(Course.code, text))
        )
    if competency_id:
        stmt = stmt.where(
            Course.id.in_(
                sa.select(CourseOutcome.course_id).where(
                    CourseOutcome.competency_id == competency_id
                )
            )
        )
    if category_id:
        stmt = stmt.where(
            Course.id.in_(
                sa.select(CourseOutcome.course_id)
                .join(Competency, Competency.id == CourseOutcome.competency_id)
                .where(Competency.category_id == category_id)
            )
        )
    if delivery_mode:
        stmt = stmt.where(Course.delivery_mode == DeliveryMode(delivery_mode))
    if from_date:
        starts = querying.within_days(CourseSession.starts_at, from_date, None)
        stmt = stmt.where(Course.id.in_(sa.select(CourseSession.course_id).where(*starts)))
    return stmt


CATALOG_SORTS = {"title": N_("Title"), "next": N_("Next session"), "hours": N_("Shortest first")}


def _catalog_order(sort: str | None) -> list:
    if sort == "next":
        soonest = (
            sa.select(sa.func.min(CourseSession.starts_at))
            .where(
                CourseSession.course_id == Course.id,
                CourseSession.starts_at > clock.now(),
                CourseSession.cancelled_at.is_(None),
            )
            .correlate(Course)
            .scalar_subquery()
        )
        return [soonest.is_(None), soonest, Course.title, Course.id]
    if sort == "hours":
        return [Course.hours, Course.title, Course.id]
    return [Course.title, Course.id]


def next_sessions(course_ids: list[int]) -> dict[int, tuple]:
    """For each course, (next start, sessions to come, seats left in them), in one query."""
    if not course_ids:
        return {}
    rows = db.session.execute(
        sa.select(
            CourseSession.course_id,
            sa.func.min(CourseSession.starts_at),
            sa.func.count(CourseSession.id),
            sa.func.sum(CourseSession.capacity - CourseSession.enrolled),
        )
        .where(
            CourseSession.course_id.in_(course_ids),
            CourseSession.starts_at > clock.now(),
            CourseSession.cancelled_at.is_(None),
        )
        .group_by(CourseSession.course_id)
    ).all()
    return {course_id: (first, count, seats) for course_id, first, count, seats in rows}


@dataclass(frozen=True)
class CatalogEntry:
    course: Course
    next_start: object
    upcoming: int
    seats_left: int
    unmet: list[str]
    gains: list[tuple[Competency, int, int | None]]  # competency, level granted, level now


def catalog_entries(courses: list[Course], employee_id: int | None) -> list[CatalogEntry]:
    """The page's courses with their next sessions and, for the viewer, what they lack and gain."""
    upcoming = next_sessions([c.id for c in courses])
    levels = levels_of(employee_id)
    done = completed_course_ids(employee_id)
    entries = []
    for course in courses:
        first, count, seats = upcoming.get(course.id, (None, 0, 0))
        level_reqs, course_reqs = _prerequisites(course)
        gains = [
            (o.competency, o.level, levels.get(o.competency_id))
            for o in course.outcomes
            if levels.get(o.competency_id, 0) < o.level
        ]
        unmet = rules.unmet(level_reqs, course_reqs, levels, done) if employee_id else []
        entries.append(CatalogEntry(course, first, count, seats or 0, unmet, gains))
    return entries


def course_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(sa.select(Course.id, Course.code, Course.title).order_by(Course.code))
    return [(row.id, f"{row.code} {row.title}") for row in rows]


def get_course(course_id: int) -> Course:
    course = db.session.scalar(
        sa.select(Course).options(*_course_loads()).where(Course.id == course_id)
    )
    if course is None:
        raise NotFound(gettext("There is no course at this address."))
    return course


def course_sessions(course_id: int, upcoming_only: bool = True) -> list[CourseSession]:
    stmt = (
        sa.select(CourseSession)
        .options(joinedload(CourseSession.instructor))
        .where(CourseSession.course_id == course_id)
        .order_by(CourseSession.starts_at)
    )
    if upcoming_only:
        stmt = stmt.where(CourseSession.starts_at > clock.now())
    return list(db.session.scalars(stmt))


# --- sessions --------------------------------------------------------------------------------


def get_session(session_id: int) -> CourseSession:
    session = db.session.scalar(
        sa.select(CourseSession)
        .options(
            joinedload(CourseSession.course).selectinload(Course.outcomes),
            joinedload(CourseSession.instructor),
        )
        .where(CourseSession.id == session_id)
    )
    if session is None:
        raise NotFound(gettext("There is no course session at this address."))
    return session


def own_enrollment(session_id: int, employee_id: int | None) -> Enrollment | None:
    if employee_id is None:
        return None
    return db.session.scalar(
        sa.select(Enrollment).where(
            Enrollment.session_id == session_id, Enrollment.employee_id == employee_id
        )
    )


def waitlist_position(enrollment: Enrollment) -> int | None:
    """1 for the first person waiting; None unless the enrolment is on the waitlist."""
    if enrollment.status != S.WAITLISTED:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count(Enrollment.id)).where(
            Enrollment.session_id == enrollment.session_id,
            Enrollment.status == S.WAITLISTED,
            sa.or_(
                Enrollment.arrival < enrollment.arrival,
                sa.and_(Enrollment.arrival == enrollment.arrival, Enrollment.id < enrollment.id),
            ),
        )
    )
    return ahead + 1


def status_counts(session_id: int) -> dict[EnrollmentStatus, int]:
    rows = db.session.execute(
        sa.select(Enrollment.status, sa.func.count())
        .where(Enrollment.session_id == session_id)
        .group_by(Enrollment.status)
    ).all()
    return dict(rows)


def roster(session_id: int) -> list[Enrollment]:
    """Everyone on the session's list: seats first, then the waitlist in order, then the rest."""
    order = sa.case(
        (Enrollment.status.in_([S.ENROLLED, S.ATTENDED, S.COMPLETED, S.FAILED, S.NO_SHOW]), 0),
        (Enrollment.status == S.WAITLISTED, 1),
        else_=2,
    )
    return list(
        db.session.scalars(
            sa.select(Enrollment)
            .options(joinedload(Enrollment.employee).joinedload(Employee.department))
            .where(Enrollment.session_id == session_id)
            .order_by(order, Enrollment.arrival, Enrollment.id)
        )
    )


def instructs(employee_id: int | None, session_id: int) -> bool:
    if employee_id is None:
        return False
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    CourseSession.id == session_id, CourseSession.instructor_id == employee_id
                )
            )
        )
    )


# --- approvals -------------------------------------------------------------------------------


def approval_queue(manager_employee_id: int) -> list[Enrollment]:
    """Requests waiting for a decision from people in the manager's line, oldest first."""
    path = lines.path_of(manager_employee_id)
    if path is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Enrollment)
            .join(Employee, Employee.id == Enrollment.employee_id)
            .options(
                joinedload(Enrollment.employee),
                joinedload(Enrollment.session).joinedload(CourseSession.course),
            )
            .where(
                Enrollment.status == S.REQUESTED,
                lines.in_line_of(path),
                Employee.id != manager_employee_id,
            )
            .order_by(Enrollment.requested_at, Enrollment.id)
        )
    )


def approval_count(manager_path: str, manager_employee_id: int) -> int:
    """How many requests wait for a decision in the manager's line (a count, for home pages:
    a line of tens of thousands may hold hundreds)."""
    return db.session.scalar(
        sa.select(sa.func.count(Enrollment.id))
        .join(Employee, Employee.id == Enrollment.employee_id)
        .where(
            Enrollment.status == S.REQUESTED,
            lines.in_line_of(manager_path),
            Employee.id != manager_employee_id,
        )
    )


# --- an employee's record --------------------------------------------------------------------


def enrollments_of(employee_id: int, limit: int | None = None) -> list[Enrollment]:
    """The employee's enrolments, latest session first."""
    stmt = (
        sa.select(Enrollment)
        .options(joinedload(Enrollment.session).joinedload(CourseSession.course))
        .join(CourseSession, CourseSession.id == Enrollment.session_id)
        .where(Enrollment.employee_id == employee_id)
        .order_by(CourseSession.starts_at.desc(), Enrollment.id.desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))
