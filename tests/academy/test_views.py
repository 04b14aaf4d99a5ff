"""Academy pages: the catalog and its filters, the seat-request flow, approvals, the roster,
what bad input gets, and query counts that do not grow with the data."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from academy.models import Course, CourseSession, DeliveryMode, Enrollment
from academy.models import EnrollmentStatus as S
from civicladder.access import Role
from civicladder.db import db
from civicladder.models import Notification
from competencies.models import CompetencyEvidence


def test_catalog_searches_and_filters_by_competency_and_delivery(client_as, academy, competencies):
    permits = competencies.competency(name="Permit review")
    academy.course([(permits, 3, None)], title="Permit essentials")
    academy.course(title="Safety refresher", delivery_mode=DeliveryMode.ONLINE)
    client = client_as("employee")

    everything = client.get("/academy").text
    assert "Permit essentials" in everything and "Safety refresher" in everything
    found = client.get("/academy?q=permit").text
    assert "Permit essentials" in found and "Safety refresher" not in found
    by_skill = client.get(f"/academy?competency={permits.id}").text
    assert "Permit essentials" in by_skill and "Safety refresher" not in by_skill
    by_category = client.get(f"/academy?category={permits.category_id}").text
    assert "Permit essentials" in by_category and "Safety refresher" not in by_category
    online = client.get("/academy?mode=online").text
    assert "Safety refresher" in online and "Permit essentials" not in online


@pytest.mark.parametrize("query", ["mode=nonsense", "competency=abc", "from_date=tomorrow"])
def test_catalog_answers_junk_filters_with_a_message_not_an_error(client_as, query):
    response = client_as("employee").get(f"/academy?{query}")
    assert response.status_code == 422
    assert "There is a problem" in response.text


def test_catalog_tells_the_employee_what_they_lack_and_would_gain(
    client_as, people, academy, competencies
):
    basics = competencies.competency(name="Inspection basics")
    advanced = competencies.competency(name="Field inspection")
    academy.course([(advanced, 3, 24)], title="Field practice", level_prerequisites=[(basics, 2)])
    person, user = people.employee_user()
    page = client_as(user).get("/academy").text
    assert "Prerequisites not met" in page and "Inspection basics at 2 Working" in page

    competencies.evidence(person, basics, 2)
    page = client_as(user).get("/academy").text
    assert "Prerequisites not met" not in page
    assert "Would raise Field inspection to 3 Practitioner" in page


def test_employee_takes_a_seat_then_sees_their_place(client_as, people, academy):
    session = academy.session(capacity=1)
    first, first_user = people.employee_user()
    second, second_user = people.employee_user()

    response = client_as(first_user).post(f"/academy/sessions/{session.id}/request")
    assert response.status_code == 302
    client = client_as(second_user)
    client.post(f"/academy/sessions/{session.id}/request")
    page = client.get(f"/academy/sessions/{session.id}").text

    assert "You are number 1 on the waitlist" in page
    assert db.session.get(CourseSession, session.id).enrolled == 1


def test_request_for_a_started_session_is_refused_with_a_message(client_as, people, academy):
    session = academy.session(days=-1)
    _, user = people.employee_user()
    response = client_as(user).post(f"/academy/sessions/{session.id}/request")
    assert response.status_code == 422
    assert "already started" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 0


def test_second_request_for_the_same_session_is_a_conflict(client_as, people, academy):
    session = academy.session()
    _, user = people.employee_user()
    client = client_as(user)
    client.post(f"/academy/sessions/{session.id}/request")
    response = client.post(f"/academy/sessions/{session.id}/request")
    assert response.status_code == 409
    assert "already have a place request" in response.text


def test_capacity_below_the_seats_taken_is_refused(client_as, people, academy):
    session = academy.session(capacity=3)
    academy.enrollment(session, people.employee())
    academy.enrollment(session, people.employee())
    response = client_as("hr").post(
        f"/academy/sessions/{session.id}/capacity", data={"capacity": 1}
    )
    assert response.status_code == 422
    assert "2 people already have a seat" in response.text
    assert db.session.get(CourseSession, session.id).capacity == 3


def test_manager_approves_from_the_queue_and_declines_only_with_a_reason(
    client_as, people, academy
):
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    course = academy.course(needs_manager_approval=True, title="Supervising well")
    session = academy.session(course)
    one = academy.enrollment(session, people.employee(manager=boss, first_name="Ana"), S.REQUESTED)
    two = academy.enrollment(session, people.employee(manager=boss, first_name="Ben"), S.REQUESTED)
    client = client_as(boss_user)

    queue = client.get("/academy/approvals").text
    assert "Ana" in queue and "Ben" in queue and "Supervising well" in queue
    assert client.post(f"/academy/enrollments/{one.id}/approve").status_code == 302
    refused = client.post(f"/academy/enrollments/{two.id}/decline", data={"reason": ""})
    assert refused.status_code == 422 and "Give a reason" in refused.text
    client.post(f"/academy/enrollments/{two.id}/decline", data={"reason": "Not this year"})

    assert (one.status, two.status) == (S.ENROLLED, S.DECLINED)
    assert "Ana" not in client.get("/academy/approvals").text


def test_instructor_records_completion_which_grants_evidence_and_a_certificate(
    client_as, people, academy, competencies
):
    skill = competencies.competency()
    teacher, teacher_user = people.employee_user()
    session = academy.session(academy.course([(skill, 3, 24)]), days=-1, instructor=teacher)
    learner = people.employee(first_name="Rosa")
    enrollment = academy.enrollment(session, learner)
    client = client_as(teacher_user)

    assert "Rosa" in client.get(f"/academy/sessions/{session.id}/roster").text
    response = client.post(
        f"/academy/sessions/{session.id}/enrollments/{enrollment.id}/result",
        data={"result": "completed", "score": "88"},
    )

    assert response.status_code == 302
    assert (enrollment.status, enrollment.score) == (S.COMPLETED, 88)
    evidence = db.session.scalar(
        sa.select(CompetencyEvidence).where(CompetencyEvidence.employee_id == learner.id)
    )
    assert (evidence.level, evidence.source.value) == (3, "course_completion")
    assert (evidence.expires_on - evidence.observed_on).days in range(730, 733)


def test_nobody_records_their_own_result(client_as, people, academy):
    teacher, teacher_user = people.employee_user()
    session = academy.session(days=-1, instructor=teacher)
    enrollment = academy.enrollment(session, teacher)
    response = client_as(teacher_user).post(
        f"/academy/sessions/{session.id}/enrollments/{enrollment.id}/result",
        data={"result": "completed"},
    )
    assert response.status_code == 403
    assert enrollment.status == S.ENROLLED


def test_results_wait_until_the_session_has_started(client_as, people, academy):
    session = academy.session(days=2)
    enrollment = academy.enrollment(session, people.employee())
    response = client_as("hr").post(
        f"/academy/sessions/{session.id}/enrollments/{enrollment.id}/result",
        data={"result": "completed"},
    )
    assert response.status_code == 422


# --- query counts ------------------------------------------------------------------------------


def _catalog_of(academy, competencies, size: int) -> None:
    skill = competencies.competency()
    for _ in range(size):
        course = academy.course([(skill, 2, None), (competencies.competency(), 3, 12)])
        academy.session(course)


def _queries(count_queries, client, url: str) -> int:
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_catalog_query_count_does_not_grow_with_courses(
    client_as, people, academy, competencies, count_queries
):
    _, user = people.employee_user()
    client = client_as(user)
    _catalog_of(academy, competencies, 2)
    small = _queries(count_queries, client, "/academy")
    _catalog_of(academy, competencies, 20)
    assert _queries(count_queries, client, "/academy") == small


def test_roster_query_count_does_not_grow_with_participants(
    client_as, people, academy, count_queries
):
    session = academy.session(capacity=100, days=-1)
    client = client_as("hr")
    for _ in range(2):
        academy.enrollment(session, people.employee())
    small = _queries(count_queries, client, f"/academy/sessions/{session.id}/roster")
    for _ in range(30):
        academy.enrollment(session, people.employee(department_path="Parks > Forestry"))
    large = _queries(count_queries, client, f"/academy/sessions/{session.id}/roster")
    assert large == small


# --- HR: courses and sessions --------------------------------------------------------------------


def test_hr_adds_a_course_with_outcomes_and_prerequisites(client_as, academy, competencies):
    skill, basics = competencies.competency(), competencies.competency()
    first = academy.course(title="Basics")
    response = client_as("hr").post(
        "/academy/courses/new",
        data={
            "code": "ins-200",
            "title": "Inspection practice",
            "hours": "12",
            "delivery_mode": "blended",
            "needs_manager_approval": "y",
            "outcomes-0-competency_id": skill.id,
            "outcomes-0-level": "3",
            "outcomes-0-validity_months": "24",
            "prerequisites-0-competency_id": basics.id,
            "prerequisites-0-min_level": "2",
            "required_courses": [first.id],
        },
    )
    assert response.status_code == 302
    course = db.session.scalar(sa.select(Course).where(Course.code == "INS-200"))
    assert course.needs_manager_approval and course.delivery_mode == DeliveryMode.BLENDED
    assert [(o.competency_id, o.level, o.validity_months) for o in course.outcomes] == [
        (skill.id, 3, 24)
    ]
    assert [(p.competency_id, p.min_level) for p in course.level_prerequisites] == [(basics.id, 2)]
    assert [p.required_course_id for p in course.course_prerequisites] == [first.id]


def test_a_course_without_outcomes_is_refused_with_a_message(client_as):
    response = client_as("hr").post(
        "/academy/courses/new",
        data={"code": "X-1", "title": "Nothing", "hours": "2", "delivery_mode": "online"},
    )
    assert response.status_code == 422
    assert "develops at least one competency" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Course.id))) == 0


def test_hr_schedules_a_session_in_the_city_time_zone(client_as, academy, people, app):
    course = academy.course()
    teacher = people.employee(employee_number="T-77")
    response = client_as("hr").post(
        f"/academy/courses/{course.id}/sessions/new",
        data={
            "starts_at": "2031-07-01T09:00",
            "ends_at": "2031-07-01T16:00",
            "location": "Room 4",
            "instructor_number": "T-77",
            "capacity": "15",
        },
    )
    assert response.status_code == 302
    made = db.session.scalar(sa.select(CourseSession).where(CourseSession.course_id == course.id))
    zone = ZoneInfo(app.config["DISPLAY_TIMEZONE"])
    assert made.starts_at == datetime(2031, 7, 1, 9, tzinfo=zone)
    assert (made.instructor_id, made.capacity) == (teacher.id, 15)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at": "2031-07-01T08:00"}, "ends after it starts"),
        ({"instructor_number": "NOPE"}, "No employee has the number NOPE"),
        ({"location": ""}, "Give a location or an online link"),
        ({"capacity": "0"}, "from 1 to 10,000"),
    ],
)
def test_a_session_with_bad_details_is_refused_with_a_message(client_as, academy, changes, message):
    course = academy.course()
    data = {
        "starts_at": "2031-07-01T09:00",
        "ends_at": "2031-07-01T16:00",
        "location": "Room 4",
        "capacity": "15",
    } | changes
    response = client_as("hr").post(f"/academy/courses/{course.id}/sessions/new", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(sa.select(sa.func.count(CourseSession.id))) == 0


def test_withdrawing_asks_for_confirmation_first(client_as, people, academy):
    session = academy.session()
    person, user = people.employee_user()
    enrollment = academy.enrollment(session, person)
    client = client_as(user)

    page = client.get(f"/academy/enrollments/{enrollment.id}/withdraw")
    assert page.status_code == 200 and "goes at once to the first person" in page.text
    assert enrollment.status == S.ENROLLED

    client.post(f"/academy/enrollments/{enrollment.id}/withdraw", data={"reason": "Clash"})
    assert enrollment.status == S.WITHDRAWN


def test_roster_offers_attendance_then_only_a_result(client_as, people, academy):
    session = academy.session(days=-1)
    enrollment = academy.enrollment(session, people.employee(first_name="Ines"))
    client = client_as("hr")
    url = f"/academy/sessions/{session.id}/roster"
    assert "Attendance or result for Ines" in client.get(url).text

    client.post(
        f"/academy/sessions/{session.id}/enrollments/{enrollment.id}/result",
        data={"result": "attended"},
    )
    page = client.get(url).text
    assert enrollment.status == S.ATTENDED
    assert "Result for Ines" in page and 'value="no_show"' not in page


def test_catalog_sorts_by_next_session_and_by_hours(client_as, academy):
    later = academy.course(title="Alpha course", hours=20)
    sooner = academy.course(title="Beta course", hours=4)
    academy.course(title="Gamma course", hours=8)  # nothing scheduled: last by next session
    academy.session(later, days=30)
    academy.session(sooner, days=3)
    client = client_as("employee")

    def order(query: str) -> list[str]:
        page = client.get(f"/academy?{query}").text
        names = ["Alpha course", "Beta course", "Gamma course"]
        return sorted(names, key=page.index)

    assert order("") == ["Alpha course", "Beta course", "Gamma course"]
    assert order("sort=next") == ["Beta course", "Alpha course", "Gamma course"]
    assert order("sort=hours") == ["Beta course", "Gamma course", "Alpha course"]
    assert client.get("/academy?sort=sideways").status_code == 422


def test_hr_edits_a_course_and_its_outcomes_replacing_the_old_ones(
    client_as, academy, competencies
):
    old_skill, new_skill = competencies.competency(), competencies.competency()
    course = academy.course([(old_skill, 2, None)], title="Old title")
    client = client_as("hr")
    form = client.get(f"/academy/courses/{course.id}/edit")
    assert 'value="Old title"' in form.text

    response = client.post(
        f"/academy/courses/{course.id}/edit",
        data={
            "code": course.code,
            "title": "New title",
            "hours": "6",
            "delivery_mode": "in_person",
            "outcomes-0-competency_id": new_skill.id,
            "outcomes-0-level": "4",
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Course, course.id)
    assert saved.title == "New title"
    assert [(o.competency_id, o.level) for o in saved.outcomes] == [(new_skill.id, 4)]


def test_a_course_cannot_need_itself_through_another(client_as, academy):
    first = academy.course(title="First")
    second = academy.course(title="Second", course_prerequisites=[first])
    response = client_as("hr").post(
        f"/academy/courses/{first.id}/edit",
        data={
            "code": first.code,
            "title": "First",
            "hours": "6",
            "delivery_mode": "in_person",
            "outcomes-0-competency_id": first.outcomes[0].competency_id,
            "outcomes-0-level": "2",
            "required_courses": [second.id],
        },
    )
    assert response.status_code == 422
    assert "cannot need itself" in response.text


def test_rescheduling_tells_the_people_on_the_list(client_as, people, academy):
    session = academy.session(capacity=1)
    person, user = people.employee_user()
    academy.enrollment(session, person)
    client = client_as("hr")
    form = client.get(f"/academy/sessions/{session.id}/edit").text
    assert 'value="Room 1"' in form

    response = client.post(
        f"/academy/sessions/{session.id}/edit",
        data={
            "starts_at": "2031-05-06T09:00",
            "ends_at": "2031-05-06T12:00",
            "location": "Annex",
            "capacity": "1",
        },
    )

    assert response.status_code == 302
    assert db.session.get(CourseSession, session.id).location == "Annex"
    subjects = db.session.scalars(
        sa.select(Notification.subject).where(Notification.user_id == user.id)
    ).all()
    assert [s for s in subjects if s.startswith("Changed:")]


def test_a_started_session_cannot_be_changed(client_as, academy):
    session = academy.session(days=-1)
    response = client_as("hr").post(
        f"/academy/sessions/{session.id}/edit",
        data={
            "starts_at": "2031-05-06T09:00",
            "ends_at": "2031-05-06T12:00",
            "location": "Annex",
            "capacity": "10",
        },
    )
    assert response.status_code == 422 and "has started" in response.text
