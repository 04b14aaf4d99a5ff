"""The levels people hold, through the API: the discretion each grants, the review state, the
filters, and the statements a page costs."""

from __future__ import annotations

from datetime import date

import pytest

from autonomy.models import GrantStatus
from tests.api.factories import api_token

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def reader(client):
    token = api_token(["levels:read"])
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token.secret}"
    return client


@pytest.fixture
def ladder(people, competencies, autonomy, on_day):
    on_day(date(2026, 6, 30))
    profile = competencies.job_profile()
    track = autonomy.track(
        [profile],
        [
            {"discretion": [("waive-fee", "May waive a late fee", 250, "USD")]},
            {
                "discretion": [
                    ("waive-fee", "May waive a late fee", 1000, "USD"),
                    ("close", "Close"),
                ]
            },
        ],
        code="CLERK",
    )
    first, second = track.levels
    junior = people.employee(job_profile=profile, employee_number="J-1")
    autonomy.grant(junior, first, effective_on=date(2026, 1, 1))
    senior = people.employee(job_profile=profile, employee_number="S-1")
    autonomy.grant(senior, first, effective_on=date(2024, 1, 1), status=GrantStatus.SUPERSEDED)
    autonomy.grant(senior, second, effective_on=date(2025, 1, 1))  # review due 2026-01-01
    return track


def test_the_levels_held_now_with_their_discretion_and_review_state(reader, ladder):
    held = reader.get("/api/v1/levels").json["items"]
    by_person = {row["employee"]: row for row in held}
    assert set(by_person) == {"J-1", "S-1"}  # the superseded grant is not held
    senior = by_person["S-1"]
    assert senior["level"]["rank"] == 2
    assert [item["key"] for item in senior["discretion"]] == ["waive-fee", "close"]
    assert senior["discretion"][0]["limit"] == 1000.0 and senior["discretion"][1]["limit"] is None
    assert senior["grant"]["under_review"] is True
    assert senior["grant"]["review_reasons"] == ["its review was due on 2026-01-01"]
    assert by_person["J-1"]["grant"]["under_review"] is False


def test_filtered_by_person_or_track(reader, ladder, autonomy, people):
    other = autonomy.track([], [{}], code="OTHER")
    autonomy.grant(people.employee(employee_number="O-1"), other.levels[0])
    one = reader.get("/api/v1/levels", query_string={"employee": "J-1"}).json["items"]
    assert [row["employee"] for row in one] == ["J-1"]
    clerks = reader.get("/api/v1/levels", query_string={"track": "CLERK"}).json["items"]
    assert {row["employee"] for row in clerks} == {"J-1", "S-1"}


def test_a_page_costs_the_same_statements_whatever_its_size(
    reader, ladder, people, autonomy, count_queries
):
    for n in range(12):
        autonomy.grant(people.employee(), ladder.levels[n % 2])
    counts = []
    for limit in (2, 12):
        with count_queries() as statements:
            response = reader.get("/api/v1/levels", query_string={"limit": limit})
        assert len(response.json["items"]) == limit
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
