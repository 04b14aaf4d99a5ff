"""Error pages come in the site's layout, with the right status, and a 500 keeps nothing."""

import pytest
import sqlalchemy as sa

from civicladder import audit
from civicladder.access import public
from civicladder.app import create_app
from civicladder.db import db
from civicladder.errors import Conflict
from civicladder.models import AuditEvent


@pytest.fixture
def broken_app(app):
    """A second app on the same database, with routes that fail after writing."""
    second = create_app(dict(app.config))

    def write_then_crash():
        audit.record(None, "half.written", None)
        db.session.flush()
        raise ZeroDivisionError("a bug")

    def write_then_refuse():
        audit.record(None, "half.written", None)
        db.session.flush()
        raise Conflict("That seat was taken a moment ago.")

    second.add_url_rule("/crash", "crash", public(write_then_crash))
    second.add_url_rule("/refuse", "refuse", public(write_then_refuse))
    return second


def half_written(session) -> int:
    return session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "half.written")
    )


def test_unexpected_error_shows_500_page_and_keeps_nothing(broken_app, _transaction):
    response = broken_app.test_client().get("/crash")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert '<main id="main-content"' in response.text
    assert half_written(_transaction) == 0


def test_domain_error_shows_its_message_and_keeps_nothing(broken_app, _transaction):
    response = broken_app.test_client().get("/refuse")
    assert response.status_code == 409
    assert "That seat was taken a moment ago." in response.text
    assert half_written(_transaction) == 0


@pytest.mark.parametrize(
    "method, url, status, title",
    [
        ("GET", "/no-such-page", 404, "Page not found"),
        ("DELETE", "/sign-in", 405, "That action is not allowed here"),
    ],
)
def test_http_errors_use_the_layout(client, method, url, status, title):
    response = client.open(url, method=method)
    assert response.status_code == status
    assert title in response.text
    assert "<h1>" in response.text


def test_forbidden_page_in_layout(client_as):
    response = client_as("employee").get("/admin/audit")
    assert response.status_code == 403
    assert "You do not have access to this" in response.text
