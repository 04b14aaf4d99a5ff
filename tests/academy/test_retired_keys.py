"""The city changes its signing key: credentials signed with a key it retired still verify (on
its own page and with the keys it publishes), new ones are signed with the current key only,
and a credential naming a key the city does not publish fails, saying so."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)

from civicladder import credential_checks
from civicladder import credentials as signing
from civicladder.config import ConfigError, load, new_signing_key
from tests.academy import test_credentials

holder = test_credentials.holder  # the fixture: Rosa's certificate
_download = test_credentials._download


def public_pem(private_pem: str) -> str:
    key = load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


@pytest.fixture
def key_change(app, monkeypatch):
    """Switch the app to a new key B; `retire()` publishes the old key A as retired."""
    old = app.config["CREDENTIAL_SIGNING_KEY"]

    def change(*, retire: bool) -> None:
        monkeypatch.setitem(app.config, "CREDENTIAL_SIGNING_KEY", new_signing_key())
        retired = public_pem(old) if retire else ""
        monkeypatch.setitem(app.config, "CREDENTIAL_RETIRED_KEYS", retired)

    return change


def kid_of(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def test_a_credential_signed_with_a_retired_key_still_verifies(
    holder, client_as, client, key_change
):
    owner = client_as(holder["user"])
    old_token = _download(owner, holder["certificate"]).get_data(as_text=True)
    old_kid = kid_of(old_token)
    key_change(retire=True)

    page = client.post("/verify/credential", data={"token": old_token})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Signed with a key the city used before its current one" in text
    assert "Not revoked." in text

    # The published documents: the current key first, the retired one beside it, each at the
    # address a signature names; another library verifies the old credential with it.
    keys = client.get("/credentials/keys").get_json(force=True)["keys"]
    assert len(keys) == 2 and all("d" not in key for key in keys)
    old_jwk = client.get("/credentials/keys/" + old_kid.rsplit("/", 1)[1]).get_json(force=True)
    assert old_jwk == keys[1] and old_jwk["kid"] == old_kid.rsplit("/", 1)[1]
    payload = jwt.decode(
        old_token,
        jwt.PyJWK(old_jwk).key,
        algorithms=["EdDSA"],
        options={"verify_aud": False},
    )
    assert payload["id"].startswith("urn:uuid:")

    # New credentials carry the new key only, and verify as the current key's.
    new_token = _download(owner, holder["certificate"]).get_data(as_text=True)
    assert kid_of(new_token) != old_kid
    assert kid_of(new_token).endswith("/" + keys[0]["kid"])
    jwt.decode(new_token, jwt.PyJWK(keys[0]).key, algorithms=["EdDSA"])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(new_token, jwt.PyJWK(old_jwk).key, algorithms=["EdDSA"])
    with client.application.test_request_context():
        found = credential_checks.verify(new_token)
    assert found.valid
    assert found.checks[0].words == "Signed with the city's key, and unchanged since."


def test_without_the_old_key_published_its_credentials_fail_saying_why(
    holder,
    client_as,
    client,
    key_change,
):
    old_token = _download(client_as(holder["user"]), holder["certificate"]).get_data(as_text=True)
    old_name = kid_of(old_token).rsplit("/", 1)[1]
    key_change(retire=False)
    page = client.post("/verify/credential", data={"token": old_token})
    assert page.status_code == 422
    assert "does not publish" in page.get_data(as_text=True)
    assert client.get(f"/credentials/keys/{old_name}").status_code == 404
    assert len(client.get("/credentials/keys").get_json(force=True)["keys"]) == 1


def test_a_credential_naming_a_key_the_city_never_had_fails_clearly(app, holder, client_as):
    token = _download(client_as(holder["user"]), holder["certificate"]).get_data(as_text=True)
    payload = jwt.decode(token, options={"verify_signature": False})
    city_key = app.config["CREDENTIAL_SIGNING_KEY"]
    with app.test_request_context():
        unknown = f"{signing.base_url()}/credentials/keys/{'A' * 43}"
        forged = jwt.encode(payload, city_key, algorithm="EdDSA", headers={"kid": unknown})
        found = credential_checks.verify(forged)
    assert not found.genuine
    assert [c.topic for c in found.checks] == ["Signature"]
    assert "that the city does not publish" in found.checks[0].words
    assert "A" * 43 in found.checks[0].words


def test_the_current_key_listed_as_retired_is_published_once(app, monkeypatch):
    current = app.config["CREDENTIAL_SIGNING_KEY"]
    monkeypatch.setitem(app.config, "CREDENTIAL_RETIRED_KEYS", public_pem(current))
    with app.test_request_context():
        assert signing.published_jwks() == [signing.public_jwk()]


def test_retired_keys_come_from_the_environment_as_public_pem_blocks(monkeypatch, tmp_path):
    monkeypatch.delenv("CIVICLADDER_PRODUCTION", raising=False)
    first, second = new_signing_key(), new_signing_key()
    both = public_pem(first) + public_pem(second)
    monkeypatch.setenv("CREDENTIAL_RETIRED_KEYS", both)
    assert load(str(tmp_path))["CREDENTIAL_RETIRED_KEYS"] == both
    for wrong, words in (
        (first, "is a private key"),
        ("not a key", "not a PEM block"),
        (public_pem(first).replace("MCow", "MCox"), "not an Ed25519 public key"),
    ):
        monkeypatch.setenv("CREDENTIAL_RETIRED_KEYS", wrong)
        with pytest.raises(ConfigError, match=f"CREDENTIAL_RETIRED_KEYS is not usable: .*{words}"):
            load(str(tmp_path))
