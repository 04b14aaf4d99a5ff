"""Sign-in through the city's identity provider, end to end against a real OpenID Connect
provider process (tests/civicladder/oidc_provider.py) on 127.0.0.1.

The app under test fetches the provider's discovery document, token and keys over HTTP; the
test plays the browser with the Flask test client, following the redirects by hand (the
provider's own with `requests`). One provider serves the whole module.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from civicladder import identity
from civicladder.access import Role
from civicladder.app import create_app
from civicladder.config import ConfigError, load, new_signing_key
from civicladder.db import db
from civicladder.errors import Forbidden
from civicladder.models import AuditEvent, User, UserSession
from civicladder.oidc import CALLBACK_PATH
from people.models import EmployeeStatus

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "civicladder-tests"
CLIENT_SECRET = "a secret the provider and the app share"


class Provider:
    """The provider process, and its test-only controls."""

    def __init__(self, issuer: str):
        self.issuer = issuer

    def act(self, user: dict | None, misbehave: str | None = None) -> None:
        answer = requests.post(
            f"{self.issuer}/test/control", json={"user": user, "misbehave": misbehave}, timeout=5
        )
        assert answer.status_code == 204, answer.text

    def rotate(self) -> str:
        return requests.post(f"{self.issuer}/test/rotate", timeout=5).json()["kid"]

    def authorize_requests(self) -> list[dict]:
        return requests.get(f"{self.issuer}/test/requests", timeout=5).json()

    def published_kids(self) -> list[str]:
        keys = requests.get(f"{self.issuer}/jwks", timeout=5).json()["keys"]
        return [key["kid"] for key in keys]


@pytest.fixture(scope="module")
def provider(app):
    redirect_uri = app.config["PUBLIC_URL"] + CALLBACK_PATH
    process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", "tests.civicladder.oidc_provider", CLIENT_ID, CLIENT_SECRET]
        + [redirect_uri],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        issuer = process.stdout.readline().strip()
        assert issuer.startswith("http://127.0.0.1:"), f"the provider did not start: {issuer!r}"
        yield Provider(issuer)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture(scope="module")
def city_app(app, provider):
    """The app, configured to sign people in through the provider."""
    settings = {
        "OIDC_ISSUER": provider.issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_BUTTON_LABEL": None,
        "CITY_NAME": "City of Testville",
        "OIDC_EMPLOYEE_NUMBER_CLAIM": "employee_number",
        "OIDC_CREATE_ACCOUNTS": True,
        "OIDC_ROLE_GROUPS": {"hr": frozenset({"CL-HR"}), "admin": frozenset({"CL-Admins", "IT"})},
    }
    configured = create_app(dict(app.config) | settings)
    configured.instance_path = app.instance_path
    return configured


def person(email: str, **claims) -> dict:
    return {"sub": f"sub-{email.lower()}", "email": email, **claims}


def through_provider(client, provider: Provider, user: dict | None, misbehave: str | None = None):
    """Start a sign-in, let the provider answer, and bring its answer back to the app."""
    provider.act(user, misbehave)
    started = client.get("/sign-in/oidc")
    assert started.status_code == 302, started.text
    assert started.location.startswith(f"{provider.issuer}/authorize?")
    answered = requests.get(started.location, allow_redirects=False, timeout=5)
    assert answered.status_code == 302, answered.text
    back = urlsplit(answered.headers["Location"])
    assert back.path == CALLBACK_PATH
    return client.get(f"{back.path}?{back.query}")


def written():
    """How many sign-in events and sessions the database holds."""
    events = sa.select(sa.func.count()).where(AuditEvent.action == "user.signed_in")
    return db.session.scalar(events), db.session.scalar(sa.select(sa.func.count(UserSession.id)))


def assert_signed_out(client) -> None:
    home = client.get("/")
    assert home.status_code == 302 and home.location.startswith("/sign-in")


def test_the_sign_in_page_offers_the_city_account_first(city_app, app):
    page = city_app.test_client().get("/sign-in").text
    assert 'href="/sign-in/oidc"' in page
    assert page.index("Sign in with City of Testville") < page.index('name="password"')
    assert "/sign-in/oidc" not in app.test_client().get("/sign-in").text


def test_without_an_issuer_there_is_no_provider_sign_in(app):
    client = app.test_client()
    assert client.get("/sign-in/oidc").status_code == 404
    assert client.get(f"{CALLBACK_PATH}?code=x&state=y").status_code == 404


def test_a_person_with_an_account_signs_in_with_their_city_account(city_app, provider, make_user):
    user = make_user(email="ana.ruiz@city.test")
    client = city_app.test_client()
    answer = through_provider(client, provider, person("Ana.Ruiz@City.Test"))
    assert answer.status_code == 302 and answer.location == "/"
    assert client.get("/").status_code == 200
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "user.signed_in")
    ).one()
    assert event.actor_id == user.id
    assert event.after == {
        "method": "oidc",
        "issuer": provider.issuer,
        "subject": "sub-ana.ruiz@city.test",
    }
    assert db.session.get(User, user.id).last_login_at is not None
    sent = provider.authorize_requests()[-1]
    assert sent["code_challenge_method"] == "S256" and sent["code_challenge"]
    assert sent["nonce"] and sent["state"] and sent["client_id"] == CLIENT_ID
    assert sent["redirect_uri"] == city_app.config["PUBLIC_URL"] + CALLBACK_PATH


def test_a_person_sent_to_sign_in_comes_back_to_the_page_they_asked_for(
    city_app, provider, make_user
):
    make_user(email="pat.ivy@city.test")
    client = city_app.test_client()
    page = client.get("/account/password")
    assert page.status_code == 302 and page.location.startswith("/sign-in?next=")
    assert 'href="/sign-in/oidc?next=/account/password"' in client.get(page.location).text
    provider.act(person("pat.ivy@city.test"))
    started = client.get("/sign-in/oidc?next=/account/password")
    answered = requests.get(started.location, allow_redirects=False, timeout=5)
    back = urlsplit(answered.headers["Location"])
    answer = client.get(f"{back.path}?{back.query}")
    assert answer.status_code == 302 and answer.location == "/account/password"
    elsewhere = city_app.test_client()
    provider.act(person("pat.ivy@city.test"))
    started = elsewhere.get("/sign-in/oidc?next=//evil.example/")
    answered = requests.get(started.location, allow_redirects=False, timeout=5)
    back = urlsplit(answered.headers["Location"])
    assert elsewhere.get(f"{back.path}?{back.query}").location == "/"


def test_an_unreachable_provider_gets_a_clear_page(app):
    settings = {
        "OIDC_ISSUER": "http://127.0.0.1:9",
        "OIDC_CLIENT_ID": "x",
        "OIDC_CLIENT_SECRET": "y",
    }
    unreachable = create_app(dict(app.config) | settings)
    answer = unreachable.test_client().get("/sign-in/oidc")
    assert answer.status_code == 502
    assert "CivicLadder could not reach the city" in answer.text


def test_a_discovery_document_naming_another_issuer_is_refused(app, provider):
    # The same provider reached by another name: its documents name 127.0.0.1, not localhost.
    settings = {
        "OIDC_ISSUER": provider.issuer.replace("127.0.0.1", "localhost"),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
    }
    misnamed = create_app(dict(app.config) | settings)
    answer = misnamed.test_client().get("/sign-in/oidc")
    assert answer.status_code == 502
    assert "not set up as CivicLadder expects" in answer.text


@pytest.mark.parametrize("misbehave", ["wrong_nonce", "expired", "other_audience", "forged"])
def test_an_id_token_that_fails_a_check_signs_no_one_in(misbehave, city_app, provider, make_user):
    make_user(email="ben.ode@city.test")
    client = city_app.test_client()
    before = written()
    answer = through_provider(client, provider, person("ben.ode@city.test"), misbehave)
    assert answer.status_code == 400
    assert "sent an answer CivicLadder cannot trust" in answer.text
    assert written() == before
    assert_signed_out(client)


def test_a_token_response_without_an_id_token_signs_no_one_in(city_app, provider, make_user):
    make_user(email="quinn.li@city.test")
    client = city_app.test_client()
    before = written()
    answer = through_provider(client, provider, person("quinn.li@city.test"), "no_id_token")
    assert answer.status_code == 400 and "sent no identity" in answer.text
    assert written() == before
    assert_signed_out(client)


def test_sign_in_still_works_after_the_provider_rotates_its_key(city_app, provider, make_user):
    make_user(email="cy.lam@city.test")
    first = through_provider(city_app.test_client(), provider, person("cy.lam@city.test"))
    assert first.status_code == 302  # the app now holds the provider's first key
    new_kid = provider.rotate()
    assert provider.published_kids() == [new_kid]  # the old key is gone from the JWKS
    client = city_app.test_client()
    again = through_provider(client, provider, person("cy.lam@city.test"))
    assert again.status_code == 302 and again.location == "/"
    assert client.get("/").status_code == 200


def test_an_email_given_only_by_the_userinfo_endpoint_is_used(city_app, provider, make_user):
    user = make_user(email="ida.cho@city.test")
    client = city_app.test_client()
    answer = through_provider(
        client, provider, person("ida.cho@city.test"), "email_in_userinfo_only"
    )
    assert answer.status_code == 302 and answer.location == "/"
    assert db.session.get(User, user.id).last_login_at is not None


def test_a_userinfo_answer_about_someone_else_is_refused(city_app, provider, make_user):
    make_user(email="jo.paz@city.test")
    client = city_app.test_client()
    before = written()
    answer = through_provider(client, provider, person("jo.paz@city.test"), "userinfo_for_another")
    assert answer.status_code == 400 and "cannot trust" in answer.text
    assert written() == before
    assert_signed_out(client)


def events_about(user_id: int) -> list[str]:
    return db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.object_type == "User", AuditEvent.object_id == str(user_id))
        .order_by(AuditEvent.id)
    ).all()


def test_an_employee_signing_in_first_gets_an_account_linked_to_their_record(
    city_app, provider, people
):
    employee = people.employee(employee_number="E-4410", email="Lu.Vo@City.Test")
    client = city_app.test_client()
    claims = person("lu.vo@mail.city.test", employee_number="E-4410")
    answer = through_provider(client, provider, claims)
    assert answer.status_code == 302 and answer.location == "/"
    db.session.refresh(employee)
    user = db.session.get(User, employee.user_id)
    assert user.email == "lu.vo@city.test"  # HR's record, not the provider's address
    assert user.roles == {Role.EMPLOYEE} and user.password_hash is None
    assert events_about(user.id) == ["user.created", "user.employee_linked", "user.signed_in"]
    assert client.get(f"/people/{employee.id}").status_code == 200  # their own profile
    again = through_provider(city_app.test_client(), provider, claims)
    assert again.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == user.email)) == 1


def test_the_employee_number_finds_the_linked_account_whatever_the_email(
    city_app, provider, people
):
    employee, user = people.employee_user(employee_number="E-4411")
    answer = through_provider(
        city_app.test_client(), provider, person("other@mail.test", employee_number="E-4411")
    )
    assert answer.status_code == 302
    assert events_about(user.id)[-1] == "user.signed_in"


def test_a_separated_employee_gets_no_account(city_app, provider, people):
    people.employee(employee_number="E-4412", status=EmployeeStatus.SEPARATED)
    client = city_app.test_client()
    before = written()
    answer = through_provider(client, provider, person("x@city.test", employee_number="E-4412"))
    assert answer.status_code == 403 and "marked as separated" in answer.text
    assert written() == before
    assert_signed_out(client)


def test_without_account_making_an_unknown_number_falls_back_to_the_email(
    city_app, provider, people, make_user, monkeypatch
):
    monkeypatch.setitem(city_app.config, "OIDC_CREATE_ACCOUNTS", False)
    employee = people.employee(employee_number="E-4413")
    by_email = make_user(email="mo.ali@city.test")
    claims = person("mo.ali@city.test", employee_number="E-4413")
    assert through_provider(city_app.test_client(), provider, claims).status_code == 302
    assert events_about(by_email.id) == ["user.signed_in"]
    db.session.refresh(employee)
    assert employee.user_id is None
    stranger = person("nobody.else@city.test", employee_number="E-4413")
    assert through_provider(city_app.test_client(), provider, stranger).status_code == 403


def test_the_providers_groups_set_the_roles_they_are_mapped_to(city_app, provider, make_user):
    user = make_user({Role.EMPLOYEE, Role.ADMIN}, email="ned.oh@city.test")
    client = city_app.test_client()
    claims = person("ned.oh@city.test", groups=["CL-HR", "Parks staff"])
    assert through_provider(client, provider, claims).status_code == 302
    assert db.session.get(User, user.id).roles == {Role.EMPLOYEE, Role.HR}
    change = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "user.roles_changed")
    ).one()
    assert change.actor_id is None and change.object_id == str(user.id)
    assert change.before == {"roles": ["admin", "employee"]}
    assert change.after == {"roles": ["employee", "hr"]}
    assert change.reason == "Groups at the city's identity provider"
    assert client.get("/admin/audit").status_code == 403  # no longer an administrator
    again = person("ned.oh@city.test", groups=["CL-HR"])
    assert through_provider(city_app.test_client(), provider, again).status_code == 302
    assert events_about(user.id).count("user.roles_changed") == 1  # nothing to change


def test_without_a_groups_claim_the_roles_stay(city_app, provider, make_user):
    user = make_user({Role.EMPLOYEE, Role.ADMIN}, email="oz.ra@city.test")
    assert (
        through_provider(city_app.test_client(), provider, person("oz.ra@city.test")).status_code
        == 302
    )
    assert db.session.get(User, user.id).roles == {Role.EMPLOYEE, Role.ADMIN}
    assert "user.roles_changed" not in events_about(user.id)


def test_a_role_mapping_naming_no_role_stops_start_up(monkeypatch, tmp_path):
    monkeypatch.setenv("OIDC_ROLE_GROUPS", "hr=CL-HR;boss=CL-Bosses")
    with pytest.raises(ConfigError, match="'boss=CL-Bosses' is not role=group"):
        load(str(tmp_path))
    monkeypatch.setenv("OIDC_ROLE_GROUPS", " hr = CL HR ; hr=Personnel;admin=IT ")
    assert load(str(tmp_path))["OIDC_ROLE_GROUPS"] == {
        "hr": frozenset({"CL HR", "Personnel"}),
        "admin": frozenset({"IT"}),
    }


def test_a_person_without_an_account_is_told_to_ask_hr(city_app, provider):
    client = city_app.test_client()
    before = written()
    answer = through_provider(client, provider, person("nobody@city.test"))
    assert answer.status_code == 403
    assert "There is no CivicLadder account for nobody@city.test" in answer.text
    assert "Ask Human Resources or your administrator" in answer.text
    assert written() == before
    assert_signed_out(client)


def test_a_disabled_account_is_not_signed_in(city_app, provider, make_user):
    make_user(email="dee.moss@city.test", active=False)
    client = city_app.test_client()
    before = written()
    answer = through_provider(client, provider, person("dee.moss@city.test"))
    assert answer.status_code == 403
    assert "is switched off" in answer.text
    assert written() == before
    assert_signed_out(client)


def test_an_email_the_provider_has_not_verified_finds_no_account(city_app, provider, make_user):
    make_user(email="eve.tan@city.test")
    answer = through_provider(
        city_app.test_client(), provider, person("eve.tan@city.test", email_verified=False)
    )
    assert answer.status_code == 403 and "not verified" in answer.text


def test_a_refusal_from_the_provider_is_explained(city_app, provider):
    client = city_app.test_client()
    answer = through_provider(client, provider, person("fay.hu@city.test"), "deny")
    assert answer.status_code == 400
    assert "did not sign you in" in answer.text
    assert_signed_out(client)


def test_an_answer_for_another_browser_or_used_twice_is_refused(city_app, provider, make_user):
    make_user(email="gus.ng@city.test")
    provider.act(person("gus.ng@city.test"))
    client = city_app.test_client()
    answered = requests.get(client.get("/sign-in/oidc").location, allow_redirects=False, timeout=5)
    callback = urlsplit(answered.headers["Location"])
    callback = f"{callback.path}?{callback.query}"
    stranger = city_app.test_client()
    assert stranger.get(callback).status_code == 400
    assert_signed_out(stranger)
    assert client.get(callback).status_code == 302
    replay = city_app.test_client()
    replay.get("/sign-in/oidc")  # a sign-in of its own, with another state
    assert replay.get(callback).status_code == 400


@pytest.mark.parametrize(
    "query", ["", "?code=abc", "?state=abc", "?code=abc&state=abc", "?error=server_error"]
)
def test_a_malformed_answer_gets_a_clear_page(query, city_app):
    answer = city_app.test_client().get(CALLBACK_PATH + query)
    assert answer.status_code == 400
    assert "Go back to the sign-in page and start again" in answer.text


def test_signing_out_ends_the_session_here_and_at_the_provider(city_app, provider, make_user):
    make_user(email="hal.ek@city.test")
    client = city_app.test_client()
    through_provider(client, provider, person("hal.ek@city.test"))
    out = client.post("/sign-out")
    assert out.status_code == 302
    logout = urlsplit(out.location)
    assert f"{logout.scheme}://{logout.netloc}{logout.path}" == f"{provider.issuer}/logout"
    params = parse_qs(logout.query)
    assert params["post_logout_redirect_uri"] == [city_app.config["PUBLIC_URL"] + "/sign-in"]
    assert params["client_id"] == [CLIENT_ID] and params["id_token_hint"][0].count(".") == 2
    assert_signed_out(client)


def test_a_password_sign_in_signs_out_here_only(city_app, make_user):
    user = make_user()
    client = city_app.test_client()
    client.post("/sign-in", data={"email": user.email, "password": "correct horse battery staple"})
    out = client.post("/sign-out")
    assert out.status_code == 302 and out.location == "/sign-in"


def test_an_issuer_without_client_credentials_stops_start_up(monkeypatch, tmp_path):
    monkeypatch.setenv("OIDC_ISSUER", "https://login.example.gov")
    monkeypatch.delenv("OIDC_CLIENT_ID", raising=False)
    monkeypatch.delenv("OIDC_CLIENT_SECRET", raising=False)
    with pytest.raises(ConfigError, match="OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are not"):
        load(str(tmp_path))


def test_production_reaches_the_provider_only_over_tls(monkeypatch, tmp_path):
    for name, value in {
        "OIDC_ISSUER": "http://login.example.gov",
        "OIDC_CLIENT_ID": "ladder",
        "OIDC_CLIENT_SECRET": "s",
        "CIVICLADDER_PRODUCTION": "1",
        "SECRET_KEY": "k",
        "CREDENTIAL_SIGNING_KEY": new_signing_key(),
    }.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match="is not https"):
        load(str(tmp_path))
    monkeypatch.setenv("OIDC_ISSUER", "https://login.example.gov")
    assert load(str(tmp_path))["OIDC_BUTTON_LABEL"] == "Sign in with City of Example"


def test_the_claim_the_city_names_carries_the_email(app_ctx, make_user):
    user = make_user(email="kim.ro@city.test")
    found = identity.authenticate({"sub": "k", "upn": "Kim.Ro@City.Test"}, "upn")
    assert found.id == user.id
    with pytest.raises(Forbidden, match="did not tell CivicLadder your email address"):
        identity.authenticate({"sub": "k", "email": "kim.ro@city.test"}, "upn")
