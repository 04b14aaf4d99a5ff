"""Employees added and changed in bulk through the API, by the roster import's rules: whole or
not at all, each bad row named by index and field; a small batch written in the request, a
larger one by a job followed at its status address (only by the client that sent it); once
per Idempotency-Key; audited as the client's doing."""

from __future__ import annotations

import secrets
from datetime import date

import pytest
import sqlalchemy as sa

from api import batches, idempotency
from api.models import IdempotentWrite
from api.scopes import SCOPES
from civicladder import files
from civicladder.db import db
from civicladder.files import StoredFile
from civicladder.models import AuditEvent, JobRun, JobState
from people.models import Employee, EmployeeStatus
from tests.api.factories import api_token, bearer

# The worker tests' queue on Redis and their worker in burst mode.
from tests.civicladder.test_worker import _burst, queued  # noqa: F401

pytestmark = pytest.mark.usefixtures("app_ctx")

URL = "/api/v1/employees"


def row(number: str, **values) -> dict:
    """One employee as the roster file's columns."""
    return {
        "employee_number": number,
        "first_name": "Ana",
        "last_name": f"Doe {number}",
        "email": f"{number.lower()}@parks.example.gov",
        "department_path": "Parks > Forestry",
        "manager_employee_number": None,
        "bargaining_unit": None,
        "job_profile": None,
        "hire_date": "2020-01-15",
    } | values


@pytest.fixture
def writer(client):
    issued = api_token(["roster:write", "roster:read"])
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issued.secret}"
    client.issued = issued
    return client


@pytest.fixture
def as_job(app, monkeypatch):
    """Batches of more than two rows go to the job (inline here: no Redis)."""
    monkeypatch.setitem(app.config, "API_BATCH_SYNC_ROWS", 2)


def send(client, rows, key="key-1"):
    headers = {idempotency.HEADER: key} if key else {}
    return client.post(URL, json={"employees": rows}, headers=headers)


def employee(number: str) -> Employee | None:
    return db.session.scalar(sa.select(Employee).where(Employee.employee_number == number))


def count_employees() -> int:
    return db.session.scalar(sa.select(sa.func.count(Employee.id)))


def events(*actions: str) -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)
    ).all()


def label_of(client) -> str:
    token = client.issued.token
    return f"API client {token.client.name} (token {token.prefix}…)"


# --- a small batch: written at once -------------------------------------------------------------


def test_a_small_batch_adds_and_changes_employees_and_answers_the_counts(writer, people):
    unit = people.bargaining_unit(code="DC37-1549")
    leaving = people.employee(employee_number="E-OLD", email="old@parks.example.gov")
    response = send(
        writer,
        [
            row("E-2", manager_employee_number="E-1", bargaining_unit="DC37-1549"),
            row("E-1"),
            row(
                "E-OLD",
                first_name=leaving.first_name,
                last_name=leaving.last_name,
                email="old@parks.example.gov",
                status="separated",
            ),
        ],
    )
    assert response.status_code == 200, response.json
    assert response.json == {
        "rows": 3,
        "created": 2,
        "changed": 1,
        "unchanged": 0,
        "separated": 1,
        "departments_created": 1,  # Parks > Forestry; Parks was there
    }
    e1, e2 = employee("E-1"), employee("E-2")
    assert e2.manager_id == e1.id and e2.bargaining_unit_id == unit.id
    assert e1.hire_date == date(2020, 1, 15) and e1.status == EmployeeStatus.ACTIVE
    db.session.refresh(leaving)
    assert leaving.status == EmployeeStatus.SEPARATED
    # The same rows again change nothing.
    again = send(writer, [row("E-1"), row("E-2", manager_employee_number="E-1")], key="key-2")
    assert again.json == {
        "rows": 2,
        "created": 0,
        "changed": 1,  # E-2's bargaining unit, left out this time, is cleared as a file's would be
        "unchanged": 1,
        "separated": 0,
        "departments_created": 0,
    }


def test_the_changes_are_audited_as_the_clients_doing(writer, people):
    response = send(writer, [row("E-1"), row("E-2")])
    assert response.status_code == 200
    written = events("employee.created", "department.created", "roster.imported")
    assert [e.action for e in written].count("employee.created") == 2
    assert {e.actor_label for e in written} == {label_of(writer)}
    assert all(e.actor_id is None for e in written)
    summary = written[-1]
    assert summary.action == "roster.imported" and summary.after["created"] == 2


def test_one_bad_row_and_nothing_is_written_each_problem_named_by_index_and_field(writer, people):
    people.employee(employee_number="E-9", email="taken@parks.example.gov")
    before = count_employees()
    response = send(
        writer,
        [
            row("E-1"),
            row("E-2", email="not an address", hire_date="15/01/2020"),
            row("E-3", bargaining_unit="NOPE"),
            row("E-4", email="taken@parks.example.gov"),
            row("E-1", email="e1-again@parks.example.gov"),
        ],
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    found = {(e["field"], e["detail"].split(" ")[0]) for e in response.json["errors"]}
    assert found == {
        ("employees.0.employee_number", "Employee"),
        ("employees.1.email", "email"),
        ("employees.1.hire_date", "hire_date"),
        ("employees.2.bargaining_unit", "There"),
        ("employees.3.email", "The"),
        ("employees.4.employee_number", "Employee"),
    }
    detail = {e["field"]: e["detail"] for e in response.json["errors"]}
    assert detail["employees.0.employee_number"] == "Employee number E-1 is also at index 4."
    # E-1's two rows are both named: the mistake may be on either.
    assert response.json["detail"].startswith("5 of the 5 rows have problems")
    assert count_employees() == before
    assert events("employee.created", "department.created", "roster.imported") == []
    # A refused write keeps no key: the corrected batch goes through with it.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotentWrite)) == 0
    assert send(writer, [row("E-1"), row("E-2")]).status_code == 200


@pytest.mark.parametrize(
    ("item", "field", "words"),
    [
        ({k: v for k, v in row("E-1").items() if k != "job_profile"}, "job_profile", "missing"),
        (row("E-1", first_name=7), "first_name", "must be text"),
        (row("E-1", nickname="Al"), "nickname", "not a column"),
        (row("E-1", first_name=None), "first_name", "is empty"),
        (row("E-1", manager_employee_number="E-1"), "manager_employee_number", "own manager"),
    ],
)
def test_a_row_of_the_wrong_shape_is_named_with_its_field(writer, people, item, field, words):
    response = send(writer, [row("E-0"), item])
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == f"employees.1.{field}"
    assert words in response.json["errors"][0]["detail"]
    assert count_employees() == 0


def test_an_item_that_is_not_an_object_is_named(writer, people):
    response = send(writer, [row("E-0"), "E-1"])
    assert response.status_code == 422
    assert response.json["errors"] == [
        {
            "field": "employees.1",
            "detail": "Each employee is an object with the roster's columns as keys.",
        }
    ]


@pytest.mark.parametrize(
    "body",
    [{}, {"employees": []}, {"employees": "E-1"}, {"employees": [row("E-1")], "more": 1}, []],
)
def test_a_body_that_is_not_a_batch_is_refused(writer, people, body):
    response = writer.post(URL, json=body, headers={idempotency.HEADER: "k"})
    assert response.status_code == 422 and response.json["field"] in ("employees", "more")
    assert count_employees() == 0


def test_the_problems_listed_are_capped_and_the_rest_counted(writer, people):
    rows = [row(f"E-{n}", hire_date="soon") for n in range(batches.PROBLEMS_SHOWN + 20)]
    response = send(writer, rows)
    assert response.status_code == 422
    assert len(response.json["errors"]) == batches.PROBLEMS_SHOWN
    assert (
        response.json["errors"][-1]["field"] == f"employees.{batches.PROBLEMS_SHOWN - 1}.hire_date"
    )
    assert (
        f"the first {batches.PROBLEMS_SHOWN} of 120 problems are listed"
        in (response.json["detail"])
    )


def test_a_batch_over_the_limit_is_refused_as_too_large(writer, people, monkeypatch):
    monkeypatch.setattr(batches, "MAX_ROWS", 3)
    response = send(writer, [row(f"E-{n}") for n in range(4)])
    assert response.status_code == 413
    assert "at most 3 rows" in response.json["detail"]
    assert count_employees() == 0


def test_a_retry_with_the_same_key_is_answered_again_and_writes_nothing(writer, people):
    first = send(writer, [row("E-1")])
    again = send(writer, [row("E-1")])
    assert again.status_code == 200 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(events("roster.imported")) == 1
    other = send(writer, [row("E-2")])  # the key with another batch
    assert other.status_code == 422 and other.json["field"] == idempotency.HEADER


def test_a_write_without_a_key_or_the_scope_is_refused(writer, client, people):
    assert send(writer, [row("E-1")], key=None).status_code == 422
    reader = api_token(["roster:read", "outcomes:write"])
    refused = client.post(
        URL,
        json={"employees": [row("E-1")]},
        headers=bearer(reader.secret) | {idempotency.HEADER: "k"},
    )
    assert refused.status_code == 403
    assert count_employees() == 0


def test_the_statements_of_a_small_batch_do_not_grow_with_its_rows(writer, people, count_queries):
    people.bargaining_unit(code="DC37")
    people.employee(employee_number="BOSS", department_path="Parks > Forestry")

    def statements(prefix: str, n: int, surname: str = "Doe") -> int:
        rows = [
            row(
                f"{prefix}{i}",
                last_name=surname,
                bargaining_unit="DC37",
                manager_employee_number="BOSS",
            )
            for i in range(n)
        ]
        with count_queries() as seen:
            assert send(writer, rows, key=prefix + surname).status_code == 200
        return len(seen)

    statements("W-", 1)  # what the app reads once and keeps
    assert statements("A-", 3) == statements("B-", 60)  # new employees
    assert statements("A-", 3, "Roe") == statements("B-", 60, "Roe")  # changed ones


# --- a larger batch: written by a job -----------------------------------------------------------


def test_a_larger_batch_is_written_by_a_job_and_followed_at_its_status(writer, people, as_job):
    response = send(writer, [row("E-1"), row("E-2", manager_employee_number="E-1"), row("E-3")])
    assert response.status_code == 202, response.json
    status_url = response.headers["Location"]
    assert status_url == response.json["url"] == f"/api/v1/batches/{response.json['id']}"
    assert response.json["status"] == "queued" and response.json["rows"] == 3
    # Without Redis the job ran once the request committed.
    status = writer.get(status_url)
    assert status.status_code == 200
    assert status.json["status"] == "done"
    assert status.json["summary"] == {
        "rows": 3,
        "created": 3,
        "changed": 0,
        "unchanged": 0,
        "separated": 0,
        "departments_created": 2,
    }
    assert status.json["progress"] == {"done": 3, "total": 3}
    assert status.json["problems"] == [] and status.json["detail"] is None
    assert employee("E-2").manager_id == employee("E-1").id
    # The job wrote as the client, and the batch's body is no longer kept.
    written = events("employee.created", "roster.imported", "api_batch.requested")
    assert {e.actor_label for e in written} == {label_of(writer)}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0


def test_a_larger_batch_with_a_bad_row_fails_and_writes_nothing(writer, people, as_job):
    response = send(writer, [row("E-1"), row("E-2", hire_date="tomorrow"), row("E-3")])
    assert response.status_code == 202
    status = writer.get(response.headers["Location"]).json
    assert status["status"] == "failed" and status["summary"] is None
    assert status["problems"] == [
        {
            "field": "employees.1.hire_date",
            "detail": "hire_date “tomorrow” is not a date written YYYY-MM-DD, like 2024-03-31.",
        }
    ]
    assert status["detail"].startswith("1 of the 3 rows has problems, so nothing was written")
    assert count_employees() == 0
    assert events("employee.created", "department.created", "roster.imported") == []


def test_a_retry_of_a_larger_batch_points_at_the_same_status(writer, people, as_job):
    rows = [row("E-1"), row("E-2"), row("E-3")]
    first = send(writer, rows)
    again = send(writer, rows)
    assert again.status_code == 202 and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 1


def test_only_the_client_that_sent_a_batch_reads_it(writer, client, people, as_job):
    url = send(writer, [row("E-1"), row("E-2"), row("E-3")]).headers["Location"]
    stranger = api_token(["roster:write"])
    assert client.get(url, headers=bearer(stranger.secret)).status_code == 404
    # Another token of the same client reads it, if it carries the batch's scope.
    own = writer.issued.token.client
    from api import tokens

    sibling = tokens.issue_token(None, own, label="second", scopes=["roster:write"])
    assert client.get(url, headers=bearer(sibling.secret)).status_code == 200
    reader = tokens.issue_token(None, own, label="reader", scopes=["roster:read"])
    assert client.get(url, headers=bearer(reader.secret)).status_code == 403
    assert writer.get("/api/v1/batches/999999").status_code == 404
    assert writer.get("/api/v1/batches/99999999999").status_code == 404


def test_the_status_opens_to_the_scopes_that_send_batches_and_no_other(app, client):
    # tests/api/test_scopes.py tries routes of one scope; this one serves three.
    senders = {"roster:write", "outcomes:write", "framework:write"}
    assert set(app.view_functions["api_batches.batch"].api_scopes) == senders
    for scope in SCOPES:
        answer = client.get("/api/v1/batches/1", headers=bearer(api_token([scope]).secret))
        assert answer.status_code == (404 if scope in senders else 403), scope


def test_a_batch_waiting_or_running_says_so_with_its_progress(writer, people):
    client_id = writer.issued.token.client_id
    run = JobRun(
        kind="api.batch.employees",
        title="Employees",
        params={"file_id": None, "client_id": client_id, "acting_as": "x", "rows": 10},
        state=JobState.QUEUED,
    )
    db.session.add(run)
    db.session.flush()
    url = f"/api/v1/batches/{run.id}"
    waiting = writer.get(url).json
    assert (waiting["status"], waiting["progress"], waiting["summary"]) == ("queued", None, None)
    run.state, run.done, run.total = JobState.RUNNING, 4, 10
    db.session.flush()
    running = writer.get(url).json
    assert running["status"] == "running" and running["progress"] == {"done": 4, "total": 10}
    run.state, run.message = JobState.QUEUED, "Will try again: OperationalError: (psycopg) …"
    db.session.flush()
    retrying = writer.get(url).json
    assert retrying["status"] == "queued" and "next" in retrying["detail"]
    run.state, run.message = JobState.FAILED, "IntegrityError: (psycopg) duplicate key …"
    db.session.flush()
    failed = writer.get(url).json
    assert failed["status"] == "failed"
    # What went wrong inside is for the administrators: the client is told in general words.
    assert "psycopg" not in str(failed)
    assert f"background job {run.id}" in failed["detail"]
    assert failed["problems"] == [{"field": "employees", "detail": failed["detail"]}]


def test_a_batch_whose_rows_are_gone_fails_saying_so(writer, people, as_job):
    url = send(writer, [row("E-1"), row("E-2"), row("E-3")]).headers["Location"]
    run = db.session.get(JobRun, int(url.rsplit("/", 1)[1]))
    run.state, run.result = JobState.QUEUED, None
    run.params = run.params | {"file_id": 999_999}
    db.session.flush()
    from civicladder import jobs

    jobs.perform(run.id)
    status = writer.get(url).json
    assert status["status"] == "failed" and "no longer kept" in status["detail"]


def test_the_sweep_removes_the_rows_of_batches_that_failed(people):
    kept = files.store(b"{}", name="employees.json", media_type="application/json")
    db.session.add(
        JobRun(
            kind="api.batch.employees",
            title="Employees",
            params={"file_id": kept.id, "client_id": 1, "acting_as": "x", "rows": 3},
            state=JobState.FAILED,
        )
    )
    db.session.flush()
    assert batches.sweep() == {"removed": 1}
    assert files.find(kept.id) is None


# --- through a worker on Redis ------------------------------------------------------------------


def test_a_larger_batch_waits_for_the_worker_which_writes_it(queued, monkeypatch):  # noqa: F811
    real_commits, env = queued
    monkeypatch.setitem(real_commits.app.config, "API_BATCH_SYNC_ROWS", 2)
    secret = real_commits.run(lambda: api_token(["roster:write"]).secret)
    client = real_commits.app.test_client()
    prefix = f"W{secrets.token_hex(3)}-"
    rows = [row(f"{prefix}{n}", email=f"{prefix}{n}@parks.example.gov") for n in range(3)]
    headers = bearer(secret) | {idempotency.HEADER: prefix}
    accepted = client.post(URL, json={"employees": rows}, headers=headers)
    assert accepted.status_code == 202, accepted.json
    url = accepted.headers["Location"]
    assert client.get(url, headers=bearer(secret)).json["status"] == "queued"
    done = _burst(env)
    assert done.returncode == 0, done.stderr
    status = client.get(url, headers=bearer(secret)).json
    assert status["status"] == "done", status
    assert status["summary"]["created"] == 3
    written = sa.select(Employee.id).where(Employee.employee_number.startswith(prefix))
    assert real_commits.count(written) == 3


def test_the_api_answers_in_english_whatever_language_the_client_asks(writer, people):
    """The roster's rules are translated for HR's pages; a client system reads them in English
    (as its reference documents them) even when it sends Accept-Language: es."""
    response = writer.post(
        URL,
        json={"employees": [row("E-1"), row("E-1", email="again@parks.example.gov")]},
        headers={"Accept-Language": "es", idempotency.HEADER: "key-es"},
    )
    assert response.status_code == 422
    detail = {e["field"]: e["detail"] for e in response.json["errors"]}
    assert detail["employees.0.employee_number"] == "Employee number E-1 is also at index 1."
