"""Sign-in sessions live on the server: signing out ends one for real, and nothing carries over."""

import hashlib
import re

import sqlalchemy as sa

from civicladder.access import Role
from tests.civicladder.factories import PASSWORD


def sign_in(client, email, password=PASSWORD, **kwargs):
    return client.post("/sign-in", data={"email": email, "password": password}, **kwargs)


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def copy_of(app, client):
    """A second browser holding a copy of the first one's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", session_cookie(client))
    return thief


def test_a_copied_cookie_stops_working_after_sign_out(app, client, make_user):
    user = make_user()
    assert sign_in(client, user.email).status_code == 302
    thief = copy_of(app, client)
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    assert client.post("/sign-out").status_code == 302
    assert thief.get("/").status_code == 302
    assert client.get("/").status_code == 302


def test_signing_out_one_browser_keeps_the_others_signed_in(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user.email)
    sign_in(phone, user.email)
    laptop.post("/sign-out")
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 200


def session_token(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


def test_each_sign_in_gets_a_new_session(app, client, make_user):
    user = make_user()
    sign_in(client, user.email)
    first = session_token(client)
    client.post("/sign-out")
    sign_in(client, user.email)
    assert session_token(client) not in (None, first)
    # A session value planted before the victim signs in is replaced, and worth nothing.
    victim = app.test_client()
    with victim.session_transaction() as session:
        session["_user_id"] = "chosen-by-an-attacker"
        session["csrf_token"] = "also-chosen-by-an-attacker"
    sign_in(victim, user.email)
    with victim.session_transaction() as session:
        assert session["_user_id"] != "chosen-by-an-attacker"
        assert "csrf_token" not in session
    planted = app.test_client()
    with planted.session_transaction() as session:
        session["_user_id"] = "chosen-by-an-attacker"
    assert planted.get("/").status_code == 302


def test_only_a_hash_of_the_session_token_is_stored(app, client, make_user, _transaction):
    from civicladder.models import UserSession

    user = make_user()
    browser = {"User-Agent": "TestBrowser/1.0"}
    sign_in(client, user.email, headers=browser)
    row = _transaction.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    assert row.ended_at is None and row.user_agent == "TestBrowser/1.0"
    with client.session_transaction() as session:
        token = session["_user_id"]
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    client.post("/sign-out", headers=browser)
    _transaction.expire_all()
    assert row.ended_at is not None


def test_an_expired_session_is_refused(app, client, make_user, _transaction, monkeypatch):
    from datetime import timedelta

    from civicladder import clock

    user = make_user()
    sign_in(client, user.email)
    later = clock.now() + timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"] + 60)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert client.get("/").status_code == 302


def test_deactivation_ends_every_session_of_the_user(app, client_as, make_user):
    user = make_user()
    browser = app.test_client()
    sign_in(browser, user.email)
    client_as("admin").post(
        f"/admin/users/{user.id}/deactivate", data={"reason": "left", "confirmed": "yes"}
    )
    assert browser.get("/").status_code == 302


def test_password_change_ends_the_other_sessions_and_keeps_this_one(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user.email)
    sign_in(phone, user.email)
    new = "a brand new long password"
    form = {"current_password": PASSWORD, "new_password": new, "confirm_password": new}
    assert laptop.post("/account/password", data=form).status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_a_forged_forwarded_for_header_does_not_change_the_session_identifier(app, make_user):
    user = make_user()
    browser = app.test_client()
    sign_in(browser, user.email, headers={"X-Forwarded-For": "198.51.100.7"})
    # Session protection binds the session to the real address and browser, not to a header
    # the client chooses: the same browser without the header is still signed in...
    assert browser.get("/").status_code == 200
    # ...and a thief cannot borrow the session by claiming the victim's forwarded address.
    assert browser.get("/", environ_base={"REMOTE_ADDR": "192.0.2.99"}).status_code == 302


def csrf_token_in(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_csrf_token_changes_at_sign_in_and_sign_out(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make_user({Role.EMPLOYEE})
    before = csrf_token_in(client.get("/sign-in").text)
    data = {"email": user.email, "password": PASSWORD, "csrf_token": before}
    assert client.post("/sign-in", data=data).status_code == 302
    # The token an attacker may have seen before sign-in is worthless afterwards.
    assert client.post("/sign-out", data={"csrf_token": before}).status_code == 400
    signed_in = csrf_token_in(client.get("/account/password").text)
    assert client.post("/sign-out", data={"csrf_token": signed_in}).status_code == 302
    after = csrf_token_in(client.get("/sign-in").text)
    data["csrf_token"] = signed_in
    assert client.post("/sign-in", data=data).status_code == 400
    data["csrf_token"] = after
    assert client.post("/sign-in", data=data).status_code == 302
