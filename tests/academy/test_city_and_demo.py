"""The academy's part of the demo city and of the synthetic city."""

from __future__ import annotations

import sqlalchemy as sa

from academy import records
from academy.certificates import session_days
from academy.models import Certificate, Course, CourseSession, Enrollment
from academy.models import EnrollmentStatus as S
from academy.seed.demo import DEMO_EMPLOYEE_COURSE, last_quarter_day
from civicladder import clock
from civicladder.db import db
from civicladder.models import User
from people import queries as people_queries
from people.models import Employee
from tests.city.test_city import city
from tests.civicladder.test_demo_seed import seed

DEMO_EMPLOYEE_EMAIL = "employee@demo.civicladder.example"


def _enrolled_matches_seats() -> bool:
    holding = (S.ENROLLED, S.ATTENDED, S.COMPLETED, S.FAILED, S.NO_SHOW)
    seats = (
        sa.select(sa.func.count(Enrollment.id))
        .where(Enrollment.session_id == CourseSession.id, Enrollment.status.in_(holding))
        .correlate(CourseSession)
        .scalar_subquery()
    )
    wrong = db.session.scalar(
        sa.select(sa.func.count(CourseSession.id)).where(CourseSession.enrolled != seats)
    )
    return wrong == 0


def test_synthetic_city_has_courses_sessions_and_enrolments_in_proportion(app):
    city(app)
    employees = 300
    courses = db.session.scalar(sa.select(sa.func.count(Course.id)))
    enrolments = db.session.scalar(sa.select(sa.func.count(Enrollment.id)))
    assert courses >= 15
    assert 3 * employees <= enrolments <= 7 * employees
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == db.session.scalar(
        sa.select(sa.func.count(Enrollment.id)).where(Enrollment.status == S.COMPLETED)
    )
    assert _enrolled_matches_seats()
    # Each certificate keeps its course, its session's days and instructor, dated the last day.
    sample = db.session.scalars(sa.select(Certificate).order_by(Certificate.id).limit(20)).all()
    for certificate in sample:
        session = certificate.enrollment.session
        assert (certificate.course_code, certificate.course_title, certificate.hours) == (
            session.course.code,
            session.course.title,
            session.course.hours,
        )
        with app.app_context():  # the city's time zone is the app's
            assert (certificate.first_day, certificate.last_day) == session_days(session)
        assert certificate.issued_on == certificate.last_day
        assert certificate.instructor_name == session.instructor.full_name
        assert [g.level for g in certificate.granted] == [o.level for o in session.course.outcomes]
    statuses = set(db.session.scalars(sa.select(Enrollment.status).distinct()))
    assert {S.COMPLETED, S.ENROLLED, S.WAITLISTED} <= statuses


def test_demo_academy_has_courses_full_sessions_waitlists_and_certificates(app):
    seed(app)
    now = clock.now()
    assert db.session.scalar(sa.select(sa.func.count(Course.id))) >= 15
    full = db.session.scalars(
        sa.select(CourseSession).where(
            CourseSession.starts_at > now, CourseSession.enrolled == CourseSession.capacity
        )
    ).all()
    assert full
    waiting = db.session.scalar(
        sa.select(sa.func.count(Enrollment.id)).where(Enrollment.status == S.WAITLISTED)
    )
    assert waiting >= 3
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) > 50
    assert db.session.scalar(
        sa.select(sa.func.count(Enrollment.id)).where(Enrollment.status == S.REQUESTED)
    )
    past = sa.select(sa.func.count(CourseSession.id)).where(CourseSession.starts_at < now)
    assert db.session.scalar(past) >= 15
    assert _enrolled_matches_seats()
    # README.md, "Demo sign-ins": no demo account teaches; the instructors have no account.
    teaching = sa.select(sa.func.count(CourseSession.id)).join(
        Employee, Employee.id == CourseSession.instructor_id
    )
    assert db.session.scalar(teaching) == db.session.scalar(
        sa.select(sa.func.count(CourseSession.id))
    )
    assert db.session.scalar(teaching.where(Employee.user_id.is_not(None))) == 0


def test_demo_employee_holds_a_certificate_for_a_course_completed_last_quarter(app):
    seed(app)
    user = db.session.scalar(sa.select(User).where(User.email == DEMO_EMPLOYEE_EMAIL))
    employee = people_queries.own_employee(user)
    held = records.certificates_of(employee.id)

    assert [c.course_code for c in held] == [DEMO_EMPLOYEE_COURSE]
    certificate = held[0]
    assert certificate.enrollment.status == S.COMPLETED and not certificate.revoked
    assert certificate.issued_on == last_quarter_day(clock.today())
    assert records.visible_certificate(user, certificate.id) == certificate
