"""A certificate as a signed Open Badges 3.0 credential: its shape against the 1EdTech schema,
its signature checked by another JOSE implementation (PyJWT), tampering, dates, revocation,
and who may download it."""

from __future__ import annotations

import base64
import gzip
import io
import json
from datetime import date, timedelta

import jwt
import pytest
import sqlalchemy as sa

from academy import certificates, credentials
from academy.models import Certificate
from academy.models import EnrollmentStatus as S
from civicladder import credential_checks
from civicladder import credentials as signing
from civicladder.access import Role
from civicladder.db import db
from tests.civicladder.standards import achievement_credential_schema


@pytest.fixture(scope="module")
def validator():
    return achievement_credential_schema()


@pytest.fixture
def holder(app, people, academy, competencies, make_user):
    """Rosa completed "Chainsaw safety" (chainsaw handling at level 3 for 12 months, first aid
    at level 2 for good) ten days ago; Lee taught it."""
    saw = competencies.competency(name="Chainsaw handling", code="OPS-SAW")
    aid = competencies.competency(name="First aid", code="OPS-AID")
    course = academy.course(
        [(saw, 3, 12), (aid, 2, None)], title="Chainsaw safety", hours=6, code="SAW-1"
    )
    instructor = people.employee(first_name="Lee", last_name="Park")
    session = academy.session(course, days=-10, instructor=instructor)
    person, user = people.employee_user(first_name="Rosa", last_name="Diaz")
    enrollment = academy.enrollment(session, person, S.COMPLETED)
    with app.app_context():  # not held: view tests must not keep an app context
        certificate = academy.certificate(enrollment, expires_on=date.today() + timedelta(days=355))
    return {"certificate": certificate, "user": user, "person": person}


def _download(client, certificate):
    return client.get(f"/academy/certificates/{certificate.id}/credential.jwt")


def _public_key(client):
    jwks = client.get("/credentials/keys").get_json()
    return jwt.PyJWK(jwks["keys"][0]).key


def test_holder_downloads_a_signed_credential_another_library_verifies(
    app, holder, client_as, validator
):
    client = client_as(holder["user"])
    response = _download(client, holder["certificate"])
    assert response.status_code == 200
    assert response.mimetype == "application/vc+jwt"
    assert response.headers["Cache-Control"] == "no-store"
    assert "certificate-" in response.headers["Content-Disposition"]
    token = response.get_data(as_text=True)

    header = jwt.get_unverified_header(token)
    assert set(header) == {"alg", "kid", "typ"}  # OB 3.0 allows no other JOSE headers
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    assert client.get(header["kid"].removeprefix(app.config["PUBLIC_URL"])).get_json()["x"]

    payload = jwt.decode(
        token,
        _public_key(client),
        algorithms=["EdDSA"],
        options={"verify_aud": False, "require": ["iss", "jti", "sub", "nbf", "exp"]},
    )
    errors = [e.message for e in validator.iter_errors(payload)]
    assert errors == []
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert (
        payload["iss"]
        == payload["issuer"]["id"]
        == app.config["PUBLIC_URL"] + ("/credentials/issuer")
    )
    assert payload["jti"] == payload["id"]
    assert payload["sub"] == payload["credentialSubject"]["id"]

    subject = payload["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == "Rosa Diaz"
    achievement = subject["achievement"]
    assert achievement["name"] == "Chainsaw safety" and achievement["humanCode"] == "SAW-1"
    assert "Chainsaw handling at level 3 Practitioner" in achievement["description"]
    assert "taught by Lee Park" in achievement["criteria"]["narrative"]
    assert [a["targetCode"] for a in achievement["alignment"]] == ["OPS-SAW", "OPS-AID"]
    levels = {r["id"]: r for r in achievement["resultDescription"]}
    achieved = {
        levels[r["resultDescription"]]["alignment"][0]["targetCode"]: next(
            x["level"]
            for x in levels[r["resultDescription"]]["rubricCriterionLevel"]
            if x["id"] == r["achievedLevel"]
        )
        for r in subject["result"]
    }
    assert achieved == {"OPS-SAW": "3", "OPS-AID": "2"}


def test_the_jwt_claims_agree_with_the_credential_dates(app, holder, client_as):
    certificate = holder["certificate"]
    token = _download(client_as(holder["user"]), certificate).get_data(as_text=True)
    payload = jwt.decode(token, options={"verify_signature": False})
    with app.app_context():
        starts = signing.day_start(certificate.issued_on)
        ends = signing.day_start(certificate.expires_on)
    assert payload["validFrom"] == signing.timestamp(starts)
    assert payload["nbf"] == int(starts.timestamp())
    assert payload["validUntil"] == signing.timestamp(ends)
    assert payload["exp"] == int(ends.timestamp())


def test_a_certificate_that_does_not_expire_has_no_valid_until(
    app, people, academy, competencies, validator
):
    course = academy.course([(competencies.competency(), 2, None)])
    enrollment = academy.enrollment(
        academy.session(course, days=-3), people.employee(), S.COMPLETED
    )
    with app.test_request_context():
        certificate = academy.certificate(enrollment)
        body = credentials.credential(certificate)
        payload = jwt.decode(credentials.signed(certificate), options={"verify_signature": False})
    assert "validUntil" not in body and "exp" not in payload
    assert [e.message for e in validator.iter_errors(payload)] == []


def test_an_expired_certificate_reads_expired(app, people, academy, competencies):
    course = academy.course([(competencies.competency(), 2, 1)])
    enrollment = academy.enrollment(
        academy.session(course, days=-60), people.employee(), S.COMPLETED
    )
    with app.test_request_context():
        certificate = academy.certificate(enrollment, expires_on=date.today() - timedelta(days=20))
        token = credentials.signed(certificate)
        payload = jwt.decode(token, options={"verify_signature": False})
        found = credential_checks.verify(token)
        expected = signing.timestamp(signing.day_start(certificate.expires_on))
    assert payload["validUntil"] == expected
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, _jwk(app), algorithms=["EdDSA"])
    assert found.genuine and not found.valid
    assert [c.topic for c in found.checks if c.passed is False] == ["Dates"]
    assert "expired on" in next(c.words for c in found.checks if c.topic == "Dates")


def _jwk(app):
    with app.app_context():
        return jwt.PyJWK(signing.public_jwk()).key


def test_one_changed_character_fails_verification_everywhere(app, holder, client_as):
    client = client_as(holder["user"])
    token = _download(client, holder["certificate"]).get_data(as_text=True)
    head, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["credentialSubject"]["identifier"][0]["identityHash"] = "Rosa Diez"
    forged_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    forged = f"{head}.{forged_body}.{signature}"
    flipped = signature[:-1] + ("B" if signature[-1] == "A" else "A")
    for bad in (forged, f"{head}.{body}.{flipped}"):
        with pytest.raises(jwt.DecodeError):  # InvalidSignatureError, or a mangled part
            jwt.decode(bad, _public_key(client), algorithms=["EdDSA"])
        with app.test_request_context():
            found = credential_checks.verify(bad)
        assert not found.genuine and not found.valid
    with app.test_request_context():
        assert credential_checks.verify(token).valid


def test_every_single_character_change_is_refused(app, holder, client_as):
    token = _download(client_as(holder["user"]), holder["certificate"]).get_data(as_text=True)
    with app.test_request_context():
        for position in range(0, len(token), 7):
            for replacement in ("A", "_"):
                if token[position] == replacement:
                    continue
                changed = token[:position] + replacement + token[position + 1 :]
                assert not credential_checks.verify(changed).genuine, position


def test_a_revoked_certificate_reads_revoked_in_the_published_status_list(
    app, holder, client_as, make_user
):
    certificate = holder["certificate"]
    client = client_as(holder["user"])
    token = _download(client, certificate).get_data(as_text=True)
    # The list read before the revocation is kept (`caching.kept_text`) until it changes.
    assert client.get("/credentials/status/certificates").status_code == 200
    with app.test_request_context():
        assert credential_checks.verify(token).valid
        certificates.revoke(make_user({Role.HR}), certificate, "Issued in error.")
        found = credential_checks.verify(token)
    assert found.genuine and not found.valid
    assert next(c for c in found.checks if c.topic == "Status").passed is False

    response = client.get("/credentials/status/certificates")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    listed = jwt.decode(response.get_data(as_text=True), _public_key(client), algorithms=["EdDSA"])
    entry = jwt.decode(token, options={"verify_signature": False})["credentialStatus"]
    assert entry["statusListCredential"].endswith("/credentials/status/certificates")
    assert listed["credentialSubject"]["type"] == "BitstringStatusList"
    bits = gzip.decompress(
        base64.urlsafe_b64decode(listed["credentialSubject"]["encodedList"][1:] + "==")
    )
    index = int(entry["statusListIndex"])
    assert len(bits) * 8 >= 131072
    assert bits[index // 8] & (0x80 >> (index % 8))
    # Its neighbour, never revoked, reads clear.
    assert not bits[(index + 1) // 8] & (0x80 >> ((index + 1) % 8))

    # And a revoked certificate has no credential to download any more.
    assert _download(client, certificate).status_code == 409


def test_only_the_holder_and_hr_download_the_credential(app, client_as, make_user, people, academy):
    manager_person, manager = people.employee_user({Role.MANAGER})
    person, user = people.employee_user(manager=manager_person)
    enrollment = academy.enrollment(academy.session(days=-5), person, S.COMPLETED)
    with app.app_context():
        certificate = academy.certificate(enrollment)
    assert _download(client_as(user), certificate).status_code == 200
    assert _download(client_as(make_user({Role.HR})), certificate).status_code == 200
    # The holder's manager reads the certificate but does not carry it away.
    manager_client = client_as(manager)
    page = manager_client.get(f"/academy/certificates/{certificate.id}")
    assert page.status_code == 200 and "credential.jwt" not in page.get_data(as_text=True)
    assert _download(manager_client, certificate).status_code == 404
    assert _download(client_as(people.employee_user()[1]), certificate).status_code == 404


def test_the_certificate_page_and_training_record_offer_the_credential(holder, client_as):
    client = client_as(holder["user"])
    link = f"/academy/certificates/{holder['certificate'].id}/credential.jwt"
    assert link in client.get(f"/academy/certificates/{holder['certificate'].id}").get_data(
        as_text=True
    )
    assert link in client.get("/academy/my-training").get_data(as_text=True)


def test_the_verification_page_checks_a_pasted_credential_in_plain_words(
    app, holder, client_as, client
):
    token = _download(client_as(holder["user"]), holder["certificate"]).get_data(as_text=True)
    page = client.post("/verify/credential", data={"token": token})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "This credential is genuine and valid" in text
    assert "Rosa Diaz" in text and "Chainsaw safety" in text

    changed = token[:40] + ("x" if token[40] != "x" else "y") + token[41:]
    page = client.post("/verify/credential", data={"token": changed})
    assert page.status_code == 422
    assert "cannot be trusted" in page.get_data(as_text=True)
    assert "Rosa Diaz" not in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "pasted",
    [
        "",
        "hello",
        "a.b.c",
        "{}",
        "....",
        "eyJhbGciOiJub25lIn0.eyJ9.",
        "e30.e30.e30",
        "\u00e9\u00e9.\u00e9.\u00e9",
        "x" * 70000,
    ],
)
def test_nonsense_pasted_into_the_verification_page_is_a_clear_4xx(client, pasted):
    page = client.post("/verify/credential", data={"token": pasted})
    assert 400 <= page.status_code < 500
    assert "credential" in page.get_data(as_text=True)


def test_the_issuer_profile_and_keys_are_published(app, client, validator):
    profile = client.get("/credentials/issuer")
    assert profile.status_code == 200
    body = profile.get_json(force=True)
    assert body["type"] == ["Profile"] and body["id"].endswith("/credentials/issuer")
    assert body["name"] == app.config["CITY_NAME"]
    keys = client.get("/credentials/keys")
    assert keys.mimetype == "application/jwk-set+json"
    (key,) = keys.get_json(force=True)["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and "d" not in key
    assert client.get(f"/credentials/keys/{key['kid']}").get_json(force=True) == key
    assert client.get("/credentials/keys/not-a-key").status_code == 404
    assert client.get("/credentials/status/nothing").status_code == 404


def test_a_certificate_gives_the_same_credential_every_time_and_its_own_id(
    app, people, academy, competencies
):
    course = academy.course([(competencies.competency(), 2, None)])
    session = academy.session(course, days=-3)
    with app.test_request_context():
        for _ in range(3):
            academy.certificate(academy.enrollment(session, people.employee(), S.COMPLETED))
        found = db.session.scalars(sa.select(Certificate)).all()
        assert [credentials.signed(c) for c in found] == [credentials.signed(c) for c in found]
        ids = {credentials.credential(c)["id"] for c in found}
    assert len(ids) == len(found)


def test_the_checker_accepts_what_pyjwt_signs_with_the_city_key_and_nothing_else(
    app, holder, client_as
):
    """The reverse direction: a credential signed by PyJWT with the city's key checks out;
    signed with another key, under the city's key name or its own, it does not."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    token = _download(client_as(holder["user"]), holder["certificate"]).get_data(as_text=True)
    payload = jwt.decode(token, options={"verify_signature": False})
    header = jwt.get_unverified_header(token)
    city_key = app.config["CREDENTIAL_SIGNING_KEY"]
    other_key = Ed25519PrivateKey.generate()
    with app.test_request_context():
        by_pyjwt = jwt.encode(payload, city_key, algorithm="EdDSA", headers=header)
        assert credential_checks.verify(by_pyjwt).valid
        forged = jwt.encode(payload, other_key, algorithm="EdDSA", headers=header)
        assert not credential_checks.verify(forged).genuine
        elsewhere = jwt.encode(
            payload, other_key, algorithm="EdDSA", headers={"kid": "https://example.test/k"}
        )
        found = credential_checks.verify(elsewhere)
    assert not found.genuine
    assert "not signed with this city's key" in found.checks[-1].words


def test_the_verification_page_takes_the_credential_file_too(holder, client_as, client):
    token = _download(client_as(holder["user"]), holder["certificate"]).get_data(as_text=True)
    page = client.post(
        "/verify/credential",
        data={"upload": (io.BytesIO(token.encode()), "certificate.jwt")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 200
    assert "This credential is genuine and valid" in page.get_data(as_text=True)
