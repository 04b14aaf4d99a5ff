"""Departments, bargaining units and employees through the API: pages by cursor, filters, the
statements a page costs, and the per-token rate limit."""

from __future__ import annotations

import pytest

from api import pagination
from people.models import EmployeeStatus
from tests.api.factories import api_token, bearer

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def reader(client):
    token = api_token(["directory:read", "roster:read"])
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token.secret}"
    return client


@pytest.fixture
def staff(people):
    """Parks > North > Crew A (two people, one of them in Local 9) and Parks > South (one,
    separated); Libraries (one)."""
    local = people.bargaining_unit(code="L9", name="Local 9")
    boss = people.employee(department_path="Parks > North > Crew A", employee_number="P-1")
    member = people.employee(
        department_path="Parks > North > Crew A",
        employee_number="P-2",
        manager=boss,
        bargaining_unit=local,
    )
    gone = people.employee(
        department_path="Parks > South", employee_number="P-3", status=EmployeeStatus.SEPARATED
    )
    other = people.employee(department_path="Libraries", employee_number="L-1")
    return {"boss": boss, "member": member, "gone": gone, "other": other, "local": local}


def _all_pages(client, url: str, limit: int) -> list[list[dict]]:
    pages, after = [], None
    while True:
        query = {"limit": limit} | ({"after": after} if after else {})
        response = client.get(url, query_string=query)
        assert response.status_code == 200, response.json
        pages.append(response.json["items"])
        after = response.json["next"]
        if after is None:
            assert "Link" not in response.headers
            return pages
        assert response.headers["Link"].endswith('rel="next"') and after in response.headers["Link"]


def test_every_department_comes_once_in_order_a_page_at_a_time(reader, staff):
    pages = _all_pages(reader, "/api/v1/departments", limit=2)
    ids = [row["id"] for page in pages for row in page]
    assert ids == sorted(set(ids)) and all(len(page) <= 2 for page in pages)
    paths = {row["path"] for page in pages for row in page}
    assert {"Parks", "Parks > North", "Parks > North > Crew A", "Libraries"} <= paths


def test_employees_filtered_by_department_include_those_below(reader, staff):
    parks = reader.get("/api/v1/departments", query_string={"limit": 1000}).json["items"]
    parks_id = next(row["id"] for row in parks if row["path"] == "Parks")
    found = reader.get("/api/v1/employees", query_string={"department": parks_id}).json
    assert {row["employee_number"] for row in found["items"]} == {"P-1", "P-2", "P-3"}
    member = next(row for row in found["items"] if row["employee_number"] == "P-2")
    assert member["manager_employee_number"] == "P-1"
    assert member["bargaining_unit"] == "L9"
    assert member["department"] == "Parks > North > Crew A"
    active = reader.get(
        "/api/v1/employees", query_string={"department": parks_id, "status": "active"}
    ).json["items"]
    assert {row["employee_number"] for row in active} == {"P-1", "P-2"}
    in_local = reader.get("/api/v1/employees", query_string={"bargaining_unit": "L9"}).json
    assert [row["employee_number"] for row in in_local["items"]] == ["P-2"]


def test_one_employee_by_number(reader, staff):
    assert reader.get("/api/v1/employees/L-1").json["department"] == "Libraries"
    missing = reader.get("/api/v1/employees/X-404")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"after": "not-a-cursor"}, "after"),
        ({"after": pagination.encode(5)[:-2] + "!!"}, "after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"status": "retired"}, "status"),
        ({"department": "999999"}, "department"),
    ],
)
def test_a_wrong_query_names_its_field(reader, staff, query, field):
    response = reader.get("/api/v1/employees", query_string=query)
    assert response.status_code in (404, 422)
    assert response.json["field"] == field


def test_a_page_costs_the_same_statements_whatever_its_size(reader, people, count_queries):
    for n in range(25):
        people.employee(department_path=f"Parks > Crew {n % 3}")
    counts = []
    for limit in (2, 25):
        with count_queries() as statements:
            response = reader.get("/api/v1/employees", query_string={"limit": limit})
        assert len(response.json["items"]) == limit
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_a_token_reads_only_what_its_scopes_allow(client, staff):
    roster_only = api_token(["roster:read"])
    assert client.get("/api/v1/employees", headers=bearer(roster_only.secret)).status_code == 200
    refused = client.get("/api/v1/departments", headers=bearer(roster_only.secret))
    assert refused.status_code == 403 and "directory:read" in refused.json["detail"]


def test_a_token_over_its_rate_limit_is_told_when_to_come_back(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    first, second = api_token(["directory:read"]), api_token(["directory:read"])
    for _ in range(2):
        assert (
            client.get("/api/v1/bargaining-units", headers=bearer(first.secret)).status_code == 200
        )
    over = client.get("/api/v1/bargaining-units", headers=bearer(first.secret))
    assert over.status_code == 429 and over.mimetype == "application/problem+json"
    assert int(over.headers["Retry-After"]) > 0
    assert "too many calls" in over.json["detail"].lower()
    # Another token has its own allowance.
    assert client.get("/api/v1/bargaining-units", headers=bearer(second.secret)).status_code == 200


def test_an_id_beyond_any_row_is_refused_not_a_server_error(reader):
    huge = reader.get("/api/v1/employees", query_string={"department": str(2**80)})
    assert huge.status_code == 422 and huge.json["field"] == "department"
