"""Outcome records sent in bulk through the API, by the outcome import's rules: whole or not at
all, each bad row named by index and field; a small batch written in the request, a larger
one by a job followed at its status address (only by the client that sent it); once per
Idempotency-Key; audited as the client's doing."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from api import idempotency
from autonomy.models import OutcomeRecord
from civicladder.db import db
from civicladder.models import AuditEvent
from tests.api.factories import api_token, bearer

pytestmark = pytest.mark.usefixtures("app_ctx")

URL = "/api/v1/outcomes"


@pytest.fixture
def person(people, autonomy):
    metric = autonomy.metric(code="FCR")
    someone = people.employee(employee_number="W-1")
    autonomy.outcome(someone, metric, date(2026, 5, 1), 80.0)
    autonomy.outcome(someone, metric, date(2026, 6, 1), 81.0)
    return someone


@pytest.fixture
def writer(client):
    issued = api_token(["outcomes:write"])
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issued.secret}"
    client.issued = issued
    return client


def record(period: str, value, number: str = "W-1", code: str = "FCR") -> dict:
    return {"employee_number": number, "metric_code": code, "period_start": period, "value": value}


def send(client, rows, key="key-1"):
    return client.post(URL, json={"outcomes": rows}, headers={idempotency.HEADER: key})


def values(person) -> dict:
    return dict(
        db.session.execute(
            sa.select(OutcomeRecord.period_start, OutcomeRecord.value).where(
                OutcomeRecord.employee_id == person.id
            )
        ).all()
    )


def imported() -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "outcome_records.imported")
    ).all()


def label_of(client) -> str:
    token = client.issued.token
    return f"API client {token.client.name} (token {token.prefix}…)"


def test_a_small_batch_adds_and_replaces_values_and_answers_the_counts(writer, person):
    response = send(
        writer,
        [record("2026-05-01", 80.0), record("2026-06-01", 83.5), record("2026-07-01", 84)],
    )
    assert response.status_code == 200, response.json
    assert response.json == {"rows": 3, "created": 1, "changed": 1, "unchanged": 1}
    assert values(person) == {
        date(2026, 5, 1): 80.0,
        date(2026, 6, 1): 83.5,
        date(2026, 7, 1): 84.0,
    }
    (event,) = imported()
    assert event.actor_label == label_of(writer) and event.actor_id is None
    assert event.after["new"] == 1 and event.after["file"] is None


def test_one_bad_row_and_nothing_is_written_each_problem_named_by_index_and_field(writer, person):
    response = send(
        writer,
        [
            record("2026-07-01", 84),
            record("2026-07-01", 1, number="NOPE"),
            record("2026-07-01", 1, code="XYZ"),
            record("2026-02-30", 1),
            record("2026-08-01", "lots"),
            record("2026-07-01", 85),
            record("2026-09-01", 1) | {"unit": "%"},
            "2026-10-01",
        ],
    )
    assert response.status_code == 422
    assert [(e["field"]) for e in response.json["errors"]] == [
        "outcomes.1.employee_number",
        "outcomes.2.metric_code",
        "outcomes.3.period_start",
        "outcomes.4.value",
        "outcomes.5.period_start",
        "outcomes.6.unit",
        "outcomes.7",
    ]
    details = [e["detail"] for e in response.json["errors"]]
    assert details[0] == "No employee has the number NOPE."
    assert details[3] == "value must be a number."
    assert details[4] == "This person, metric and period appear earlier in the batch."
    assert response.json["detail"].startswith("7 of the 8 rows have problems")
    assert len(values(person)) == 2
    assert imported() == []


def test_a_retry_with_the_same_key_is_answered_again_and_writes_nothing(writer, person):
    first = send(writer, [record("2026-07-01", 84)])
    again = send(writer, [record("2026-07-01", 84)])
    assert again.status_code == 200 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(imported()) == 1


def test_the_statements_of_a_small_batch_do_not_grow_with_its_rows(writer, person, count_queries):
    def statements(month: int, n: int) -> int:
        rows = [record(f"20{20 + i:02d}-{month:02d}-01", i) for i in range(n)]
        with count_queries() as seen:
            assert send(writer, rows, key=f"k{month}").status_code == 200
        return len(seen)

    statements(1, 1)  # what the app reads once and keeps (whether eligibility is stored)
    assert statements(2, 2) == statements(3, 40)


def test_a_larger_batch_is_written_by_a_job_and_only_its_client_reads_it(
    app, writer, client, person, monkeypatch
):
    monkeypatch.setitem(app.config, "API_BATCH_SYNC_ROWS", 2)
    response = send(writer, [record(f"2027-0{m}-01", m) for m in range(1, 4)])
    assert response.status_code == 202
    url = response.headers["Location"]
    status = writer.get(url).json
    assert status["status"] == "done" and status["kind"] == "outcomes"
    assert status["summary"] == {"rows": 3, "created": 3, "changed": 0, "unchanged": 0}
    assert len(values(person)) == 5
    assert imported()[0].actor_label == label_of(writer)
    assert client.get(url, headers=bearer(api_token(["outcomes:write"]).secret)).status_code == 404


def test_a_larger_batch_with_a_bad_row_fails_and_writes_nothing(app, writer, person, monkeypatch):
    monkeypatch.setitem(app.config, "API_BATCH_SYNC_ROWS", 2)
    response = send(writer, [record("2027-01-01", 1), record("2027-02-01", None), record("x", 3)])
    status = writer.get(response.headers["Location"]).json
    assert status["status"] == "failed"
    assert [p["field"] for p in status["problems"]] == [
        "outcomes.1.value",
        "outcomes.2.period_start",
    ]
    assert len(values(person)) == 2 and imported() == []
