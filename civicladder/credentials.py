"""The city's signed credentials: its key, its issuer profile, signing as a VC-JWT, status lists.

A credential (an Open Badges 3.0 OpenBadgeCredential, a W3C Verifiable Credential 2.0) is
signed as the OB 3.0 specification's JSON Web Token proof: a compact JWS whose payload is the
credential itself with the registered claims iss, jti, sub, nbf (and exp where it lapses)
copied from it, in a header of alg, kid and typ only. The key is Ed25519 (alg EdDSA), from
CREDENTIAL_SIGNING_KEY or the instance folder (civicladder.config). Nothing here fetches
anything from the network: a credential names the city's key by an address this app serves,
and checking one compares that name with the city's own key.

The domain packages say what their credentials hold; what they revoke they publish through a
status list registered here (`register_status_list`), one bit per credential. Checking a
credential someone shows is `civicladder.credential_checks`.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)
from flask import Flask, current_app

from civicladder import clock, querying
from civicladder.config import retired_public_keys

ALG = "EdDSA"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# A learner record (CLR 2.0 ClrCredential) names the CLR context before the Open Badges one.
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
# A Verifiable Credential secured as a JWT (W3C VC-JOSE-COSE, registered with IANA).
MEDIA_TYPE = "application/vc+jwt"
# Bitstring Status List: at least this many entries, so that one credential's bit does not
# single out its holder among the few credentials a short list would cover.
STATUS_LIST_MIN_BITS = 131072


# --- the key and the issuer -------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    """Strictly: text that would not be written back the same (a changed last character that
    only touches the unused bits, say) is refused rather than read as the original."""
    if not text or any(ch not in _B64_CHARS for ch in text):
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("not base64url as written")
    return data


_B64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def signing_key() -> Ed25519PrivateKey:
    """The city's private key, parsed once per app."""
    pem = current_app.config["CREDENTIAL_SIGNING_KEY"]
    cached = current_app.extensions.get("credential_key")
    if cached is None or cached[0] != pem:
        cached = (pem, load_pem_private_key(pem.encode(), password=None))
        current_app.extensions["credential_key"] = cached
    return cached[1]


def _public_x(public: Ed25519PublicKey) -> str:
    return _b64(public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def _thumbprint(public: Ed25519PublicKey) -> str:
    """A key's JWK thumbprint (RFC 7638): its name, which changes only when the key does."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": _public_x(public)}
    text = json.dumps(members, separators=(",", ":"))
    return _b64(hashlib.sha256(text.encode()).digest())


def _jwk(public: Ed25519PublicKey) -> dict:
    x = _public_x(public)
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": _thumbprint(public), "alg": ALG}


def key_id() -> str:
    """The signing key's JWK thumbprint (RFC 7638): changes only when the key does."""
    return _thumbprint(signing_key().public_key())


def public_jwk() -> dict:
    """The city's public key as a JSON Web Key (never with the private part, "d")."""
    return _jwk(signing_key().public_key()) | {"use": "sig"}


def retired_keys() -> dict[str, Ed25519PublicKey]:
    """The keys the city signed with before CREDENTIAL_SIGNING_KEY changed (from
    CREDENTIAL_RETIRED_KEYS), by key id: parsed once per app. The current key is not one."""
    text = current_app.config.get("CREDENTIAL_RETIRED_KEYS") or ""
    cached = current_app.extensions.get("credential_retired_keys")
    if cached is None or cached[0] != text:
        found = {_thumbprint(key): key for key in retired_public_keys(text)}
        cached = (text, found)
        current_app.extensions["credential_retired_keys"] = cached
    current = key_id()
    return {kid: key for kid, key in cached[1].items() if kid != current}


def published_jwks() -> list[dict]:
    """Every key a credential of the city's may name: the current one first, then the retired
    ones (for verifying only: nothing new is signed with them)."""
    return [public_jwk()] + [_jwk(key) | {"use": "sig"} for key in retired_keys().values()]


def verification_key(kid: object) -> tuple[Ed25519PublicKey, bool] | None:
    """The public key a signature's `kid` names, if the city publishes it, and whether it is the
    current one; None for any other name."""
    prefix = f"{base_url()}/credentials/keys/"
    if not isinstance(kid, str) or not kid.startswith(prefix):
        return None
    name = kid[len(prefix) :]
    if name == key_id():
        return signing_key().public_key(), True
    retired = retired_keys().get(name)
    return (retired, False) if retired is not None else None


def published_jwk(kid: str) -> dict | None:
    """One published key by its id (current or retired), as a JWK; None if none has it."""
    return next((jwk for jwk in published_jwks() if jwk["kid"] == kid), None)


def base_url() -> str:
    """Where the city's credentials point: PUBLIC_URL, the same whichever address a request
    came to, so a credential names the same issuer and key for as long as it lives."""
    return current_app.config["PUBLIC_URL"]


def issuer_id() -> str:
    return base_url() + "/credentials/issuer"


def key_url() -> str:
    """The address that serves the signing key as a JWK: the `kid` of every signature."""
    return f"{base_url()}/credentials/keys/{key_id()}"


def issuer() -> dict:
    """The city as an OB 3.0 Profile, as a credential embeds it."""
    return {
        "id": issuer_id(),
        "type": ["Profile"],
        "name": current_app.config["CITY_NAME"],
        "url": base_url(),
    }


def issuer_profile() -> dict:
    """The issuer profile published at its id."""
    return {"@context": [VC_CONTEXT, OB_CONTEXT]} | issuer()


def stable_id(*parts: object) -> str:
    """A URN that names the same thing for the same city every time it is built."""
    name = "/".join([base_url(), *(str(p) for p in parts)])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def day_start(day: date) -> datetime:
    """When a day begins on the city's calendar, in UTC."""
    return datetime.combine(day, time.min, querying.display_zone()).astimezone(UTC)


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


# --- signing ------------------------------------------------------------------------------------


def _json(value: dict) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def sign(credential: dict) -> str:
    """The credential as a compact JWS (the OB 3.0 JSON Web Token proof format)."""
    claims = {
        "iss": issuer_id_of(credential),
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": int(parse_timestamp(credential["validFrom"]).timestamp()),
    }
    if "validUntil" in credential:
        claims["exp"] = int(parse_timestamp(credential["validUntil"]).timestamp())
    header = {"alg": ALG, "kid": key_url(), "typ": "JWT"}
    signing_input = _b64(_json(header)) + "." + _b64(_json(credential | claims))
    signature = signing_key().sign(signing_input.encode("ascii"))
    return signing_input + "." + _b64(signature)


def issuer_id_of(credential: dict):
    found = credential.get("issuer")
    return found.get("id") if isinstance(found, dict) else found


# --- status lists -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusList:
    """What one kind of credential revokes: `revoked(index)` for one credential, for the
    published list the indexes revoked and the highest index handed out, and
    `revoked_among(indexes)` for the credentials a learner record holds (one query)."""

    name: str
    title: str
    revoked: Callable[[int], bool]
    revoked_indexes: Callable[[], Iterable[int]]
    highest_index: Callable[[], int]
    among: Callable[[Iterable[int]], set[int]] | None = None

    def revoked_among(self, indexes: Iterable[int]) -> set[int]:
        if self.among is not None:
            return self.among(indexes)
        return {index for index in indexes if self.revoked(index)}


def register_status_list(app: Flask, status_list: StatusList) -> None:
    app.extensions.setdefault("credential_status_lists", {})[status_list.name] = status_list


def status_lists() -> dict[str, StatusList]:
    return current_app.extensions.get("credential_status_lists", {})


def status_list_url(name: str) -> str:
    return f"{base_url()}/credentials/status/{name}"


def status_entry(name: str, index: int) -> dict:
    """The credentialStatus of the credential at `index` of the list `name`."""
    url = status_list_url(name)
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def encoded_bits(indexes: Iterable[int], highest: int) -> str:
    """The Bitstring Status List's encodedList: the bits (index 0 the first byte's highest
    bit) gzipped and base64url-encoded, with the multibase prefix "u"."""
    size = max(
        STATUS_LIST_MIN_BITS, -(-(highest + 1) // STATUS_LIST_MIN_BITS) * STATUS_LIST_MIN_BITS
    )
    bits = bytearray(size // 8)
    for index in indexes:
        if 0 <= index < size:
            bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + _b64(gzip.compress(bytes(bits), mtime=0))


def status_list_credential(status_list: StatusList) -> dict:
    """The BitstringStatusListCredential for the list, as of now."""
    url = status_list_url(status_list.name)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer(),
        "name": status_list.title,
        "validFrom": timestamp(clock.now()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_bits(status_list.revoked_indexes(), status_list.highest_index()),
        },
    }
