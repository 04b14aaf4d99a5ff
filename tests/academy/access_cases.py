"""The academy's rows of the access matrix: catalog, sessions, seats, approvals, rosters."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from academy.models import EnrollmentStatus
from civicladder.db import db
from civicladder.models import User
from people.models import Employee
from tests.academy.factories import academy_factories
from tests.civicladder.access_cases import (
    EVERYONE_SIGNED_IN,
    REJECTED,
    ROLES,
    Case,
    only,
    recorded,
)

COMPLETED = EnrollmentStatus.COMPLETED


def _employee_of(user_id: int) -> Employee:
    return db.session.scalar(sa.select(Employee).where(Employee.user_id == user_id))


def world(kit, ids: dict) -> dict:
    """A course with a session to come (the employee holds a seat in it), another with room,
    a session that has started with one participant, and a request waiting for the manager,
    all taught by an instructor who holds no other role."""
    academy = academy_factories(kit.competencies)
    instructor, instructor_user = kit.people.employee_user()
    course = academy.course()
    upcoming = academy.session(course, capacity=5, instructor=instructor)
    open_session = academy.session(course, days=14, instructor=instructor)
    started = academy.session(course, days=-1, instructor=instructor)
    participant = academy.enrollment(started, kit.people.employee())
    not_passed = academy.enrollment(started, kit.people.employee(), EnrollmentStatus.FAILED)
    own = academy.enrollment(upcoming, _employee_of(ids["users"]["employee"]))
    report = kit.people.employee(manager=_employee_of(ids["users"]["manager"]))
    approval = academy.session(academy.course(needs_manager_approval=True))
    pending = academy.enrollment(approval, report, EnrollmentStatus.REQUESTED)
    done = academy.enrollment(
        academy.session(course, days=-30), _employee_of(ids["users"]["employee"]), COMPLETED
    )
    certificate = academy.certificate(done)
    return {
        "completed_enrollment": done.id,
        "certificate": certificate.id,
        "course": course.id,
        "upcoming_session": upcoming.id,
        "open_session": open_session.id,
        "started_session": started.id,
        "participant": participant.id,
        "not_passed": not_passed.id,
        "own_enrollment": own.id,
        "pending_enrollment": pending.id,
        "instructor_user": instructor_user.id,
    }


@pytest.fixture
def instructor_of_session(world, client_as):
    """The instructor of the world's sessions: an employee with no other role."""
    return client_as(db.session.get(User, world["instructor_user"]))


ACTORS: tuple[str, ...] = ("instructor_of_session",)

NOT_YOURS = 404  # scoped in the service: someone else's enrolment is not there for you
# The employee's own certificate: theirs and HR's to open (the world's manager is not theirs).
OWN_RECORD = only({"employee": 200, "hr": 200}, others=NOT_YOURS)

COURSE_FORM = {
    "code": "MX-101",
    "title": "Matrix course",
    "hours": "6",
    "delivery_mode": "online",
    "outcomes-0-competency_id": "{competency}",
    "outcomes-0-level": "3",
    "outcomes-0-validity_months": "24",
}

CASES = [
    Case("academy.catalog", "GET", "/academy", EVERYONE_SIGNED_IN),
    Case("academy.course", "GET", "/academy/courses/{course}", EVERYONE_SIGNED_IN),
    Case("academy.session", "GET", "/academy/sessions/{upcoming_session}", EVERYONE_SIGNED_IN),
    Case(
        "academy.request_seat",
        "POST",
        "/academy/sessions/{open_session}/request",
        # The instructor is an employee too, but does not take a seat in their own session.
        only({"employee": 302, "manager": 302}) | {"instructor_of_session": REJECTED},
        records=recorded("enrollment.requested", "employee", "manager"),
    ),
    Case(
        "academy.withdraw",
        "GET",
        "/academy/enrollments/{own_enrollment}/withdraw",
        only({"employee": 200, "hr": 200}, others=NOT_YOURS),
    ),
    Case(
        "academy.withdraw",
        "POST",
        "/academy/enrollments/{own_enrollment}/withdraw",
        only({"employee": 302, "hr": 302}, others=NOT_YOURS),
        records=recorded("enrollment.withdrawn", "employee", "hr"),
    ),
    Case(
        "academy.set_capacity",
        "POST",
        "/academy/sessions/{upcoming_session}/capacity",
        only({"hr": 302}),
        {"capacity": "8"},
        recorded("course_session.capacity_changed", "hr"),
    ),
    Case("academy.approvals", "GET", "/academy/approvals", only({"manager": 200})),
    Case(
        "academy.approve",
        "POST",
        "/academy/enrollments/{pending_enrollment}/approve",
        only({"manager": 302}),
        records=recorded("enrollment.approved", "manager"),
    ),
    Case(
        "academy.decline",
        "POST",
        "/academy/enrollments/{pending_enrollment}/decline",
        only({"manager": 302}),
        {"reason": "The budget for this quarter is spent."},
        recorded("enrollment.declined", "manager"),
    ),
    Case(
        "academy.roster",
        "GET",
        "/academy/sessions/{started_session}/roster",
        only({"hr": 200}) | {"instructor_of_session": 200},
    ),
    Case(
        "academy.record_result",
        "POST",
        "/academy/sessions/{started_session}/enrollments/{participant}/result",
        only({"hr": 302}) | {"instructor_of_session": 302},
        {"result": "completed", "score": "90"},
        recorded("enrollment.completed", "hr", "instructor_of_session"),
    ),
    Case("academy.certificate", "GET", "/academy/certificates/{certificate}", OWN_RECORD),
    Case("academy.certificate_pdf", "GET", "/academy/certificates/{certificate}/pdf", OWN_RECORD),
    Case(
        "academy.certificate_credential",
        "GET",
        "/academy/certificates/{certificate}/credential.jwt",
        OWN_RECORD,
    ),
    # The shell serves the status lists; the certificates' list is the academy's.
    Case(
        "credentials.status_list",
        "GET",
        "/credentials/status/certificates",
        dict.fromkeys(ROLES, 200),
    ),
    Case("academy.verify", "GET", "/verify", dict.fromkeys(ROLES, 200)),
    Case(
        "academy.revoke_certificate",
        "GET",
        "/academy/certificates/{certificate}/revoke",
        only({"hr": 200}),
    ),
    Case(
        "academy.revoke_certificate",
        "POST",
        "/academy/certificates/{certificate}/revoke",
        only({"hr": 302}),
        {"reason": "Issued in error."},
        recorded("certificate.revoked", "hr"),
    ),
    Case(
        "academy.correct_result",
        "GET",
        "/academy/sessions/{started_session}/enrollments/{not_passed}/correct",
        only({"hr": 200}) | {"instructor_of_session": 200},
    ),
    Case(
        "academy.correct_result",
        "POST",
        "/academy/sessions/{started_session}/enrollments/{not_passed}/correct",
        only({"hr": 302}) | {"instructor_of_session": 302},
        {"result": "completed", "reason": "Marked as not passed by mistake."},
        recorded("enrollment.corrected.completed", "hr", "instructor_of_session"),
    ),
    Case(
        "academy.my_training",
        "GET",
        "/academy/my-training",
        only({"employee": 200, "manager": 200}),
    ),
    Case(
        "academy.rate",
        "POST",
        "/academy/enrollments/{completed_enrollment}/rating",
        only({"employee": 302, "manager": NOT_YOURS}),
        {"rating": "4", "comment": "Useful"},
        recorded("session_rating.given", "employee"),
    ),
    Case(
        "academy.session_calendar",
        "GET",
        "/academy/sessions/{upcoming_session}/calendar.ics",
        EVERYONE_SIGNED_IN,
    ),
    Case(
        "academy.export",
        "POST",
        "/academy/export",
        only({"hr": 302}),
        records=recorded("export.requested", "hr"),
    ),
    Case("academy.new_course", "GET", "/academy/courses/new", only({"hr": 200})),
    Case(
        "academy.new_course",
        "POST",
        "/academy/courses/new",
        only({"hr": 302}),
        COURSE_FORM,
        recorded("course.created", "hr"),
    ),
    Case("academy.new_session", "GET", "/academy/courses/{course}/sessions/new", only({"hr": 200})),
    Case(
        "academy.new_session",
        "POST",
        "/academy/courses/{course}/sessions/new",
        only({"hr": 302}),
        {
            "starts_at": "2031-03-04T09:00",
            "ends_at": "2031-03-04T16:00",
            "location": "Training Center",
            "capacity": "12",
        },
        recorded("course_session.created", "hr"),
    ),
    Case("academy.edit_course", "GET", "/academy/courses/{course}/edit", only({"hr": 200})),
    Case(
        "academy.edit_course",
        "POST",
        "/academy/courses/{course}/edit",
        only({"hr": 302}),
        COURSE_FORM | {"code": "MX-102", "title": "Renamed course"},
        recorded("course.updated", "hr"),
    ),
    Case(
        "academy.cancel_session",
        "GET",
        "/academy/sessions/{upcoming_session}/cancel",
        only({"hr": 200}),
    ),
    Case(
        "academy.cancel_session",
        "POST",
        "/academy/sessions/{upcoming_session}/cancel",
        only({"hr": 302}),
        {"reason": "The instructor is ill"},
        recorded("course_session.cancelled", "hr"),
    ),
    Case(
        "academy.edit_session",
        "GET",
        "/academy/sessions/{upcoming_session}/edit",
        only({"hr": 200}),
    ),
    Case(
        "academy.edit_session",
        "POST",
        "/academy/sessions/{upcoming_session}/edit",
        only({"hr": 302}),
        {
            "starts_at": "2031-05-06T09:00",
            "ends_at": "2031-05-06T12:00",
            "location": "Annex",
            "capacity": "5",
        },
        recorded("course_session.updated", "hr"),
    ),
]
