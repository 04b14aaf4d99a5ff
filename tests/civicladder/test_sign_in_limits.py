"""Sign-in limits slow down password guessing without letting strangers lock the owner out."""

import os
import subprocess
import sys
import uuid

import pytest

from civicladder.extensions import limiter
from tests.civicladder.factories import PASSWORD

OWNER = "192.0.2.10"
STRANGER = "198.51.100.20"


@pytest.fixture
def limits(app, monkeypatch):
    def set_limits(per_account: str = "3 per minute", per_address: str = "10000 per minute"):
        monkeypatch.setitem(app.config, "SIGNIN_LIMIT_PER_ACCOUNT", per_account)
        monkeypatch.setitem(app.config, "SIGNIN_LIMIT_PER_ADDRESS", per_address)
        monkeypatch.setattr(limiter, "enabled", True)

    limiter.reset()
    yield set_limits
    limiter.reset()


def attempt(app, email: str, password: str, address: str) -> int:
    client = app.test_client()
    data = {"email": email, "password": password}
    return client.post("/sign-in", data=data, environ_base={"REMOTE_ADDR": address}).status_code


def test_successful_sign_ins_do_not_count_toward_the_limit(app, make_user, limits):
    limits(per_account="3 per minute", per_address="3 per minute")
    user = make_user()
    assert [attempt(app, user.email, PASSWORD, OWNER) for _ in range(6)] == [302] * 6


def test_a_strangers_failures_do_not_lock_the_owner_out(app, make_user, limits):
    limits(per_account="3 per minute")
    user = make_user()
    guesses = [attempt(app, user.email, "a wrong guess", STRANGER) for _ in range(5)]
    assert guesses == [422, 422, 422, 429, 429]
    assert attempt(app, user.email, PASSWORD, OWNER) == 302


def test_failures_at_one_account_from_one_address_are_limited(app, make_user, limits):
    limits(per_account="3 per minute")
    user = make_user()
    guesses = [attempt(app, user.email, "a wrong guess", STRANGER) for _ in range(4)]
    assert guesses == [422, 422, 422, 429]
    # While throttled, that address gets no answer about the password, even the right one.
    assert attempt(app, user.email, PASSWORD, STRANGER) == 429


def test_failures_across_many_accounts_from_one_address_are_limited(app, make_user, limits):
    limits(per_account="100 per minute", per_address="4 per minute")
    emails = [make_user().email for _ in range(5)]
    sprayed = [attempt(app, email, "Spring2026!", STRANGER) for email in emails]
    assert sprayed == [422, 422, 422, 422, 429]
    assert attempt(app, emails[0], PASSWORD, OWNER) == 302


DOWN = """
import sys
from civicladder.app import create_app

app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                  "SIGNIN_LIMIT_PER_ACCOUNT": "3 per minute"})
client = app.test_client()
data = {"email": sys.argv[1], "password": "not the password"}
print(" ".join(str(client.post("/sign-in", data=data).status_code) for _ in range(5)))
"""


def test_sign_in_works_when_the_shared_limit_store_is_down(database_url, app):
    """Redis unreachable: each app server falls back to its own in-memory limits, and says so."""
    env = os.environ | {
        "DATABASE_URL": database_url,
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "SECRET_KEY": "redis-down-test",
    }
    done = subprocess.run(  # noqa: S603 (runs this test's own script with this interpreter)
        [sys.executable, "-c", DOWN, f"nobody-{uuid.uuid4().hex}@city.test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["422", "422", "422", "429", "429"]
    assert "falling back to in-memory" in done.stderr
