"""The demo city's academy: courses across the framework, past sessions with results and
certificates, sessions to come (some full, with a waitlist), and requests awaiting a manager."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from academy import completion, enrolment, services
from academy.models import ENROLLMENT, CourseSession, DeliveryMode, Enrollment, EnrollmentStatus
from civicladder import clock
from civicladder.db import db
from civicladder.lifecycle import move
from people.models import Employee, EmployeeStatus

SEED = 4711
M = DeliveryMode
# code, title, hours, delivery, manager approval, outcomes (competency, level, validity months),
# level prerequisites (competency, level), course prerequisites (codes)
COURSES = [
    ("ACA-COMM1", "Plain language with residents", 6, M.IN_PERSON, False,
     [("RES-COMM", 2, None)], [], []),
    ("ACA-COMM2", "Difficult conversations at the counter", 12, M.BLENDED, True,
     [("RES-COMM", 3, None), ("RES-DEESC", 3, 36)], [("RES-COMM", 2)], ["ACA-COMM1"]),
    ("ACA-DEESC", "De-escalation in the field", 8, M.IN_PERSON, False,
     [("RES-DEESC", 2, 36)], [], []),
    ("ACA-LANG", "Working with interpreters", 4, M.ONLINE, False, [("RES-LANG", 2, None)], [], []),
    ("ACA-ACCESS", "Accessible service for every resident", 6, M.ONLINE, False,
     [("RES-ACCESS", 2, None)], [], []),
    ("ACA-CASE", "Case management fundamentals", 16, M.BLENDED, True,
     [("RES-CASE", 3, None)], [("RES-COMM", 2)], []),
    ("ACA-PERMIT", "Permit review essentials", 14, M.IN_PERSON, True,
     [("REG-PERMIT", 3, None), ("REG-CODE", 2, None)], [], []),
    ("ACA-INSPECT", "Field inspection practice", 20, M.IN_PERSON, True,
     [("REG-INSPECT", 3, 24)], [("REG-CODE", 2)], []),
    ("ACA-ENFORCE", "Fair and consistent enforcement", 8, M.BLENDED, False,
     [("REG-ENFORCE", 3, None)], [], []),
    ("ACA-SAFETY", "Workplace safety recertification", 4, M.IN_PERSON, False,
     [("OPS-SAFETY", 3, 24)], [], []),
    ("ACA-EQUIP", "Small equipment operation", 8, M.IN_PERSON, False,
     [("OPS-EQUIP", 3, 36)], [("OPS-SAFETY", 2)], []),
    ("ACA-EMERG", "Emergency response basics", 6, M.IN_PERSON, False,
     [("OPS-EMERG", 2, 12)], [], []),
    ("ACA-DATA1", "Data literacy for public servants", 6, M.ONLINE, False,
     [("DATA-LIT", 2, None)], [], []),
    ("ACA-DATA2", "Analysing service data", 12, M.ONLINE, True,
     [("DATA-ANALYSIS", 3, None)], [("DATA-LIT", 2)], ["ACA-DATA1"]),
    ("ACA-PRIV", "Protecting residents' data", 3, M.ONLINE, False,
     [("DATA-PRIV", 2, 12)], [], []),
    ("ACA-ETHICS", "Public service ethics", 3, M.ONLINE, False,
     [("STW-ETHICS", 2, 24)], [], []),
    ("ACA-SUPERV", "First-time supervisors", 24, M.BLENDED, True,
     [("LEAD-SUPERV", 3, None), ("LEAD-COACH", 2, None)], [], []),
]  # fmt: skip

# Sessions per course: days from today and seats. The ACA-SAFETY session in 12 days is small
# and gets more requests than seats, so the demo shows a waitlist.
PAST = (-200, -60)
FUTURE = ((12, 12), (45, 20))
FULL_COURSE = "ACA-SAFETY"
FULL_SEATS = 6
# The demo employee completed this course last quarter, so their certificate is there to open.
DEMO_EMPLOYEE_COURSE = "ACA-DEESC"


def build(built: dict) -> None:
    rng = random.Random(SEED)
    competencies = built["competencies"]
    courses = {}
    for code, title, hours, mode, approval, outcomes, levels, requires in COURSES:
        courses[code] = services.create_course(
            None,
            code=code,
            title=title,
            hours=hours,
            delivery_mode=mode,
            needs_manager_approval=approval,
            description=f"{title}: a course of the city's training academy.",
            outcomes=[(competencies[c], level, months) for c, level, months in outcomes],
            level_prerequisites=[(competencies[c], level) for c, level in levels],
            course_prerequisites=[courses[c].id for c in requires],
        )
    people = list(
        db.session.scalars(
            sa.select(Employee)
            .where(Employee.status == EmployeeStatus.ACTIVE)
            .order_by(Employee.employee_number)
        )
    )
    demo_employee = built.get("demo_employees", {}).get("employee")
    learners = [p for p in people if p.id != demo_employee]
    instructors = rng.sample(learners, 6)
    for index, (code, course) in enumerate(courses.items()):
        instructor = instructors[index % len(instructors)]
        others = [p for p in learners if p is not instructor]
        for days in PAST:
            session = _session(course, days, 15, instructor, index)
            _past_results(rng, session, others)
        if code == DEMO_EMPLOYEE_COURSE and demo_employee is not None:
            days = (last_quarter_day(clock.today()) - clock.today()).days
            session = _session(course, days, 15, instructor, index)
            _past_results(rng, session, others, completer=db.session.get(Employee, demo_employee))
        for days, seats in FUTURE:
            seats = FULL_SEATS if code == FULL_COURSE and days == FUTURE[0][0] else seats
            session = _session(course, days, seats, instructor, index)
            if course.needs_manager_approval or course.level_prerequisites:
                continue
            full = code == FULL_COURSE and seats == FULL_SEATS
            wanted = FULL_SEATS + 3 if full else rng.randint(2, 6)
            _future_requests(rng, session, learners, instructor, wanted)
            if full and demo_employee is not None:
                # The demo employee's safety evidence has lapsed: they wait for a seat.
                enrolment.request_seat(None, session, db.session.get(Employee, demo_employee))
    _pending_approvals(rng, courses, learners, built.get("demo_employees", {}).get("manager"))
    built["courses"] = {code: course.id for code, course in courses.items()}


def _session(course, days: int, seats: int, instructor: Employee, index: int) -> CourseSession:
    day = clock.today() + timedelta(days=days)
    starts = datetime.combine(day, time(14 + index % 3, 0), tzinfo=UTC)
    online = course.delivery_mode == DeliveryMode.ONLINE
    return services.create_session(
        None,
        course,
        starts_at=starts,
        ends_at=starts + timedelta(hours=min(course.hours, 7)),
        capacity=seats,
        location="" if online else f"Training Center, Room {101 + index}",
        online_url="https://meet.city.example.gov/academy" if online else "",
        instructor=instructor,
    )


def last_quarter_day(today: date) -> date:
    """The middle of the calendar quarter before today's."""
    first_month = (today.month - 1) // 3 * 3 + 1  # of this quarter
    year, month = (today.year, first_month - 2) if first_month > 1 else (today.year - 1, 11)
    return date(year, month, 15)


def _past_results(
    rng: random.Random,
    session: CourseSession,
    learners: list[Employee],
    completer: Employee | None = None,
) -> None:
    """A session that has happened: seats taken then, results recorded since; `completer`,
    when given, took part and completed."""
    group = rng.sample(learners, rng.randint(6, 12)) + ([completer] if completer else [])
    for person in group:
        enrollment = Enrollment(session_id=session.id, employee_id=person.id)
        db.session.add(enrollment)
        db.session.flush()
        session.arrivals += 1
        session.enrolled += 1
        enrollment.arrival = session.arrivals
        move(ENROLLMENT, enrollment, EnrollmentStatus.ENROLLED, None)
    db.session.flush()
    for enrollment in db.session.scalars(
        sa.select(Enrollment).where(Enrollment.session_id == session.id).order_by(Enrollment.id)
    ):
        roll = rng.random()
        result = (
            EnrollmentStatus.COMPLETED
            if roll < 0.8
            else EnrollmentStatus.FAILED
            if roll < 0.9
            else EnrollmentStatus.NO_SHOW
        )
        if completer is not None and enrollment.employee_id == completer.id:
            result = EnrollmentStatus.COMPLETED
        score = rng.randint(70, 100) if result == EnrollmentStatus.COMPLETED else None
        completion.record_result(None, enrollment, result, score)


def _future_requests(rng, session, learners, instructor, wanted: int) -> None:
    for person in rng.sample([p for p in learners if p is not instructor], wanted):
        enrolment.request_seat(None, session, person)


def _pending_approvals(rng, courses, learners, manager_id: int | None) -> None:
    """Requests for courses that need a manager, left for the managers' queues (the demo
    manager's among them)."""
    managed = [p for p in learners if p.manager_id == manager_id] or [
        p for p in learners if p.manager_id is not None
    ]
    for code in ("ACA-PERMIT", "ACA-SUPERV"):
        session = db.session.scalar(
            sa.select(CourseSession)
            .where(CourseSession.course_id == courses[code].id)
            .where(CourseSession.starts_at > clock.now())
            .order_by(CourseSession.starts_at)
            .limit(1)
        )
        for person in rng.sample(managed, min(3, len(managed))):
            enrolment.request_seat(None, session, person)
