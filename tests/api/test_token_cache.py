"""A valid token is read once per API_TOKEN_CACHE_SECONDS in each process: expiry still holds at
every call, a revocation or a disabled client made here is refused at once, and one made
elsewhere (another app server) within those seconds."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from api import tokens
from api.models import ApiToken
from civicladder import clock
from civicladder.db import db
from tests.api.factories import api_token, bearer

REPORTS = "/api/v1/reports"


@pytest.fixture
def cached(app, monkeypatch):
    monkeypatch.setitem(app.config, "API_TOKEN_CACHE_SECONDS", 5)
    tokens._checked.clear()
    yield
    tokens._checked.clear()


def _token_reads(client, secret, count_queries) -> tuple[int, int]:
    with count_queries() as statements:
        status = client.get(REPORTS, headers=bearer(secret)).status_code
    return status, sum("api_token" in statement for statement in statements)


def test_a_valid_token_is_read_once_within_the_window(cached, client, app_ctx, count_queries):
    issued = api_token(["reports:read"])
    assert _token_reads(client, issued.secret, count_queries) == (200, 1)
    assert _token_reads(client, issued.secret, count_queries) == (200, 0)


def test_a_token_revoked_or_a_client_disabled_here_is_refused_at_once(cached, client, app_ctx):
    revoked, disabled = api_token(["reports:read"]), api_token(["reports:read"])
    for issued in (revoked, disabled):
        assert client.get(REPORTS, headers=bearer(issued.secret)).status_code == 200
    tokens.revoke_token(None, revoked.token, "the vendor left")
    tokens.disable_client(None, disabled.token.client, "contract ended")
    for issued in (revoked, disabled):
        assert client.get(REPORTS, headers=bearer(issued.secret)).status_code == 401


def test_a_token_revoked_elsewhere_is_refused_once_the_window_has_passed(
    cached, client, app_ctx, monkeypatch
):
    issued = api_token(["reports:read"])
    assert client.get(REPORTS, headers=bearer(issued.secret)).status_code == 200
    # Another app server revoked it: this process has not heard of it.
    db.session.execute(
        sa.update(ApiToken).where(ApiToken.id == issued.token.id).values(revoked_at=clock.now())
    )
    assert client.get(REPORTS, headers=bearer(issued.secret)).status_code == 200
    later = tokens.time.monotonic() + 5
    monkeypatch.setattr(tokens.time, "monotonic", lambda: later)
    assert client.get(REPORTS, headers=bearer(issued.secret)).status_code == 401


def test_expiry_holds_at_every_call_even_within_the_window(cached, client, app_ctx, monkeypatch):
    issued = api_token(["reports:read"], days=1)
    assert client.get(REPORTS, headers=bearer(issued.secret)).status_code == 200
    later = clock.now() + timedelta(days=1, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert client.get(REPORTS, headers=bearer(issued.secret)).status_code == 401
