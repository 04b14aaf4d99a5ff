"""Capacity holds under concurrency: many people ask for the last seats at the same moment,
each request on its own connection, and the database decides who gets them."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from academy.models import CourseSession, Enrollment
from academy.models import EnrollmentStatus as S
from civicladder.db import db
from tests.academy.factories import academy_factories

_unique = itertools.count(1)
SEATS = 10
REQUESTS = 50


def test_fifty_requests_for_ten_seats_enrol_ten_and_waitlist_the_rest_in_order(
    real_commits, people, competencies
):
    real = real_commits
    academy = academy_factories(competencies)
    run = next(_unique)

    def build():
        session = academy.session(capacity=SEATS, days=3)
        users = [
            people.employee_user(
                employee_number=f"RACE{run}-{n}", email=f"race{run}.{n}@city.test"
            )[1].id
            for n in range(REQUESTS)
        ]
        return session.id, users

    session_id, user_ids = real.run(build)
    clients = [real.client(user_id) for user_id in user_ids]
    url = f"/academy/sessions/{session_id}/request"

    outcomes = real.concurrent(REQUESTS, lambda i: clients[i].post(url))

    for outcome in outcomes:
        assert outcome.error is None, outcome.error
        assert outcome.value.status_code == 302, outcome.value.text
    seats, rows = real.run(
        lambda: (
            db.session.get(CourseSession, session_id).enrolled,
            db.session.execute(
                sa.select(Enrollment.status, Enrollment.arrival)
                .where(Enrollment.session_id == session_id)
                .order_by(Enrollment.arrival)
            ).all(),
        )
    )
    assert seats == SEATS
    assert len(rows) == REQUESTS
    # Arrivals are numbered 1..50 without gaps or repeats: each request was taken in turn.
    assert [arrival for _, arrival in rows] == list(range(1, REQUESTS + 1))
    # The first ten to arrive have the seats; everyone after them waits, in arrival order.
    assert [status for status, _ in rows] == [S.ENROLLED] * SEATS + [S.WAITLISTED] * (
        REQUESTS - SEATS
    )


def test_a_freed_seat_raced_by_withdrawal_and_new_requests_is_never_overbooked(
    real_commits, people, competencies
):
    """Withdrawals and new requests at the same moment: the count stays at capacity and the
    freed seats go to the people already waiting, before any newcomer."""
    real = real_commits
    academy = academy_factories(competencies)
    run = next(_unique)

    def build():
        session = academy.session(capacity=2, days=3)
        holders = [
            people.employee_user(employee_number=f"HOLD{run}-{n}", email=f"h{run}.{n}@city.test")
            for n in range(2)
        ]
        from academy import enrolment

        held = [enrolment.request_seat(u, session, p).id for p, u in holders]
        waiting = [
            people.employee_user(employee_number=f"WAIT{run}-{n}", email=f"w{run}.{n}@city.test")
            for n in range(2)
        ]
        waited = [enrolment.request_seat(u, session, p).id for p, u in waiting]
        newcomers = [
            people.employee_user(employee_number=f"NEW{run}-{n}", email=f"n{run}.{n}@city.test")[
                1
            ].id
            for n in range(6)
        ]
        return session.id, [u.id for _, u in holders], held, waited, newcomers

    session_id, holder_users, held, waited, newcomers = real.run(build)
    calls = [
        (real.client(user), f"/academy/enrollments/{enrollment}/withdraw")
        for user, enrollment in zip(holder_users, held, strict=True)
    ] + [(real.client(user), f"/academy/sessions/{session_id}/request") for user in newcomers]

    outcomes = real.concurrent(len(calls), lambda i: calls[i][0].post(calls[i][1]))

    for outcome in outcomes:
        assert outcome.error is None, outcome.error
        assert outcome.value.status_code == 302, outcome.value.text
    seats, statuses = real.run(
        lambda: (
            db.session.get(CourseSession, session_id).enrolled,
            dict(
                db.session.execute(
                    sa.select(Enrollment.id, Enrollment.status).where(
                        Enrollment.session_id == session_id
                    )
                ).all()
            ),
        )
    )
    assert seats == 2
    assert sum(status == S.ENROLLED for status in statuses.values()) == 2
    assert [statuses[i] for i in waited] == [S.ENROLLED, S.ENROLLED]
    assert [statuses[i] for i in held] == [S.WITHDRAWN, S.WITHDRAWN]
    # Newcomers find the seats taken, whether they came before the withdrawals or after.
    assert sum(status == S.WAITLISTED for status in statuses.values()) == len(newcomers)
