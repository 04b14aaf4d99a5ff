"""Competency evidence through the API: read, and recorded from another programme once per
Idempotency-Key, attributed to the client in the audit log; two racing retries write once."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from api import idempotency
from api.models import IdempotentWrite
from civicladder import clock
from civicladder.db import db
from civicladder.models import AuditEvent
from competencies.models import Competency, CompetencyEvidence
from tests.api.factories import api_token, bearer

pytestmark = pytest.mark.usefixtures("app_ctx")

BODY = {
    "employee": "W-1",
    "competency": "CPR-1",
    "level": 3,
    "observed_on": "2026-05-02",
    "expires_on": "2028-05-02",
    "programme": "State EMS board",
    "verifier": "R. Ortiz, examiner",
}


@pytest.fixture
def worker(people, competencies, on_day):
    on_day(date(2026, 6, 30))
    competencies.competency(code="CPR-1", name="Cardiopulmonary resuscitation")
    return people.employee(employee_number="W-1")


@pytest.fixture
def writer(client):
    issued = api_token(["evidence:write", "evidence:read"])
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issued.secret}"
    client.issued = issued
    return client


def _post(client, body=BODY, key="key-1"):
    headers = {idempotency.HEADER: key} if key else {}
    return client.post("/api/v1/evidence", json=body, headers=headers)


def _evidence_count(employee) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(CompetencyEvidence.employee_id == employee.id)
    )


def test_evidence_from_another_programme_counts_and_names_the_client(writer, worker):
    response = _post(writer)
    assert response.status_code == 201, response.json
    made = response.json
    assert (made["employee"], made["competency"], made["level"]) == ("W-1", "CPR-1", 3)
    assert made["source"] == "imported" and made["withdrawn"] is False
    assert made["note"] == "State EMS board; verified by R. Ortiz, examiner"
    listed = writer.get("/api/v1/evidence", query_string={"employee": "W-1"}).json["items"]
    assert [row["id"] for row in listed] == [made["id"]]
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "competency_evidence.recorded",
            AuditEvent.object_id == str(made["id"]),
        )
    )
    client_name = writer.issued.token.client.name
    assert event.actor_id is None
    assert event.actor_label == f"API client {client_name} (token {writer.issued.token.prefix}…)"


def test_a_retry_with_the_same_key_is_answered_again_and_writes_nothing(writer, worker):
    first = _post(writer)
    again = _post(writer, body=dict(reversed(list(BODY.items()))))  # the same JSON, reordered
    assert again.status_code == 201 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _evidence_count(worker) == 1


def test_a_key_used_for_another_request_is_refused(writer, worker):
    assert _post(writer).status_code == 201
    other = _post(writer, body=BODY | {"level": 4})
    assert other.status_code == 422 and other.json["field"] == idempotency.HEADER
    assert _evidence_count(worker) == 1


def test_a_write_without_a_key_is_refused(writer, worker):
    response = _post(writer, key=None)
    assert response.status_code == 422 and response.json["field"] == idempotency.HEADER
    assert _evidence_count(worker) == 0


def test_a_refused_write_keeps_no_key_so_the_corrected_one_goes_through(writer, worker):
    wrong = _post(writer, body=BODY | {"observed_on": "2027-01-01"})
    assert wrong.status_code == 422 and wrong.json["field"] == "observed_on"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotentWrite)) == 0
    assert _post(writer).status_code == 201


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"employee": "W-404"}, 404, "employee"),
        ({"competency": "NOPE-1"}, 422, "competency"),
        ({"level": 6}, 422, "level"),
        ({"expires_on": "2026-01-01"}, 422, "expires_on"),
        ({"programme": ""}, 422, "programme"),
    ],
)
def test_a_wrong_write_names_its_field_and_writes_nothing(writer, worker, change, status, field):
    response = _post(writer, body=BODY | change)
    assert response.status_code == status and response.json["field"] == field
    assert _evidence_count(worker) == 0


def test_a_read_token_cannot_write(client, worker):
    reader = api_token(["evidence:read"])
    response = client.post(
        "/api/v1/evidence",
        json=BODY,
        headers=bearer(reader.secret) | {idempotency.HEADER: "k"},
    )
    assert response.status_code == 403
    assert _evidence_count(worker) == 0


def test_old_keys_are_forgotten_by_the_job(writer, worker, monkeypatch):
    assert _post(writer).status_code == 201
    later = clock.now() + idempotency.KEEP + idempotency.KEEP
    monkeypatch.setattr(clock, "now", lambda: later)
    assert idempotency.forget() == {"forgotten": 1}


def test_two_requests_racing_with_one_key_write_once(real_commits):
    from tests.competencies.factories import competency_factories
    from tests.people.factories import people_factories

    def setup():
        people = people_factories(None)
        competency_factories().competency(code="RACE-1", name="Racing")
        people.employee(employee_number="RACE-W")
        return api_token(["evidence:write"]).secret

    secret = real_commits.run(setup)
    body = BODY | {"employee": "RACE-W", "competency": "RACE-1"}

    def send(_):
        client = real_commits.app.test_client()
        response = client.post(
            "/api/v1/evidence",
            json=body,
            headers=bearer(secret) | {idempotency.HEADER: "race-key"},
        )
        return response.status_code, response.headers.get("Idempotent-Replayed")

    outcomes = real_commits.concurrent(2, send)
    assert all(outcome.error is None for outcome in outcomes), [o.error for o in outcomes]
    statuses = sorted(outcome.value[0] for outcome in outcomes)
    # One writes; the other waited on the first's key and was told to retry, or (when the
    # first had committed before it looked) was answered again.
    assert statuses in ([201, 409], [201, 201]), statuses
    written = sa.select(CompetencyEvidence.id).join(Competency).where(Competency.code == "RACE-1")
    assert real_commits.count(written) == 1
    retry = real_commits.app.test_client().post(
        "/api/v1/evidence", json=body, headers=bearer(secret) | {idempotency.HEADER: "race-key"}
    )
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
