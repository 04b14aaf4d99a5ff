"""Courses, sessions and enrolments through the API: what each says (and what it keeps back
about people), the filters, pages by cursor, and the statements a page costs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from academy.models import EnrollmentStatus
from civicladder import clock
from civicladder.db import db
from tests.academy.factories import academy_factories
from tests.api.factories import api_token

pytestmark = pytest.mark.usefixtures("app_ctx")

S = EnrollmentStatus


@pytest.fixture
def reader(client):
    token = api_token(["training:read"])
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token.secret}"
    return client


@pytest.fixture
def academy(competencies):
    return academy_factories(competencies)


@pytest.fixture
def school(academy, competencies, people):
    """FA-101 (first aid, level 2 for 24 months), FA-201 after it (needs level 2 and FA-101),
    a session of FA-101 next week with an instructor, one that has passed, and one of FA-201;
    two people enrolled, one completed with a certificate."""
    first_aid = competencies.competency("FA", "First aid")
    basics = academy.course([(first_aid, 2, 24)], code="FA-101", title="First aid basics")
    advanced = academy.course(
        [(first_aid, 3, None)],
        code="FA-201",
        title="First aid, advanced",
        level_prerequisites=[(first_aid, 2)],
        course_prerequisites=[basics],
        needs_manager_approval=True,
    )
    teacher = people.employee(employee_number="T-1", first_name="Tess", last_name="Teacher")
    ana = people.employee(employee_number="A-1", first_name="Ana", last_name="Lopez")
    ben = people.employee(employee_number="B-1", first_name="Ben", last_name="Okafor")
    coming = academy.session(basics, days=7, capacity=2, instructor=teacher)
    past = academy.session(basics, days=-40, location="", online_url="https://meet.test/x")
    later = academy.session(advanced, days=30)
    seat = academy.enrollment(coming, ana)
    academy.enrollment(coming, ben)
    waiting = academy.enrollment(coming, people.employee(employee_number="W-1"), S.WAITLISTED)
    done = academy.enrollment(past, ana, S.COMPLETED)
    certificate = academy.certificate(done, expires_on=clock.today() + timedelta(days=300))
    return {
        "basics": basics,
        "advanced": advanced,
        "coming": coming,
        "past": past,
        "later": later,
        "seat": seat,
        "waiting": waiting,
        "done": done,
        "certificate": certificate,
    }


def test_a_course_with_its_outcomes_and_prerequisites(reader, school):
    found = reader.get("/api/v1/courses/FA-201").json
    assert found["title"] == "First aid, advanced"
    assert found["needs_manager_approval"] is True
    assert found["delivery_mode"] == "in_person"
    assert found["outcomes"] == [
        {"competency": "FA", "name": "First aid", "level": 3, "validity_months": None}
    ]
    assert found["level_prerequisites"] == [{"competency": "FA", "min_level": 2}]
    assert found["course_prerequisites"] == ["FA-101"]
    basics = reader.get("/api/v1/courses/FA-101").json
    assert basics["outcomes"][0]["validity_months"] == 24
    assert basics["level_prerequisites"] == [] and basics["course_prerequisites"] == []


def test_a_course_nobody_has_is_a_problem_404(reader, school):
    missing = reader.get("/api/v1/courses/NOPE-1")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert "NOPE-1" in missing.json["detail"]
    # PostgreSQL refuses a NUL in text: the code is refused before it reaches the database.
    assert reader.get("/api/v1/courses/A%00B").status_code == 400


def test_courses_come_once_each_a_page_at_a_time(reader, school, academy):
    for _ in range(3):
        academy.course()
    codes, after = [], None
    while True:
        query = {"limit": 2} | ({"after": after} if after else {})
        response = reader.get("/api/v1/courses", query_string=query)
        assert response.status_code == 200, response.json
        assert len(response.json["items"]) <= 2
        codes += [row["code"] for row in response.json["items"]]
        after = response.json["next"]
        if after is None:
            break
    assert len(codes) == len(set(codes)) and {"FA-101", "FA-201"} <= set(codes)


def test_a_session_says_its_seats_waitlist_and_instructor(reader, school):
    items = reader.get("/api/v1/sessions", query_string={"course": "FA-101"}).json["items"]
    assert [row["id"] for row in items] == [school["coming"].id, school["past"].id]
    coming, past = items
    assert coming["course"] == "FA-101" and coming["course_title"] == "First aid basics"
    assert (coming["capacity"], coming["enrolled"], coming["seats_left"]) == (2, 2, 0)
    assert coming["waitlisted"] == 1
    assert coming["instructor"] == {
        "employee_number": "T-1",
        "first_name": "Tess",
        "last_name": "Teacher",
    }
    assert coming["online"] is False and coming["location"] == "Room 1"
    # Online, but its link goes to the people who hold a seat, not to other systems.
    assert past["online"] is True and "meet.test" not in str(past)
    assert past["instructor"] is None and past["waitlisted"] == 0


def test_sessions_between_two_days(reader, school):
    today = clock.today()

    def ids(**query):
        response = reader.get("/api/v1/sessions", query_string=query)
        assert response.status_code == 200, response.json
        return {row["id"] for row in response.json["items"]}

    week = (today + timedelta(days=6)).isoformat(), (today + timedelta(days=8)).isoformat()
    assert ids(**{"from": week[0], "to": week[1]}) == {school["coming"].id}
    assert ids(**{"from": today.isoformat()}) == {school["coming"].id, school["later"].id}
    assert ids(to=today.isoformat()) == {school["past"].id}
    backwards = reader.get("/api/v1/sessions", query_string={"from": week[1], "to": week[0]})
    assert backwards.status_code == 422 and backwards.json["field"] == "to"
    bad = reader.get("/api/v1/sessions", query_string={"from": "next tuesday"})
    assert bad.status_code == 422 and bad.json["field"] == "from"


def test_enrolments_say_whose_what_and_the_certificate_and_nothing_more(reader, school):
    items = reader.get("/api/v1/enrollments", query_string={"employee": "A-1"}).json["items"]
    assert [row["id"] for row in items] == [school["seat"].id, school["done"].id]
    seat, done = items
    assert set(seat) == {
        "id",
        "employee_number",
        "first_name",
        "last_name",
        "session",
        "course",
        "status",
        "requested_at",
        "result_on",
        "certificate",
    }
    assert (seat["first_name"], seat["last_name"]) == ("Ana", "Lopez")
    assert seat["session"] == school["coming"].id and seat["course"] == "FA-101"
    assert seat["status"] == "enrolled" and seat["certificate"] is None
    certificate = school["certificate"]
    assert done["status"] == "completed"
    assert done["certificate"]["code"] == certificate.code
    assert done["certificate"]["state"] == "valid"
    assert done["certificate"]["expires_on"] == certificate.expires_on.isoformat()
    assert done["certificate"]["verify_url"].endswith(f"/verify?code={certificate.code}")


def test_a_revoked_certificate_says_so(reader, school):
    school["certificate"].revoked_at = clock.now()
    db.session.flush()
    items = reader.get("/api/v1/enrollments", query_string={"status": "completed"}).json["items"]
    assert [row["certificate"]["state"] for row in items] == ["revoked"]


def test_enrolments_by_session_course_or_status(reader, school):
    def numbers(**query):
        response = reader.get("/api/v1/enrollments", query_string=query)
        assert response.status_code == 200, response.json
        return sorted(row["employee_number"] for row in response.json["items"])

    assert numbers(session=school["coming"].id) == ["A-1", "B-1", "W-1"]
    assert numbers(course="FA-101") == ["A-1", "A-1", "B-1", "W-1"]
    assert numbers(course="FA-201") == []
    assert numbers(status="waitlisted") == ["W-1"]
    assert numbers(employee="NOBODY") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "graduated"}, "status"),
        ({"session": "0"}, "session"),
        ({"session": str(2**80)}, "session"),
        ({"course": "C" * 31}, "course"),
        ({"limit": "0"}, "limit"),
        ({"after": "!!"}, "after"),
    ],
)
def test_a_wrong_enrolment_query_names_its_field(reader, school, query, field):
    response = reader.get("/api/v1/enrollments", query_string=query)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.json["field"] == field


def test_pages_cost_the_same_statements_whatever_their_size(
    reader, school, academy, people, count_queries
):
    for n in range(12):
        course = academy.course()
        session = academy.session(course, days=3 + n, instructor=people.employee())
        done = academy.enrollment(session, people.employee(), S.COMPLETED)
        academy.certificate(done)
        academy.enrollment(session, people.employee(), S.WAITLISTED)
    for url in ("/api/v1/courses", "/api/v1/sessions", "/api/v1/enrollments"):
        counts = []
        for limit in (2, 12):
            with count_queries() as statements:
                response = reader.get(url, query_string={"limit": limit})
            assert len(response.json["items"]) == limit, url
            counts.append(len(statements))
        assert counts[0] == counts[1], (url, counts)
