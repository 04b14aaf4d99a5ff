"""An autonomy level held as a signed Open Badges 3.0 credential: its shape against the 1EdTech
schema, its signature checked with PyJWT, what it says, who may download it, and that a lowered
or superseded level reads as revoked."""

from __future__ import annotations

import base64
import gzip
from datetime import date

import jwt
import pytest

from autonomy import credentials, services
from autonomy.models import GrantStatus
from civicladder import credential_checks
from civicladder.access import Role
from civicladder.db import db
from tests.civicladder.standards import schema_errors


@pytest.fixture
def held(app, people, competencies, autonomy):
    """Ana, in Maya's line, holds level 2 of "Permit review": it lets her approve permits and
    waive fees up to 250 USD, resting on plan reading at level 3."""
    reading = competencies.competency(name="Plan reading", code="PRM-READ")
    profile = competencies.job_profile([(reading, 2, 1)])
    track = autonomy.track(
        [profile],
        [
            {"requirements": [(reading, 2)], "name": "Supervised"},
            {
                "requirements": [(reading, 3)],
                "name": "Independent",
                "min_months": 6,
                "discretion": [
                    ("approve-permit", "May approve a standard permit alone"),
                    ("waive-fee", "May waive a fee", 250, "USD"),
                ],
            },
        ],
        code="PRM",
        name="Permit review",
    )
    manager, manager_user = people.employee_user({Role.MANAGER}, first_name="Maya")
    person, user = people.employee_user(
        manager=manager, job_profile=profile, first_name="Ana", last_name="Reyes"
    )
    competencies.evidence(person, reading, 3)
    first, second = track.levels
    autonomy.grant(person, first, status=GrantStatus.SUPERSEDED)
    grant = autonomy.grant(person, second, effective_on=date(2026, 3, 2))
    return {"grant": grant, "user": user, "manager": manager_user, "first": first}


def _download(client, grant_id):
    return client.get(f"/autonomy/grants/{grant_id}/credential.jwt")


def _key(client):
    return jwt.PyJWK(client.get("/credentials/keys").get_json()["keys"][0]).key


def test_the_holder_downloads_their_level_signed_and_it_says_what_they_may_do(app, held, client_as):
    client = client_as(held["user"])
    response = _download(client, held["grant"].id)
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    assert response.headers["Cache-Control"] == "no-store"
    payload = jwt.decode(response.get_data(as_text=True), _key(client), algorithms=["EdDSA"])
    assert schema_errors(payload) == []
    assert payload["jti"] == payload["id"] and payload["sub"] == payload["credentialSubject"]["id"]
    assert "exp" not in payload and "validUntil" not in payload  # a level lasts until it ends
    achievement = payload["credentialSubject"]["achievement"]
    assert achievement["name"] == "Permit review, level 2: Independent"
    assert "May waive a fee (up to 250 USD)" in achievement["description"]
    assert "May approve a standard permit alone" in achievement["description"]
    assert achievement["tag"] == ["approve-permit", "waive-fee"]
    assert [(a["targetCode"], a["targetDescription"]) for a in achievement["alignment"]] == [
        ("PRM-READ", "At least level 3 Practitioner")
    ]
    assert "At least 6 months at the level below" in achievement["criteria"]["narrative"]
    assert payload["credentialSubject"]["identifier"][0]["identityHash"] == "Ana Reyes"
    with app.test_request_context():
        assert (
            payload["validFrom"]
            == credential_checks.verify(response.get_data(as_text=True)).credential["validFrom"]
        )


def test_only_the_holder_and_hr_download_a_level(held, client_as, make_user, people):
    grant_id = held["grant"].id
    assert _download(client_as(make_user({Role.HR})), grant_id).status_code == 200
    assert _download(client_as(held["manager"]), grant_id).status_code == 404
    assert _download(client_as(people.employee_user()[1]), grant_id).status_code == 404
    assert _download(client_as(held["user"]), 2**31 - 1).status_code == 404


def test_the_standing_panel_offers_the_credential_to_its_holder_only(held, client_as):
    link = f"/autonomy/grants/{held['grant'].id}/credential.jwt"
    assert link in client_as(held["user"]).get("/").get_data(as_text=True)
    manager_page = client_as(held["manager"]).get(f"/autonomy/people/{held['grant'].employee_id}")
    assert manager_page.status_code == 200 and link not in manager_page.get_data(as_text=True)


def test_a_lowered_level_reads_revoked_and_is_no_longer_offered(app, held, client_as):
    client = client_as(held["user"])
    token = _download(client, held["grant"].id).get_data(as_text=True)
    with app.test_request_context():
        assert credential_checks.verify(token).valid
        services.lower_grant(held["manager"], held["grant"], "Three fee waivers outside policy.")
        found = credential_checks.verify(token)
    assert found.genuine and not found.valid
    status = next(c for c in found.checks if c.topic == "Status")
    assert status.passed is False and "revoked" in status.words
    assert _download(client, held["grant"].id).status_code == 409

    listed = jwt.decode(
        client.get("/credentials/status/autonomy-levels").get_data(as_text=True),
        _key(client),
        algorithms=["EdDSA"],
    )
    encoded = listed["credentialSubject"]["encodedList"]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    index = held["grant"].id
    assert bits[index // 8] & (0x80 >> (index % 8))


def test_a_superseded_level_reads_revoked(app, held):
    grant = held["grant"]
    with app.test_request_context():
        token = credentials.signed(grant)
        grant.status = GrantStatus.SUPERSEDED
        db.session.flush()
        found = credential_checks.verify(token)
    assert [c.topic for c in found.checks if c.passed is False] == ["Status"]
