"""Open job postings through the API, without a token: the rounds the public jobs page lists
and no others, what each says, pages by cursor, and the statements a page costs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civicladder import clock
from civicladder.db import db
from hiring import queries
from hiring.models import RoundStatus, WorkSchedule
from tests.hiring.factories import hiring_factories

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def hiring(make_user, competencies):
    return hiring_factories(make_user, competencies)


@pytest.fixture
def rounds(hiring, people):
    """One open round of each kind the page lists, and one of each kind it does not."""
    parks = people.department("Parks")
    today = clock.today()
    posted = hiring.round(
        title="Park ranger",
        openings=3,
        agency_id=parks.id,
        work_location="Central Park",
        schedule=WorkSchedule.PART_TIME,
        weekly_hours=20,
        pay_min_cents=4_500_000,
        pay_max_cents=5_200_000,
    )
    plain = hiring.round(title="Clerk", closes_on=today + timedelta(days=3))
    hidden = {
        "draft": hiring.round(RoundStatus.DRAFT),
        "cancelled": hiring.round(RoundStatus.CANCELLED),
        "closed": hiring.round(RoundStatus.CLOSED),
        "ranked": hiring.round(RoundStatus.RANKED),
        "not yet open": hiring.round(opens_on=today + timedelta(days=2)),
        "past its closing day": hiring.round(
            opens_on=today - timedelta(days=30), closes_on=today - timedelta(days=1)
        ),
    }
    return {"posted": posted, "plain": plain, "hidden": hidden, "parks": parks}


def test_the_postings_are_the_rounds_the_jobs_page_lists(client, rounds):
    response = client.get("/api/v1/postings")
    assert response.status_code == 200
    listed = [row["id"] for row in response.json["items"]]
    page_lists = [r.id for r in db.session.scalars(queries.open_rounds_statement())]
    assert sorted(listed) == sorted(page_lists) == sorted([rounds["posted"].id, rounds["plain"].id])
    for why, hidden in rounds["hidden"].items():
        assert hidden.id not in listed, why
        one = client.get(f"/api/v1/postings/{hidden.id}")
        assert one.status_code == 404 and one.mimetype == "application/problem+json", why


def test_a_posting_says_what_a_job_board_shows(app, client, rounds):
    posted = rounds["posted"]
    found = client.get(f"/api/v1/postings/{posted.id}").json
    assert found["title"] == "Park ranger" and found["openings"] == 3
    assert found["job_profile"] == {
        "code": posted.job_profile.code,
        "title": posted.job_profile.title,
    }
    assert (found["department_id"], found["department"]) == (rounds["parks"].id, "Parks")
    assert found["work_location"] == "Central Park"
    assert (found["schedule"], found["weekly_hours"]) == ("part_time", 20)
    assert (found["pay_min_cents"], found["pay_max_cents"]) == (4_500_000, 5_200_000)
    assert found["closes_on"] == posted.closes_on.isoformat()
    assert found["closes_at"] == queries.closing_moment(posted).isoformat()
    # The posting's page as candidates reach it (PUBLIC_URL), where they apply.
    assert found["url"] == app.config["PUBLIC_URL"] + f"/jobs/{posted.id}"
    page = client.get(f"/jobs/{posted.id}")
    assert page.status_code == 200 and b"Park ranger" in page.data
    plain = client.get(f"/api/v1/postings/{rounds['plain'].id}").json
    assert plain["department"] is None and plain["pay_min_cents"] is None


def test_postings_by_agency_or_closing_day(client, rounds):
    def ids(**query):
        response = client.get("/api/v1/postings", query_string=query)
        assert response.status_code == 200, response.json
        return [row["id"] for row in response.json["items"]]

    assert ids(department=rounds["parks"].id) == [rounds["posted"].id]
    soon = (clock.today() + timedelta(days=5)).isoformat()
    assert ids(closes_by=soon) == [rounds["plain"].id]


def test_postings_come_once_each_a_page_at_a_time(client, rounds, hiring):
    for _ in range(3):
        hiring.round(assessors=0)
    ids, after = [], None
    while True:
        query = {"limit": 2} | ({"after": after} if after else {})
        response = client.get("/api/v1/postings", query_string=query)
        assert response.status_code == 200, response.json
        assert len(response.json["items"]) <= 2
        ids += [row["id"] for row in response.json["items"]]
        after = response.json["next"]
        if after is None:
            assert "Link" not in response.headers
            break
        assert after in response.headers["Link"]
    assert ids == sorted(set(ids)) and len(ids) == 5


@pytest.mark.parametrize("round_id", ["999999", str(2**40)])
def test_a_posting_nobody_has_is_a_problem_404(client, rounds, round_id):
    missing = client.get(f"/api/v1/postings/{round_id}")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("query", "field"),
    [({"department": "0"}, "department"), ({"closes_by": "soon"}, "closes_by")],
)
def test_a_wrong_query_names_its_field(client, rounds, query, field):
    response = client.get("/api/v1/postings", query_string=query)
    assert response.status_code == 422 and response.json["field"] == field


def test_a_page_costs_the_same_statements_whatever_its_size(
    client, rounds, hiring, people, count_queries
):
    for n in range(12):
        agency = people.department(f"Agency {n}")
        hiring.round(assessors=0, questions=0, agency_id=agency.id)
    counts = []
    for limit in (2, 12):
        with count_queries() as statements:
            response = client.get("/api/v1/postings", query_string={"limit": limit})
        assert len(response.json["items"]) == limit
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_the_document_says_postings_need_no_token(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert paths["/api/v1/postings"]["get"]["security"] == []
    assert paths["/api/v1/postings/{round_id}"]["get"]["security"] == []
