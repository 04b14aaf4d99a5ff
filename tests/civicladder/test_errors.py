"""Error pages come in the site's layout, with the right status, and a 500 keeps nothing."""

import pytest
import sqlalchemy as sa
from flask import request

from civicladder import audit
from civicladder.access import Role, public
from civicladder.app import create_app
from civicladder.db import db
from civicladder.errors import Conflict
from civicladder.models import AuditEvent, User, UserRole
from tests.civicladder.factories import PASSWORD


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

    def duplicate_at_commit():
        taken = request.args["email"]
        db.session.add(User(email=taken, full_name="Twin"))
        audit.record(None, "half.written", None)
        return "looks fine until the commit"

    def duplicate_at_flush():
        db.session.add(User(email=request.args["email"], full_name="Twin"))
        db.session.flush()
        return "never reached"

    def broken_row_at_flush():
        # A NOT NULL column left empty: a bug in the code, not a race.
        db.session.add(User(email=request.args["email"], full_name=None))
        db.session.flush()
        return "never reached"

    def broken_row_at_commit():
        db.session.add(User(email=request.args["email"], full_name=None))
        audit.record(None, "half.written", None)
        return "looks fine until the commit"

    def vanished_parent():
        db.session.add(UserRole(user_id=2**31 - 1, role=Role.EMPLOYEE))
        audit.record(None, "half.written", None)
        db.session.flush()
        return "never reached"

    second.add_url_rule("/broken-flush", "broken_flush", public(broken_row_at_flush))
    second.add_url_rule("/broken-commit", "broken_commit", public(broken_row_at_commit))
    second.add_url_rule("/vanished-parent", "vanished_parent", public(vanished_parent))
    second.add_url_rule("/commit-clash", "commit_clash", public(duplicate_at_commit))
    second.add_url_rule("/flush-clash", "flush_clash", public(duplicate_at_flush))
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


@pytest.mark.parametrize("route", ["/commit-clash", "/flush-clash"])
def test_a_clash_with_a_concurrent_change_is_a_409_and_keeps_nothing(
    broken_app, make_user, _transaction, route
):
    existing = make_user()
    response = broken_app.test_client().get(route, query_string={"email": existing.email})
    assert response.status_code == 409
    assert "Someone else changed the same records at the same moment" in response.text
    assert half_written(_transaction) == 0
    twins = sa.select(sa.func.count(User.id)).where(User.email == existing.email)
    assert _transaction.scalar(twins) == 1


def sign_in(app, user):
    """A client of `app` signed in as `user` (the layout then reads the user and their notices)."""
    test_client = app.test_client()
    signed_in = test_client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    return test_client


@pytest.mark.parametrize("route", ["/commit-clash", "/flush-clash", "/vanished-parent"])
def test_a_signed_in_person_gets_the_conflict_page_in_the_layout(
    broken_app, make_user, _transaction, route
):
    existing = make_user()
    response = sign_in(broken_app, make_user()).get(route, query_string={"email": existing.email})
    assert response.status_code == 409
    assert "Someone else changed the same records at the same moment" in response.text
    assert "Signed in as" in response.text
    assert half_written(_transaction) == 0


@pytest.mark.parametrize("route", ["/broken-flush", "/broken-commit"])
def test_a_row_the_database_refuses_for_another_reason_is_a_logged_500(
    broken_app, make_user, _transaction, caplog, route
):
    email = "nobody-yet@city.test"
    response = sign_in(broken_app, make_user()).get(route, query_string={"email": email})
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "Signed in as" in response.text
    assert any(record.levelname == "ERROR" and record.exc_info for record in caplog.records)
    assert half_written(_transaction) == 0
    assert _transaction.scalar(sa.select(User.id).where(User.email == email)) is None


def test_unknown_display_timezone_stops_start_up(monkeypatch, tmp_path):
    from civicladder.config import ConfigError, load

    monkeypatch.setenv("DISPLAY_TIMEZONE", "Mars/Olympus_Mons")
    with pytest.raises(ConfigError, match="not a known time zone"):
        load(str(tmp_path))
