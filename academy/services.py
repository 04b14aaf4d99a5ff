"""Academy state changes for courses and sessions; enrolment is in `academy.enrolment`,
results and certificates in `academy.completion`."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext
from sqlalchemy.orm import joinedload

from academy.enrolment import promote_from_waitlist
from academy.models import (
    ENROLLMENT,
    OPEN_STATUSES,
    Course,
    CourseCoursePrerequisite,
    CourseLevelPrerequisite,
    CourseOutcome,
    CourseSession,
    DeliveryMode,
    Enrollment,
    EnrollmentStatus,
)
from civicladder import audit, clock
from civicladder.access import Role, require_role
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, Invalid
from civicladder.languages import written_in
from civicladder.layout import format_datetime
from civicladder.lifecycle import move
from civicladder.models import User
from civicladder.notify import notify
from competencies.models import Competency
from competencies.rules import LEVELS
from people.models import Employee

COURSE_FIELDS = ["code", "title", "description", "hours", "delivery_mode", "needs_manager_approval"]
SESSION_FIELDS = ["starts_at", "ends_at", "location", "online_url", "instructor_id", "capacity"]


def create_course(actor: User | None, **fields) -> Course:
    """A new course; see `save_course` for the fields."""
    return save_course(actor, None, **fields)


def save_course(
    actor: User | None,
    course: Course | None,
    *,
    code: str,
    title: str,
    hours: int,
    delivery_mode: DeliveryMode,
    description: str = "",
    needs_manager_approval: bool = False,
    outcomes: list[tuple[int, int, int | None]] = (),
    level_prerequisites: list[tuple[int, int]] = (),
    course_prerequisites: list[int] = (),
) -> Course:
    """Create or update a course with its outcomes (competency id, level, validity in months or
    None) and prerequisites ((competency id, minimum level), and course ids).

    Changes apply to what happens next: evidence and certificates already issued stay as they were.
    """
    require_role(actor, Role.HR)
    if course is not None:
        course = locked_get(Course, course.id, "That course no longer exists.")
    code = code.strip().upper()
    if not code or not title.strip():
        raise Invalid("A course needs a code and a title.", field="code" if not code else "title")
    clash = sa.select(Course.id).where(Course.code == code)
    if course is not None:
        clash = clash.where(Course.id != course.id)
    if db.session.scalar(clash):
        raise Conflict(f"The code {code} is already used by another course.", field="code")
    if not 1 <= hours <= 1000:
        raise Invalid("Hours are a whole number from 1 to 1,000.", field="hours")
    _check_outcomes(outcomes, level_prerequisites, course_prerequisites)
    creating = course is None
    if creating:
        course = Course()
        db.session.add(course)
    else:
        _check_no_cycle(course.id, course_prerequisites)
    before = None if creating else _course_state(course)
    course.code, course.title, course.description = code, title.strip(), description.strip()
    course.hours, course.delivery_mode = hours, delivery_mode
    course.needs_manager_approval = needs_manager_approval
    course.outcomes = [
        CourseOutcome(competency_id=cid, level=level, validity_months=months)
        for cid, level, months in outcomes
    ]
    course.level_prerequisites = [
        CourseLevelPrerequisite(competency_id=cid, min_level=level)
        for cid, level in level_prerequisites
    ]
    course.course_prerequisites = [
        CourseCoursePrerequisite(required_course_id=cid) for cid in course_prerequisites
    ]
    db.session.flush()
    after = _course_state(course)
    if creating:
        audit.record(actor, "course.created", course, after=after)
    else:
        old, new = audit.changed(before, after)
        if new:
            audit.record(actor, "course.updated", course, before=old, after=new)
    return course


def _course_state(course: Course) -> dict:
    return audit.snapshot(course, COURSE_FIELDS) | {
        "outcomes": sorted([o.competency_id, o.level, o.validity_months] for o in course.outcomes),
        "level_prerequisites": sorted(
            [p.competency_id, p.min_level] for p in course.level_prerequisites
        ),
        "course_prerequisites": sorted(p.required_course_id for p in course.course_prerequisites),
    }


def _check_no_cycle(course_id: int, required: list[int]) -> None:
    """A course cannot need itself, directly or through the courses it needs."""
    edges: dict[int, list[int]] = {}
    for source, target in db.session.execute(
        sa.select(
            CourseCoursePrerequisite.course_id, CourseCoursePrerequisite.required_course_id
        ).where(CourseCoursePrerequisite.course_id != course_id)
    ):
        edges.setdefault(source, []).append(target)
    seen, waiting = set(), list(required)
    while waiting:
        current = waiting.pop()
        if current == course_id:
            raise Invalid(
                "A course cannot need itself first, directly or through other courses.",
                field="required_courses",
            )
        if current not in seen:
            seen.add(current)
            waiting.extend(edges.get(current, []))


def _check_outcomes(outcomes, level_prerequisites, course_prerequisites) -> None:
    if not outcomes:
        raise Invalid("A course develops at least one competency.", field="outcomes")
    ids = [cid for cid, _, _ in outcomes]
    if len(set(ids)) != len(ids):
        raise Invalid("Each competency can be listed only once.", field="outcomes")
    for _, level, months in outcomes:
        if level not in LEVELS:
            raise Invalid("A level granted is between 1 and 5.", field="outcomes")
        if months is not None and not 1 <= months <= 240:
            raise Invalid("Validity is a number of months from 1 to 240.", field="outcomes")
    for _, level in level_prerequisites:
        if level not in LEVELS:
            raise Invalid("A prerequisite level is between 1 and 5.", field="prerequisites")
    wanted = set(ids) | {cid for cid, _ in level_prerequisites}
    found = db.session.scalar(
        sa.select(sa.func.count(Competency.id)).where(Competency.id.in_(wanted))
    )
    if found != len(wanted):
        raise Invalid("One of the chosen competencies does not exist.", field="outcomes")
    if course_prerequisites:
        found = db.session.scalar(
            sa.select(sa.func.count(Course.id)).where(Course.id.in_(set(course_prerequisites)))
        )
        if found != len(set(course_prerequisites)):
            raise Invalid("One of the prerequisite courses does not exist.", field="prerequisites")


def create_session(
    actor: User | None,
    course: Course,
    *,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    location: str = "",
    online_url: str = "",
    instructor: Employee | None = None,
) -> CourseSession:
    require_role(actor, Role.HR)
    _check_session(starts_at, ends_at, capacity, location, online_url)
    session = CourseSession(
        course_id=course.id,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        location=location.strip(),
        online_url=online_url.strip(),
        instructor_id=instructor.id if instructor else None,
    )
    db.session.add(session)
    db.session.flush()
    audit.record(
        actor,
        "course_session.created",
        session,
        after={"course": course.code} | audit.snapshot(session, SESSION_FIELDS),
        label=f"{course.code} on {starts_at:%Y-%m-%d}",
    )
    return session


def update_session(
    actor: User | None,
    session: CourseSession,
    *,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    location: str = "",
    online_url: str = "",
    instructor: Employee | None = None,
) -> CourseSession:
    """Reschedule, move or change the instructor of a session still to come; the people holding
    or waiting for a place are told when the time or place changes."""
    require_role(actor, Role.HR)
    session = locked_get(CourseSession, session.id, "That session no longer exists.")
    if session.cancelled:
        raise Conflict("This session is cancelled; its details can no longer change.")
    if session.starts_at <= clock.now():
        raise Invalid("This session has started; its details can no longer change.")
    _check_session(starts_at, ends_at, capacity, location, online_url)
    if starts_at <= clock.now():
        raise Invalid("Choose a start that is still to come.", field="starts_at")
    before = audit.snapshot(session, SESSION_FIELDS)
    session.starts_at, session.ends_at = starts_at, ends_at
    session.location, session.online_url = location.strip(), online_url.strip()
    session.instructor_id = instructor.id if instructor else None
    db.session.flush()
    old, new = audit.changed(before, audit.snapshot(session, SESSION_FIELDS))
    if new:
        label = f"{session.course.code} on {session.starts_at:%Y-%m-%d}"
        audit.record(actor, "course_session.updated", session, before=old, after=new, label=label)
    if new.keys() & {"starts_at", "ends_at", "location", "online_url"}:
        # Calendars replace the entry they hold only for a higher SEQUENCE under the same UID.
        session.calendar_sequence += 1
        db.session.flush()
        _tell_participants(session)
    if capacity != session.capacity:
        set_capacity(actor, session, capacity)
    return session


def _tell_participants(session: CourseSession) -> None:
    rows = db.session.scalars(
        sa.select(Enrollment)
        .options(joinedload(Enrollment.employee).joinedload(Employee.user))
        .where(Enrollment.session_id == session.id, Enrollment.status.in_(OPEN_STATUSES))
    )
    for enrollment in rows:
        user = enrollment.employee.user
        if user is not None and user.active:
            with written_in(user.locale):
                notify(
                    user,
                    gettext("Changed: %(course)s", course=session.course.title),
                    gettext(
                        "The session now runs from %(start)s at %(place)s. The calendar file "
                        "linked here replaces the entry in your calendar.",
                        start=format_datetime(session.starts_at),
                        place=session.location or session.online_url,
                    ),
                    link=url_for("academy.session_calendar", session_id=session.id),
                )


def cancel_session(actor: User | None, session: CourseSession, reason: str) -> CourseSession:
    """HR cancels a session still to come: every place held or waited for is withdrawn (no one
    is moved up: there is no session to move into), and each person is told, with the calendar
    file that takes the event back."""
    require_role(actor, Role.HR)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Say why the session is cancelled: the people with a place are told.")
    session = locked_get(CourseSession, session.id, "That session no longer exists.")
    if session.cancelled:
        raise Conflict("This session is already cancelled.")
    if session.starts_at <= clock.now():
        raise Invalid("This session has started; it can no longer be cancelled.")
    places = list(
        db.session.scalars(
            sa.select(Enrollment)
            .options(joinedload(Enrollment.employee).joinedload(Employee.user))
            .where(Enrollment.session_id == session.id, Enrollment.status.in_(OPEN_STATUSES))
            .order_by(Enrollment.id)
        )
    )
    for enrollment in places:
        move(ENROLLMENT, enrollment, EnrollmentStatus.WITHDRAWN, actor, reason=reason)
    session.enrolled = 0
    session.cancelled_at, session.cancellation_reason = clock.now(), reason
    session.calendar_sequence += 1
    db.session.flush()
    label = f"{session.course.code} on {session.starts_at:%Y-%m-%d}"
    audit.record(
        actor,
        "course_session.cancelled",
        session,
        after={"places_withdrawn": len(places)},
        reason=reason,
        label=label,
    )
    for enrollment in places:
        user = enrollment.employee.user
        if user is not None and user.active:
            with written_in(user.locale):
                notify(
                    user,
                    gettext("Cancelled: %(course)s", course=session.course.title),
                    gettext(
                        "The session of %(start)s is cancelled: %(reason)s The calendar file "
                        "linked here takes it out of your calendar.",
                        start=format_datetime(session.starts_at),
                        reason=reason,
                    ),
                    link=url_for("academy.session_calendar", session_id=session.id),
                )
    return session


def _check_session(starts_at, ends_at, capacity, location, online_url) -> None:
    if ends_at <= starts_at:
        raise Invalid("A session ends after it starts.", field="ends_at")
    if not 1 <= capacity <= 10000:
        raise Invalid("Capacity is a whole number from 1 to 10,000.", field="capacity")
    if not location.strip() and not online_url.strip():
        raise Invalid("Give a location or an online link.", field="location")


def set_capacity(actor: User | None, session: CourseSession, capacity: int) -> CourseSession:
    """Change the seats; more seats go at once to the people waiting."""
    require_role(actor, Role.HR)
    session = locked_get(CourseSession, session.id, "That session no longer exists.")
    if not 1 <= capacity <= 10000:
        raise Invalid("Capacity is a whole number from 1 to 10,000.", field="capacity")
    if capacity < session.enrolled:
        raise Invalid(
            f"{session.enrolled} people already have a seat; capacity cannot be lower than "
            "that. Withdraw someone first.",
            field="capacity",
        )
    before = session.capacity
    if before == capacity:
        return session
    session.capacity = capacity
    db.session.flush()
    audit.record(
        actor,
        "course_session.capacity_changed",
        session,
        before={"capacity": before},
        after={"capacity": capacity},
        label=f"{session.course.code} on {session.starts_at:%Y-%m-%d}",
    )
    if capacity > before:
        promote_from_waitlist(actor, session)
    return session
