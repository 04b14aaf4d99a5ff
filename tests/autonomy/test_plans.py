"""Learning plans: the courses that close the gap to the next level, prerequisites first."""

from __future__ import annotations

import pytest

from academy.models import Course
from autonomy import plans, queries
from civicladder.access import Role
from civicladder.db import db
from tests.academy.factories import academy_factories

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def academy(competencies):
    return academy_factories(competencies)


@pytest.fixture
def gap(people, competencies, autonomy):
    """A person whose next level asks for two competencies at level 3; they have neither."""
    service, records = competencies.competency(), competencies.competency()
    profile = competencies.job_profile()
    autonomy.track([profile], [{"requirements": [(service, 3), (records, 3)]}])
    person, user = people.employee_user(job_profile=profile)
    return {"person": person, "user": user, "service": service, "records": records}


def test_the_plan_lists_courses_that_reach_the_levels_needed_prerequisites_first(gap, academy):
    basics = academy.course([(gap["records"], 3, None)], title="Records basics")
    advanced = academy.course(
        [(gap["service"], 3, None), (gap["records"], 4, None)],
        course_prerequisites=[basics],
        title="Service in depth",
    )
    academy.course([(gap["service"], 2, None)], title="Too low to count")
    session = academy.session(advanced, days=10)
    found = plans.learning_plan(queries.standing(gap["person"]))
    assert [step.course.title for step in found] == ["Records basics", "Service in depth"]
    assert found[1].closes == sorted([gap["service"].id, gap["records"].id])
    assert found[1].next_session == session.starts_at and found[0].next_session is None


def test_prerequisite_order_keeps_the_given_order_otherwise():
    assert plans.prerequisite_order([3, 1, 2], [(3, 2), (2, 1)]) == [1, 2, 3]
    assert plans.prerequisite_order([5, 4], []) == [5, 4]
    assert plans.prerequisite_order([1, 2], [(1, 2), (2, 1)]) == [2, 1]


def test_the_home_page_and_the_course_page_point_to_each_other(gap, academy, client_as):
    course = academy.course([(gap["service"], 3, None)], title="Service in depth")
    client = client_as(gap["user"])
    home = client.get("/").text
    assert "Courses that close the gap" in home and f"/academy/courses/{course.id}" in home
    page = client.get(f"/academy/courses/{course.id}").text
    assert "Toward your next autonomy level" in page
    assert db.session.get(Course, course.id).title == "Service in depth"


def test_a_course_page_says_nothing_of_autonomy_to_someone_without_a_gap(
    gap, academy, client_as, make_user
):
    course = academy.course([(gap["service"], 3, None)])
    page = client_as(make_user({Role.HR})).get(f"/academy/courses/{course.id}").text
    assert "Toward your next autonomy level" not in page
