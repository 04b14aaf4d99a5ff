"""Sign-in safety: redirects, headers, CSRF, rate limits, sessions, production settings."""

import pytest

from civicladder.config import ConfigError, load, new_signing_key
from civicladder.extensions import limiter
from civicladder.security import safe_next
from tests.civicladder.factories import PASSWORD


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/people/3", "/people/3"),
        ("/people?q=ann&page=2", "/people?q=ann&page=2"),
        ("//evil.example/", None),
        ("/\\evil.example", None),
        ("https://evil.example/", None),
        ("javascript:alert(1)", None),
        ("people", None),
        ("/ok\r\nSet-Cookie: x=1", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_next_keeps_only_same_site_paths(target, expected):
    assert safe_next(target) == expected


def sign_in(client, email, password=PASSWORD, next_=None):
    data = {"email": email, "password": password}
    url = "/sign-in" + (f"?next={next_}" if next_ else "")
    return client.post(url, data=data)


def test_sign_in_follows_a_safe_next(client, make_user):
    user = make_user()
    response = sign_in(client, user.email, next_="/account/password")
    assert response.headers["Location"] == "/account/password"


@pytest.mark.parametrize("evil", ["//evil.example/x", "/\\evil.example", "https://evil.example"])
def test_sign_in_refuses_an_offsite_next(client, make_user, evil):
    user = make_user()
    response = sign_in(client, user.email, next_=evil)
    assert response.headers["Location"] == "/"


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user()
    response = sign_in(client, user.email, password="not the password")
    assert response.status_code == 422
    assert "The email address or password is not correct." in response.text
    assert client.get("/").status_code == 302


def test_email_is_matched_case_insensitively(client, make_user):
    make_user(email="mixed@city.test")
    assert sign_in(client, "  MIXED@City.test ").status_code == 302


def test_deactivated_user_cannot_sign_in(client, make_user):
    user = make_user(active=False)
    assert sign_in(client, user.email).status_code == 422


def test_security_headers_on_every_response(client):
    for url in ["/sign-in", "/healthz", "/no-such-page"]:
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self' 'nonce-" in csp
        assert "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers


def test_hsts_when_served_over_https(client):
    headers = client.get("/sign-in", base_url="https://localhost").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_is_http_only_and_same_site(client, make_user):
    user = make_user()
    response = sign_in(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_post_without_csrf_token_is_refused(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make_user()
    response = sign_in(client, user.email)
    assert response.status_code == 400
    assert "CSRF" in response.text


def test_sign_in_attempts_are_limited_per_account(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNIN_LIMIT_PER_ACCOUNT", "3 per minute")
    monkeypatch.setattr(limiter, "enabled", True)
    limiter.reset()
    user = make_user()
    statuses = [sign_in(client, user.email, password="wrong").status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    # Even the right password is refused while the account is locked out.
    assert sign_in(client, user.email).status_code == 429
    # Another account from the same address is not affected by this account's limit.
    other = make_user()
    assert sign_in(client, other.email).status_code == 302
    limiter.reset()


def test_sign_in_attempts_are_limited_per_address(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNIN_LIMIT_PER_ADDRESS", "2 per minute")
    monkeypatch.setattr(limiter, "enabled", True)
    limiter.reset()
    statuses = [sign_in(client, make_user().email, password="wrong").status_code for _ in range(3)]
    assert statuses == [422, 422, 429]
    limiter.reset()


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("CIVICLADDER_PRODUCTION", "1")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load(str(tmp_path))


def test_production_refuses_to_start_without_a_credential_signing_key(monkeypatch, tmp_path):
    monkeypatch.setenv("CIVICLADDER_PRODUCTION", "1")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("CREDENTIAL_SIGNING_KEY", raising=False)
    with pytest.raises(ConfigError, match="CREDENTIAL_SIGNING_KEY is not set"):
        load(str(tmp_path))
    assert not (tmp_path / "credential_signing_key.pem").exists()


def test_a_credential_signing_key_that_is_not_ed25519_is_refused(monkeypatch, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    p256 = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    for wrong in ("not a key", p256.decode()):
        monkeypatch.setenv("CREDENTIAL_SIGNING_KEY", wrong)
        with pytest.raises(ConfigError, match="not an unencrypted Ed25519 private key"):
            load(str(tmp_path))
    monkeypatch.setenv("CREDENTIAL_SIGNING_KEY", new_signing_key())
    assert "PRIVATE KEY" in load(str(tmp_path))["CREDENTIAL_SIGNING_KEY"]


def test_without_production_the_signing_key_is_made_once_in_the_instance_folder(
    monkeypatch, tmp_path
):
    monkeypatch.delenv("CIVICLADDER_PRODUCTION", raising=False)
    monkeypatch.delenv("CREDENTIAL_SIGNING_KEY", raising=False)
    first = load(str(tmp_path))["CREDENTIAL_SIGNING_KEY"]
    kept = tmp_path / "credential_signing_key.pem"
    assert kept.read_text() == first and kept.stat().st_mode & 0o777 == 0o600
    assert load(str(tmp_path))["CREDENTIAL_SIGNING_KEY"] == first
    assert [p.name for p in tmp_path.iterdir() if "signing" in p.name] == [kept.name]


def test_production_sets_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("CIVICLADDER_PRODUCTION", "1")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("CREDENTIAL_SIGNING_KEY", new_signing_key())
    config = load(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True


def test_postgres_urls_use_psycopg3(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/civic")
    assert load(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/civic"


def test_undeclared_endpoint_is_denied(app):
    from flask import Flask

    from civicladder import access

    bare = Flask(__name__)
    bare.add_url_rule("/forgot", "forgot", lambda: "open")
    access.register(bare)
    assert bare.test_client().get("/forgot").status_code == 403


def test_behind_a_proxy_the_client_address_and_https_come_from_its_headers(app, monkeypatch):
    from civicladder.app import create_app

    proxied = create_app(dict(app.config, PROXY_COUNT=1, SIGNIN_LIMIT_PER_ADDRESS="2 per minute"))
    monkeypatch.setattr(limiter, "enabled", True)
    limiter.reset()
    client = proxied.test_client()

    def attempt(address: str) -> int:
        headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}
        data = {"email": f"someone-{address}@city.test", "password": "wrong"}
        return client.post("/sign-in", data=data, headers=headers).status_code

    assert [attempt("203.0.113.9") for _ in range(3)] == [422, 422, 429]
    assert attempt("203.0.113.10") == 422  # another client behind the same proxy
    https = client.get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert https.headers["Strict-Transport-Security"].startswith("max-age=")
    # Without the setting, the same headers are not trusted.
    direct = app.test_client().get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in direct.headers
    limiter.reset()
