"""An employee's learner record through the API: only a token with records:read gets it; it
is the signed ClrCredential the employee downloads, checked with PyJWT and the city's own
checker; each issue is in the audit log as the client's; an unknown number is a 404 problem."""

from __future__ import annotations

import jwt
import pytest
import sqlalchemy as sa

from api.scopes import SCOPES
from civicladder import credential_checks
from civicladder.db import db
from civicladder.models import AuditEvent
from tests.api.factories import api_token, bearer
from tests.autonomy import test_learner_record

recorded = test_learner_record.recorded  # the fixture: Ana Reyes's certificate, levels, grant


def url(person, suffix: str = "") -> str:
    return f"/api/v1/employees/{person.employee_number}/learner-record{suffix}"


def issued_events(person) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == "learner_record.issued",
                AuditEvent.object_id == str(person.id),
            )
        )
    )


@pytest.fixture
def reader():
    return api_token(["records:read"])


def test_a_token_without_the_records_scope_is_refused_whatever_else_it_reads(recorded, client):
    others = sorted(set(SCOPES) - {"records:read"})
    secret = api_token(others).secret
    for suffix in ("", ".jwt"):
        found = client.get(url(recorded["person"], suffix), headers=bearer(secret))
        assert found.status_code == 403 and found.mimetype == "application/problem+json"
        assert "records:read" in found.json["detail"]
    assert client.get(url(recorded["person"])).status_code == 401
    assert issued_events(recorded["person"]) == []


def test_the_record_is_the_signed_clr_the_employee_downloads_and_it_verifies(
    app, recorded, client, client_as, reader
):
    found = client.get(url(recorded["person"]), headers=bearer(reader.secret))
    assert found.status_code == 200, found.json
    body = found.json
    assert body["employee_number"] == recorded["person"].employee_number
    assert body["media_type"] == "application/vc+jwt"
    assert [(h["kind"], h["count"]) for h in body["holds"]] == [
        ("certificates", 1),
        ("competency_levels", 2),
        ("autonomy_levels", 1),
    ]
    key = jwt.PyJWK(client.get("/credentials/keys").get_json()["keys"][0]).key
    record = jwt.decode(body["credential"], key, algorithms=["EdDSA"])
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    with app.test_request_context():
        checked = credential_checks.verify(body["credential"])
    assert checked.valid, [c.words for c in checked.checks]

    # The same credentials the employee's own download holds.
    own = client_as(recorded["user"]).post(
        f"/people/{recorded['person'].id}/learner-record", data={"format": "jwt"}
    )
    theirs = jwt.decode(own.get_data(as_text=True), key, algorithms=["EdDSA"])
    held = record["credentialSubject"]["verifiableCredential"]
    assert held == theirs["credentialSubject"]["verifiableCredential"]
    assert len(held) == 4


def test_the_record_as_a_file_is_the_credential_alone(recorded, client, reader):
    found = client.get(url(recorded["person"], ".jwt"), headers=bearer(reader.secret))
    assert found.status_code == 200
    assert found.mimetype == "application/vc+jwt"
    assert found.headers["Cache-Control"] == "no-store"
    assert "learner-record-" in found.headers["Content-Disposition"]
    token = found.get_data(as_text=True)
    key = jwt.PyJWK(client.get("/credentials/keys").get_json()["keys"][0]).key
    assert jwt.decode(token, key, algorithms=["EdDSA"])["type"][-1] == "ClrCredential"


def test_each_issue_is_audited_as_the_clients(recorded, client, reader):
    client.get(url(recorded["person"]), headers=bearer(reader.secret))
    client.get(url(recorded["person"], ".jwt"), headers=bearer(reader.secret))
    events = issued_events(recorded["person"])
    assert len(events) == 2
    for event in events:
        assert event.actor_id is None
        assert event.actor_label.startswith(f"API client {reader.token.client.name}")
        assert event.after["form"] == "jwt" and event.after["autonomy_levels"] == 1


def test_an_unknown_employee_is_a_404_problem_and_one_with_nothing_verified_a_409(
    recorded, client, reader, people
):
    for number in ("NOBODY-1", "X" * 300):
        found = client.get(
            f"/api/v1/employees/{number}/learner-record", headers=bearer(reader.secret)
        )
        assert found.status_code == 404 and found.mimetype == "application/problem+json"
        assert "No employee has the number" in found.json["detail"]
    newcomer = people.employee()
    found = client.get(url(newcomer), headers=bearer(reader.secret))
    assert found.status_code == 409 and "Nothing is verified" in found.json["detail"]
    assert issued_events(newcomer) == []


def test_the_routes_are_in_the_openapi_document_with_their_scope(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    as_json = paths["/api/v1/employees/{employee_number}/learner-record"]["get"]
    as_file = paths["/api/v1/employees/{employee_number}/learner-record.jwt"]["get"]
    for operation in (as_json, as_file):
        assert operation["security"] == [{"bearerToken": ["records:read"]}]
        assert {"401", "403", "404", "409"} <= set(operation["responses"])
    schema = as_json["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/LearnerRecord")
    assert "application/vc+jwt" in as_file["responses"]["200"]["content"]
