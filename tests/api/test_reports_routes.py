"""Published reports through the API: the figures as published (protected cells without their
number), and a token for one bargaining unit reads that unit's reports and nothing else."""

from __future__ import annotations

import pytest

from api import tokens
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Invalid
from reports import rules, services
from tests.api.factories import api_token, bearer

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def published(app, people):
    """Local 100 (seven members, three of them in a small team) and Local 200 (two members),
    each with its 2026Q3 report published, and the Parks department's."""
    ours = people.bargaining_unit(code="L100", name="Local 100")
    theirs = people.bargaining_unit(code="L200", name="Local 200")
    for _ in range(7):
        people.employee(department_path="Parks > North", bargaining_unit=ours)
    for _ in range(2):
        people.employee(department_path="Parks > South", bargaining_unit=theirs)
    period = rules.parse_period("2026Q3")
    with app.test_request_context():
        snapshots = {
            "ours": services.publish_unit_report(None, ours, period, pdf=False),
            "theirs": services.publish_unit_report(None, theirs, period, pdf=False),
            "parks": services.publish_department_report(None, people.department("Parks"), period),
        }
        db.session.flush()
    return {"unit_ours": ours, "unit_theirs": theirs} | {k: v.id for k, v in snapshots.items()}


def _cells(content: dict) -> list[dict]:
    return [
        cell
        for section in content["sections"]
        for table in section["tables"]
        for row in table["rows"]
        for cell in row["cells"]
    ]


def test_a_city_token_lists_every_report_and_reads_one_as_published(client, published):
    headers = bearer(api_token(["reports:read"]).secret)
    listed = client.get("/api/v1/reports", headers=headers).json["items"]
    assert [row["id"] for row in listed] == [
        published["ours"],
        published["theirs"],
        published["parks"],
    ]
    assert listed[0]["scope_kind"] == "bargaining_unit" and listed[0]["scope_code"] == "L100"
    assert listed[2]["scope_kind"] == "department" and listed[2]["scope_code"] == "Parks"
    assert "content" not in listed[0]
    only_units = client.get(
        "/api/v1/reports", query_string={"bargaining_unit": "L200"}, headers=headers
    ).json["items"]
    assert [row["id"] for row in only_units] == [published["theirs"]]
    one = client.get(f"/api/v1/reports/{published['ours']}", headers=headers).json
    assert one["content"]["scope"]["code"] == "L100" and one["period"] == "2026Q3"
    assert rules.content_hash(one["content"]) == one["content_hash"]


def test_a_small_group_comes_without_its_number(client, published):
    headers = bearer(api_token(["reports:read"]).secret)
    content = client.get(f"/api/v1/reports/{published['theirs']}", headers=headers).json["content"]
    protected = [cell for cell in _cells(content) if cell["value"] is None]
    assert protected, "a unit of two has groups under the minimum"
    assert all(
        not any(ch.isdigit() for ch in cell["shown"]) or "fewer than" in cell["shown"]
        for cell in protected
    )


def test_a_token_for_one_unit_reads_that_units_reports_and_no_other(client, published):
    hr_client = tokens.register_client(
        None, name="Local 100 portal", contact="it@local100.test", scopes=["reports:read"]
    )
    issued = tokens.issue_token(
        None,
        hr_client,
        label="production",
        scopes=["reports:read"],
        bargaining_unit_id=published["unit_ours"].id,
    )
    headers = bearer(issued.secret)
    listed = client.get("/api/v1/reports", headers=headers).json["items"]
    assert [row["id"] for row in listed] == [published["ours"]]
    assert client.get(f"/api/v1/reports/{published['ours']}", headers=headers).status_code == 200
    for other in (published["theirs"], published["parks"]):
        refused = client.get(f"/api/v1/reports/{other}", headers=headers)
        assert refused.status_code == 404
        assert refused.headers["Content-Type"] == "application/problem+json"
    asked_for_other = client.get(
        "/api/v1/reports", query_string={"bargaining_unit": "L200"}, headers=headers
    )
    assert asked_for_other.json["items"] == []


def test_a_token_for_one_unit_carries_reports_read_alone(make_user, published):
    admin = make_user({Role.ADMIN})
    wide = tokens.register_client(
        admin, name="Union data", contact="it@union.test", scopes=["reports:read", "roster:read"]
    )
    with pytest.raises(Invalid, match="reports:read alone"):
        tokens.issue_token(
            admin,
            wide,
            label="x",
            scopes=["reports:read", "roster:read"],
            bargaining_unit_id=published["unit_ours"].id,
        )
    with pytest.raises(Invalid, match="bargaining unit from the list"):
        tokens.issue_token(
            admin, wide, label="x", scopes=["reports:read"], bargaining_unit_id=10**6
        )


def test_the_admin_issues_a_token_for_one_unit_from_the_clients_page(client_as, people):
    unit = people.bargaining_unit(code="L200", name="Local 200")
    page = client_as("admin")
    registered = tokens.register_client(
        page.user, name="Local portal", contact="it@local.test", scopes=["reports:read"]
    )
    form = page.get(f"/admin/api-clients/{registered.id}")
    assert "For one bargaining unit" in form.text and "Local 200" in form.text
    issued = page.post(
        f"/admin/api-clients/{registered.id}/tokens",
        data={
            "label": "production",
            "scopes": ["reports:read"],
            "days": "90",
            "bargaining_unit": str(unit.id),
        },
    )
    assert issued.status_code == 200 and "clapi_" in issued.text
    db.session.expire_all()
    assert registered.tokens[0].bargaining_unit_id == unit.id
    assert "Local 200 only" in page.get(f"/admin/api-clients/{registered.id}").text


def test_a_list_of_reports_costs_the_same_statements_whatever_its_size(
    client, published, count_queries
):
    headers = bearer(api_token(["reports:read"]).secret)
    db.session.flush()  # the token's audit event, not the page's
    counts = []
    for limit in (1, 3):
        with count_queries() as statements:
            answer = client.get("/api/v1/reports", query_string={"limit": limit}, headers=headers)
        assert len(answer.json["items"]) == limit
        counts.append(len(statements))
    assert counts[0] == counts[1]
