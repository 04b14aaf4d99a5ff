"""Password hashing cost comes from configuration; hashes made at another cost still verify."""

from argon2 import PasswordHasher, profiles

from civicladder import security
from civicladder.config import load


def test_production_defaults_follow_argon2s_recommended_profile(monkeypatch, tmp_path):
    for name in ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM"):
        monkeypatch.delenv(name, raising=False)
    config = load(str(tmp_path))
    recommended = profiles.RFC_9106_LOW_MEMORY
    assert config["ARGON2_TIME_COST"] == recommended.time_cost
    assert config["ARGON2_MEMORY_COST"] == recommended.memory_cost
    assert config["ARGON2_PARALLELISM"] == recommended.parallelism


def test_cost_settings_are_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ARGON2_TIME_COST", "4")
    monkeypatch.setenv("ARGON2_MEMORY_COST", "131072")
    monkeypatch.setenv("ARGON2_PARALLELISM", "2")
    config = load(str(tmp_path))
    assert (config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"]) == (4, 131072)
    assert config["ARGON2_PARALLELISM"] == 2


def test_the_test_app_hashes_at_the_cheapest_setting(app):
    cheapest = profiles.CHEAPEST
    with app.app_context():
        stored = security.hash_password("a long enough password")
    assert f"m={cheapest.memory_cost},t={cheapest.time_cost},p={cheapest.parallelism}" in stored


def test_a_hash_made_at_another_cost_verifies_and_is_due_for_rehash(app):
    costly = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY).hash("my password here")
    with app.app_context():
        assert security.verify_password(costly, "my password here")
        assert not security.verify_password(costly, "not my password")
        assert security.needs_rehash(costly)
        assert not security.needs_rehash(security.hash_password("my password here"))


def test_signing_in_rehashes_a_password_at_the_configured_cost(app, make_user, _transaction):
    costly = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY).hash("my password here")
    user = make_user(password_hash_override=costly)
    response = app.test_client().post(
        "/sign-in", data={"email": user.email, "password": "my password here"}
    )
    assert response.status_code == 302
    _transaction.expire_all()
    assert user.password_hash != costly
    with app.app_context():
        assert not security.needs_rehash(user.password_hash)
