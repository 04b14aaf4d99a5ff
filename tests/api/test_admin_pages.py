"""The administrator's pages for API clients: registering a system, issuing a token shown
once, revoking a token and disabling a client, each confirmed first."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from api.models import ApiClient, ApiToken
from civicladder.db import db
from tests.api.factories import api_token, bearer

pytestmark = pytest.mark.usefixtures("app_ctx")

CHECK = "/api/v1/discretion/check?employee=E-none&item=none"


@pytest.fixture
def admin(client_as):
    return client_as("admin")


def _register(admin, **overrides):
    form = {
        "name": "311 service requests",
        "contact": "ops311@city.gov",
        "scopes": ["discretion:check", "roster:read"],
    } | overrides
    return admin.post("/admin/api-clients/new", data=form)


def test_an_administrator_registers_a_system_and_issues_it_a_token_shown_once(admin, client):
    response = _register(admin)
    assert response.status_code == 302
    registered = db.session.scalar(sa.select(ApiClient).filter_by(name="311 service requests"))
    assert registered.scope_set == {"discretion:check", "roster:read"}
    page = admin.get(response.headers["Location"]).text
    assert "No token has been issued" in page and "Issue the token" in page

    issued = admin.post(
        f"/admin/api-clients/{registered.id}/tokens",
        data={"label": "production", "scopes": ["discretion:check"], "days": "90"},
    )
    assert issued.status_code == 200
    assert issued.headers["Cache-Control"] == "no-store"
    secret = re.search(r'value="(clapi_[^"]+)"', issued.text).group(1)
    # The secret works against the API; the API answers with a problem about the request,
    # not about the token.
    assert client.get(CHECK, headers=bearer(secret)).status_code == 404
    # It is not kept, so the client's page cannot show it again.
    again = admin.get(f"/admin/api-clients/{registered.id}").text
    assert secret not in again and secret[:12] in again and "production" in again
    token = db.session.scalar(sa.select(ApiToken).filter_by(client_id=registered.id))
    assert secret not in (token.digest, token.prefix, token.label)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"scopes": []}, "Choose at least one scope."),
        ({"contact": "not an address"}, "Give an email address such as ops@city.gov."),
        ({"name": "   "}, "Name the system."),
    ],
)
def test_a_client_form_with_a_mistake_is_refused_and_nothing_is_registered(
    admin, overrides, message
):
    response = _register(admin, **overrides)
    assert response.status_code == 422 and message in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiClient)) == 0


def test_a_name_in_use_is_refused(admin):
    assert _register(admin).status_code == 302
    response = _register(admin, name="311 Service Requests")
    assert response.status_code == 422 and "is registered already" in response.text


def test_a_token_gets_only_the_scopes_its_client_holds(admin):
    held = api_token(["discretion:check"])
    response = admin.post(
        f"/admin/api-clients/{held.token.client_id}/tokens",
        data={"label": "wider", "scopes": ["roster:write"], "days": "30"},
    )
    assert response.status_code == 422 and "is not a valid choice" in response.text
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(ApiToken.client_id == held.token.client_id)
        )
        == 1
    )


def test_revoking_asks_first_then_the_token_stops_working(admin, client):
    held = api_token(["discretion:check"])
    url = f"/admin/api-clients/tokens/{held.token.id}/revoke"
    assert "What happens" in admin.get(url).text
    unconfirmed = admin.post(url, data={"reason": "Leaked in a log"})
    assert unconfirmed.status_code == 422 and "Nothing has changed yet" in unconfirmed.text
    assert client.get(CHECK, headers=bearer(held.secret)).status_code == 404
    no_reason = admin.post(url, data={"confirmed": "yes", "reason": ""})
    assert no_reason.status_code == 422
    assert admin.post(url, data={"confirmed": "yes", "reason": "Leaked"}).status_code == 302
    assert client.get(CHECK, headers=bearer(held.secret)).status_code == 401
    page = admin.get(f"/admin/api-clients/{held.token.client_id}").text
    assert "Revoked" in page


def test_a_disabled_client_can_neither_call_nor_be_given_tokens(admin, client):
    held = api_token(["discretion:check"])
    client_id = held.token.client_id
    url = f"/admin/api-clients/{client_id}/disable"
    assert admin.post(url, data={"confirmed": "yes", "reason": "Contract ended"}).status_code == 302
    assert client.get(CHECK, headers=bearer(held.secret)).status_code == 401
    page = admin.get(f"/admin/api-clients/{client_id}").text
    assert "none of its tokens work" in page and "Issue the token" not in page
    refused = admin.post(
        f"/admin/api-clients/{client_id}/tokens",
        data={"label": "again", "scopes": ["discretion:check"], "days": "30"},
    )
    assert refused.status_code == 422 and "cannot be given tokens" in refused.text


def test_the_client_list_reads_a_fixed_number_of_statements(admin, count_queries):
    counts = []
    for extra in (1, 6):
        for _ in range(extra):
            api_token(["discretion:check"])
        db.session.flush()
        admin.get("/admin/api-clients")
        with count_queries() as statements:
            page = admin.get("/admin/api-clients")
        assert page.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
