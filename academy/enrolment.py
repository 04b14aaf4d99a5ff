"""Enrolment: requesting a seat, the manager's decision, withdrawing, and the waitlist.

A seat is taken by a conditional UPDATE of the session's counter (`enrolled < capacity`),
backed by the CHECK (enrolled <= capacity) on the table. Every change that hands out or frees
seats first bumps the session's `arrivals` counter or locks the session row, so the changes to
one session queue on that row (PostgreSQL) or on the write lock (SQLite, `BEGIN IMMEDIATE`):
the waitlist is served in the order the database took the requests, however many arrive at once.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext

from academy import queries
from academy.models import ENROLLMENT, OPEN_STATUSES, CourseSession, Enrollment
from academy.models import EnrollmentStatus as S
from civicladder import audit, clock
from civicladder.access import Role
from civicladder.db import claimed, db, locked_get
from civicladder.errors import Conflict, Forbidden, Invalid, NotFound
from civicladder.languages import written_in
from civicladder.layout import format_date
from civicladder.lifecycle import move
from civicladder.models import User
from civicladder.notify import notify
from people import queries as people_queries
from people.models import Employee, EmployeeStatus


def request_seat(actor: User | None, session: CourseSession, employee: Employee) -> Enrollment:
    """The employee asks for a seat: enrolled, waitlisted, or waiting for their manager."""
    if actor is not None and people_queries.own_employee_id(actor) != employee.id:
        raise Forbidden("You can ask for a seat only for yourself.")
    if employee.status == EmployeeStatus.SEPARATED:
        raise Invalid("People who have left the city's service cannot enrol.")
    if session.cancelled:
        raise Invalid("This session was cancelled; choose another one.")
    if session.starts_at <= clock.now():
        raise Invalid("This session has already started; choose a later one.")
    if session.instructor_id == employee.id:
        raise Invalid("You teach this session, so you cannot take a seat in it.")
    earlier = db.session.scalar(
        sa.select(Enrollment).where(
            Enrollment.session_id == session.id, Enrollment.employee_id == employee.id
        )
    )
    if earlier is not None and earlier.status not in (S.WITHDRAWN, S.DECLINED):
        raise Conflict(
            f"You already have a place request for this session ({earlier.status.label})."
        )
    unmet = queries.unmet_prerequisites(session.course, employee.id)
    if unmet:
        raise Invalid("This course needs first: " + "; ".join(unmet) + ".")
    if earlier is not None:
        enrollment = move(ENROLLMENT, earlier, S.REQUESTED, actor)
        enrollment.decided_by_id, enrollment.decision_reason = None, ""
    else:
        enrollment = Enrollment(session_id=session.id, employee_id=employee.id)
        db.session.add(enrollment)
        db.session.flush()
        audit.record(
            actor,
            "enrollment.requested",
            enrollment,
            after={"session": session.id, "employee": employee.employee_number},
            label=_label(enrollment, session, employee),
        )
    if session.course.needs_manager_approval:
        _ask_manager(employee, session)
    else:
        _take_place(actor, enrollment, session)
    return enrollment


def _label(enrollment: Enrollment, session: CourseSession, employee: Employee) -> str:
    return f"{employee.full_name}: {session.course.code} on {session.starts_at:%Y-%m-%d}"


def _take_place(actor: User | None, enrollment: Enrollment, session: CourseSession) -> None:
    """Give the enrolment a seat if one is left, else a place on the waitlist."""
    enrollment.arrival = db.session.execute(
        sa.update(CourseSession)
        .where(CourseSession.id == session.id)
        .values(arrivals=CourseSession.arrivals + 1)
        .returning(CourseSession.arrivals)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    ahead = db.session.scalar(
        sa.select(sa.func.count(Enrollment.id)).where(
            Enrollment.session_id == session.id, Enrollment.status == S.WAITLISTED
        )
    )
    seat = not ahead and _claim_seat(session.id)
    move(ENROLLMENT, enrollment, S.ENROLLED if seat else S.WAITLISTED, actor)
    db.session.expire(session, ["enrolled", "arrivals"])


def _claim_seat(session_id: int) -> bool:
    return claimed(
        sa.update(CourseSession)
        .where(CourseSession.id == session_id, CourseSession.enrolled < CourseSession.capacity)
        .values(enrolled=CourseSession.enrolled + 1)
        .execution_options(synchronize_session=False)
    )


def _free_seat(session_id: int) -> None:
    db.session.execute(
        sa.update(CourseSession)
        .where(CourseSession.id == session_id)
        .values(enrolled=CourseSession.enrolled - 1)
        .execution_options(synchronize_session=False)
    )


def _ask_manager(employee: Employee, session: CourseSession) -> None:
    manager = employee.manager
    if manager is not None and manager.user is not None and manager.user.active:
        with written_in(manager.user.locale):
            notify(
                manager.user,
                gettext("Training request from %(name)s", name=employee.full_name),
                gettext(
                    "%(name)s asks for a seat in %(course)s on %(day)s.",
                    name=employee.full_name,
                    course=session.course.title,
                    day=format_date(session.starts_at),
                ),
                link=url_for("academy.approvals"),
            )


def may_decide(actor: User | None, enrollment: Enrollment) -> bool:
    """A manager decides for the people in their reporting line, never for themselves."""
    if actor is None:
        return True
    if people_queries.own_employee_id(actor) == enrollment.employee_id:
        return False
    return actor.has_role(Role.MANAGER) and people_queries.can_view(actor, enrollment.employee_id)


def _check_may_decide(actor: User | None, enrollment: Enrollment) -> None:
    if actor is not None and people_queries.own_employee_id(actor) == enrollment.employee_id:
        raise Forbidden("You cannot approve or decline your own training request.")
    if not may_decide(actor, enrollment):
        raise NotFound("There is no training request at this address that you can decide.")


def approve(actor: User | None, enrollment: Enrollment) -> Enrollment:
    _check_may_decide(actor, enrollment)
    session = locked_get(CourseSession, enrollment.session_id)
    if session.starts_at <= clock.now():
        raise Invalid("This session has already started, so the request can only be declined.")
    move(ENROLLMENT, enrollment, S.APPROVED, actor)
    enrollment.decided_by_id = actor.id if actor is not None else None
    _take_place(actor, enrollment, session)
    seated = enrollment.status == S.ENROLLED
    _tell(
        enrollment,
        lambda: gettext("Approved: %(course)s", course=session.course.title),
        lambda: (
            gettext("Your manager approved your request.")
            + " "
            + (
                gettext("You have a seat.")
                if seated
                else gettext("The session is full, so you are on the waitlist.")
            )
        ),
    )
    return enrollment


def decline(actor: User | None, enrollment: Enrollment, reason: str) -> Enrollment:
    _check_may_decide(actor, enrollment)
    locked_get(CourseSession, enrollment.session_id)
    move(ENROLLMENT, enrollment, S.DECLINED, actor, reason=reason)
    enrollment.decided_by_id = actor.id if actor is not None else None
    enrollment.decision_reason = reason.strip()
    _tell(
        enrollment,
        lambda: gettext("Declined: %(course)s", course=enrollment.session.course.title),
        lambda: gettext("Your manager declined your request: %(reason)s", reason=reason.strip()),
    )
    return enrollment


def withdraw(actor: User | None, enrollment: Enrollment, reason: str | None = None) -> Enrollment:
    """The employee (or HR) gives up a place; a freed seat goes to the first person waiting."""
    check_may_withdraw(actor, enrollment)
    session = locked_get(CourseSession, enrollment.session_id)
    if session.starts_at <= clock.now():
        raise Invalid("This session has already started; ask the instructor to record it.")
    held_seat = enrollment.status == S.ENROLLED
    move(ENROLLMENT, enrollment, S.WITHDRAWN, actor, reason=reason)
    if held_seat:
        _free_seat(session.id)
        promote_from_waitlist(actor, session)
    if actor is None or people_queries.own_employee_id(actor) != enrollment.employee_id:
        # Someone else gave up the place for them: they are told, with the calendar file that
        # takes the session out of their calendar.
        user = enrollment.employee.user
        if user is not None and user.active:
            with written_in(user.locale):
                day = format_date(session.starts_at)
                if reason and reason.strip():
                    body = gettext(
                        "Your place in the session of %(day)s was withdrawn: %(reason)s.",
                        day=day,
                        reason=reason.strip().rstrip("."),
                    )
                else:
                    body = gettext("Your place in the session of %(day)s was withdrawn.", day=day)
                notify(
                    user,
                    gettext("Withdrawn: %(course)s", course=session.course.title),
                    body
                    + " "
                    + gettext("The calendar file linked here takes it out of your calendar."),
                    link=url_for("academy.session_calendar", session_id=session.id),
                )
    return enrollment


def check_may_withdraw(actor: User | None, enrollment: Enrollment) -> None:
    """The person enrolled, or HR; to anyone else the enrolment is not there."""
    own = actor is not None and people_queries.own_employee_id(actor) == enrollment.employee_id
    if actor is not None and not own and not actor.has_role(Role.HR):
        raise NotFound("There is no enrolment at this address that you can change.")


def promote_from_waitlist(actor: User | None, session: CourseSession) -> list[Enrollment]:
    """Fill free seats from the waitlist in arrival order; the caller holds the session's lock."""
    promoted = []
    while True:
        first = db.session.scalar(
            sa.select(Enrollment)
            .where(Enrollment.session_id == session.id, Enrollment.status == S.WAITLISTED)
            .order_by(Enrollment.arrival, Enrollment.id)
            .limit(1)
        )
        if first is None or not _claim_seat(session.id):
            break
        move(ENROLLMENT, first, S.ENROLLED, actor)
        _tell(
            first,
            lambda: gettext("You have a seat: %(course)s", course=session.course.title),
            lambda: gettext(
                "A seat freed up in %(course)s on %(day)s, and it is yours.",
                course=session.course.title,
                day=format_date(session.starts_at),
            ),
        )
        promoted.append(first)
    db.session.expire(session, ["enrolled"])
    return promoted


def withdraw_separated(actor: User | None, employee_ids: list[int]) -> int:
    """Withdraw separated employees from sessions still to come; seats go to the waitlists."""
    if not employee_ids:
        return 0
    rows = list(
        db.session.scalars(
            sa.select(Enrollment)
            .join(CourseSession, CourseSession.id == Enrollment.session_id)
            .where(
                Enrollment.employee_id.in_(employee_ids),
                Enrollment.status.in_(OPEN_STATUSES),
                CourseSession.starts_at > clock.now(),
            )
            .order_by(Enrollment.session_id, Enrollment.id)
        )
    )
    for enrollment in rows:
        withdraw(None, enrollment, reason="Left the city's service")
    return len(rows)


def on_employee_separated(sender, employee_ids=(), **extra) -> None:
    withdraw_separated(sender, list(employee_ids))


def _tell(enrollment: Enrollment, subject: Callable[[], str], body: Callable[[], str]) -> None:
    """Tell the person enrolled, in their language: `subject` and `body` write the words."""
    user = enrollment.employee.user
    if user is not None and user.active:
        with written_in(user.locale):
            notify(
                user,
                subject(),
                body(),
                link=url_for("academy.session", session_id=enrollment.session_id),
            )


def get_enrollment(enrollment_id: int) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise NotFound("There is no enrolment at this address.")
    return enrollment
