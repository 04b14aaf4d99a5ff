"""Asking for a seat, the manager's decision, withdrawing, and the waitlist that follows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from academy import enrolment, queries, services
from academy.models import CourseSession, Enrollment
from academy.models import EnrollmentStatus as S
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Forbidden, Invalid, NotFound
from civicladder.models import AuditEvent, Notification
from people import signals
from people.models import EmployeeStatus

pytestmark = pytest.mark.usefixtures("app_ctx")


def learner(people, **kwargs):
    """An employee with an account, as the one asking for a seat."""
    return people.employee_user(**kwargs)


def notices(user) -> list[str]:
    return list(
        db.session.scalars(sa.select(Notification.subject).where(Notification.user_id == user.id))
    )


def test_open_session_gives_the_requester_a_seat(people, academy):
    session = academy.session(capacity=2)
    person, user = learner(people)

    enrollment = enrolment.request_seat(user, session, person)

    assert enrollment.status == S.ENROLLED
    assert db.session.get(CourseSession, session.id).enrolled == 1
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "Enrollment")
    ).all()
    assert actions == ["enrollment.requested", "enrollment.enrolled"]


def test_full_session_puts_requester_on_waitlist_with_position(people, academy):
    session = academy.session(capacity=1)
    results = []
    for _ in range(3):
        person, user = learner(people)
        results.append(enrolment.request_seat(user, session, person))

    assert [e.status for e in results] == [S.ENROLLED, S.WAITLISTED, S.WAITLISTED]
    assert [queries.waitlist_position(e) for e in results] == [None, 1, 2]
    assert db.session.get(CourseSession, session.id).enrolled == 1


def test_course_needing_approval_waits_for_the_manager_who_is_told(people, academy):
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    person, user = learner(people, manager=boss)
    session = academy.session(academy.course(needs_manager_approval=True))

    enrollment = enrolment.request_seat(user, session, person)

    assert enrollment.status == S.REQUESTED
    assert db.session.get(CourseSession, session.id).enrolled == 0
    assert any("Training request" in subject for subject in notices(boss_user))
    assert [e.id for e in queries.approval_queue(boss.id)] == [enrollment.id]


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, "already started")],
)
def test_a_started_session_refuses_requests(people, academy, days, message):
    session = academy.session(days=days)
    person, user = learner(people)
    with pytest.raises(Invalid, match=message):
        enrolment.request_seat(user, session, person)


def test_asking_twice_for_the_same_session_is_a_conflict(people, academy):
    session = academy.session()
    person, user = learner(people)
    enrolment.request_seat(user, session, person)
    with pytest.raises(Conflict, match="already have a place request"):
        enrolment.request_seat(user, session, person)


def test_unmet_prerequisites_are_named(people, academy, competencies):
    skill = competencies.competency(name="Permit law")
    first = academy.course(title="Basics")
    course = academy.course(level_prerequisites=[(skill, 2)], course_prerequisites=[first])
    session = academy.session(course)
    person, user = learner(people)

    with pytest.raises(Invalid, match=r"Permit law at 2 Working; the course Basics"):
        enrolment.request_seat(user, session, person)

    competencies.evidence(person, skill, 2)
    done = academy.session(first, days=-30)
    academy.enrollment(done, person, S.COMPLETED)
    assert enrolment.request_seat(user, session, person).status == S.ENROLLED


def test_nobody_enrols_someone_else(people, academy):
    session = academy.session()
    person, _ = learner(people)
    _, other = learner(people)
    with pytest.raises(Forbidden):
        enrolment.request_seat(other, session, person)


def test_a_separated_employee_cannot_enrol(people, academy):
    person, user = learner(people, status=EmployeeStatus.SEPARATED)
    with pytest.raises(Invalid, match="left"):
        enrolment.request_seat(user, academy.session(), person)


# --- the manager's decision --------------------------------------------------------------------


@pytest.fixture
def request_in_line(people, academy):
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    person, user = learner(people, manager=boss)
    session = academy.session(academy.course(needs_manager_approval=True), capacity=1)
    return boss_user, user, enrolment.request_seat(user, session, person)


def test_manager_approval_gives_a_seat_and_tells_the_employee(request_in_line):
    boss_user, user, enrollment = request_in_line

    enrolment.approve(boss_user, enrollment)

    assert enrollment.status == S.ENROLLED
    assert enrollment.decided_by_id == boss_user.id
    assert any(subject.startswith("Approved") for subject in notices(user))


def test_manager_decline_needs_a_reason_and_tells_the_employee(request_in_line):
    boss_user, user, enrollment = request_in_line
    with pytest.raises(Invalid, match="reason"):
        enrolment.decline(boss_user, enrollment, "  ")

    enrolment.decline(boss_user, enrollment, "Budget is spent this quarter")

    assert enrollment.status == S.DECLINED
    assert enrollment.decision_reason == "Budget is spent this quarter"
    assert any(subject.startswith("Declined") for subject in notices(user))


def test_nobody_approves_their_own_request(people, academy):
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    session = academy.session(academy.course(needs_manager_approval=True))
    enrollment = enrolment.request_seat(boss_user, session, boss)
    with pytest.raises(Forbidden, match="your own"):
        enrolment.approve(boss_user, enrollment)


def test_a_manager_outside_the_line_finds_no_request(request_in_line, people):
    _, _, enrollment = request_in_line
    _, stranger = people.employee_user(roles={Role.MANAGER})
    with pytest.raises(NotFound):
        enrolment.approve(stranger, enrollment)


# --- freed seats and the waitlist --------------------------------------------------------------


def full_session_with_waitlist(people, academy, waiting: int = 2):
    session = academy.session(capacity=1)
    taken = [learner(people) for _ in range(1 + waiting)]
    rows = [enrolment.request_seat(user, session, person) for person, user in taken]
    return session, taken, rows


def test_withdrawal_frees_the_seat_for_the_first_person_waiting(people, academy):
    session, taken, rows = full_session_with_waitlist(people, academy)

    enrolment.withdraw(taken[0][1], rows[0])

    assert [r.status for r in rows] == [S.WITHDRAWN, S.ENROLLED, S.WAITLISTED]
    assert queries.waitlist_position(rows[2]) == 1
    assert db.session.get(CourseSession, session.id).enrolled == 1
    assert any(subject.startswith("You have a seat") for subject in notices(taken[1][1]))


def test_someone_else_cannot_withdraw_an_enrolment(people, academy):
    _, _, rows = full_session_with_waitlist(people, academy, waiting=0)
    _, other = learner(people)
    with pytest.raises(NotFound):
        enrolment.withdraw(other, rows[0])


def test_more_seats_go_to_the_people_waiting_in_order(people, academy, make_user):
    session, _, rows = full_session_with_waitlist(people, academy, waiting=3)

    services.set_capacity(make_user({Role.HR}), session, 3)

    assert [r.status for r in rows] == [S.ENROLLED, S.ENROLLED, S.ENROLLED, S.WAITLISTED]
    assert db.session.get(CourseSession, session.id).enrolled == 3


def test_capacity_cannot_drop_below_the_seats_taken(people, academy, make_user):
    session, _, _ = full_session_with_waitlist(people, academy, waiting=0)
    session.capacity = 5
    db.session.flush()
    academy.enrollment(session, people.employee())
    with pytest.raises(Invalid, match="2 people already have a seat"):
        services.set_capacity(make_user({Role.HR}), session, 1)


def test_separation_withdraws_future_enrolments_and_promotes_the_waitlist(people, academy):
    session, taken, rows = full_session_with_waitlist(people, academy, waiting=1)
    past = academy.session(days=-3)
    kept = academy.enrollment(past, taken[0][0], S.ENROLLED)

    signals.employee_separated.send(None, employee_ids=[taken[0][0].id])

    assert [r.status for r in rows] == [S.WITHDRAWN, S.ENROLLED]
    assert kept.status == S.ENROLLED  # what already happened is the instructor's to record
    reason = db.session.scalar(
        sa.select(AuditEvent.reason).where(
            AuditEvent.action == "enrollment.withdrawn", AuditEvent.object_id == str(rows[0].id)
        )
    )
    assert reason == "Left the city's service"


def test_waitlist_is_served_by_arrival_not_by_id(people, academy):
    session = academy.session(capacity=1)
    holder = academy.enrollment(session, people.employee())
    late = academy.enrollment(session, people.employee(), S.WAITLISTED)
    early = academy.enrollment(session, people.employee(), S.WAITLISTED)
    late.arrival, early.arrival = 9, 3
    db.session.flush()

    enrolment.withdraw(None, holder)

    assert (early.status, late.status) == (S.ENROLLED, S.WAITLISTED)
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) >= 3


def test_asking_again_after_withdrawing_joins_the_end_of_the_queue(people, academy):
    session, taken, rows = full_session_with_waitlist(people, academy, waiting=1)
    person, user = taken[0]
    enrolment.withdraw(user, rows[0])

    again = enrolment.request_seat(user, session, person)

    assert again.id == rows[0].id  # the same enrolment, reopened
    assert again.status == S.WAITLISTED and queries.waitlist_position(again) == 1
    assert rows[1].status == S.ENROLLED
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.object_type == "Enrollment", AuditEvent.object_id == str(again.id))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "enrollment.requested",
        "enrollment.enrolled",
        "enrollment.withdrawn",
        "enrollment.requested",
        "enrollment.waitlisted",
    ]
