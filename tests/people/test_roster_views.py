"""Roster import pages: upload, the check's preview, the import; access, messages and status
codes. Without Redis (as here) the jobs that check and import run as soon as they are asked
for, so each redirect lands on a finished job; the worker's side is in tests/civicladder."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from civicladder import clock, import_jobs
from civicladder.db import db
from civicladder.files import StoredFile
from civicladder.models import AuditEvent, JobRun, JobState
from people import roster
from people.models import Department, Employee
from tests.civicladder.factories import checked_import
from tests.people.test_roster import roster_csv, roster_row

IMPORT = "/people/import"


class _HiddenInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.fields.setdefault(values["name"], []).append(values.get("value") or "")


def hidden_fields(html: str, keep_csrf: bool = False) -> dict[str, list[str]]:
    parser = _HiddenInputs()
    parser.feed(html)
    if not keep_csrf:
        parser.fields.pop("csrf_token", None)
    return parser.fields


def upload(client, data: bytes, filename: str = "roster.csv", **extra):
    return client.post(
        IMPORT,
        data={"roster": (io.BytesIO(data), filename), **extra},
        content_type="multipart/form-data",
    )


def run_id_of(response) -> int:
    assert response.status_code == 303, response.text[:2000]
    found = re.fullmatch(r"/people/import/(\d+)", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def preview(client, data: bytes, filename: str = "roster.csv"):
    """Upload and open the check's page; (run id, page)."""
    run_id = run_id_of(upload(client, data, filename))
    return run_id, client.get(f"{IMPORT}/{run_id}")


def commit(client, run_id: int, **data):
    return client.post(f"{IMPORT}/{run_id}/commit", data=data)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_upload_page_shows_the_columns_and_an_example(client_as):
    page = client_as("hr").get(IMPORT)
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert 'enctype="multipart/form-data"' in page.text
    assert '<label class="usa-label" for="roster">' in page.text
    assert "<code>manager_employee_number</code>" in page.text
    assert "E1002,Sam,Okafor" in page.text
    assert " style=" not in page.text and "<script>" not in page.text


@pytest.mark.parametrize("role", ["employee", "manager", "union_rep", "admin"])
def test_other_roles_may_not_import(client_as, role):
    run_id, _ = preview(client_as("hr"), roster_csv(roster_row("E1")))
    client = client_as(role)
    assert client.get(IMPORT).status_code == 403
    assert upload(client, roster_csv(roster_row("E1"))).status_code == 403
    assert client.get(f"{IMPORT}/{run_id}").status_code == 403
    assert commit(client, run_id).status_code == 403
    assert count(Employee) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(IMPORT)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_preview_then_commit_imports_through_jobs_and_keeps_no_file(client_as):
    client = client_as("hr")
    data = roster_csv(
        roster_row("E2", manager_employee_number="E1", first_name="Sam"),
        roster_row("E1", first_name="Ana"),
    )

    run_id, page = preview(client, data)

    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert "<strong>2</strong> new employees" in page.text
    assert "Parks &gt; Forestry" in page.text
    assert "Import 2 changes" in page.text
    assert f'action="/people/import/{run_id}/commit"' in page.text
    assert count(Employee) == 0 and count(StoredFile) == 1  # kept for the import

    done = commit(client, run_id)

    write_id = run_id_of(done)
    assert write_id != run_id
    assert count(Employee) == 2
    assert count(StoredFile) == 0  # written: the upload is not kept
    page = client.get(f"{IMPORT}/{write_id}")
    assert page.status_code == 200
    assert "Roster imported: 2 new employees, 0 updated, 0 unchanged, 2 new departments." in (
        page.text
    )
    assert 'href="/people"' in page.text
    # The preview now says it was imported, and offers no second import.
    again = client.get(f"{IMPORT}/{run_id}")
    assert "This file was imported" in again.text and "/commit" not in again.text
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.actor_id == client.user.id)
    ).all()
    assert {"import.requested", "import.confirmed", "roster.imported"} <= set(actions)
    summary = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "roster.imported"))
    assert summary.after["file"] == "roster.csv"


def test_a_checked_file_is_imported_once(client_as):
    client = client_as("hr")
    run_id, _ = preview(client, roster_csv(roster_row("E1")))
    run_id_of(commit(client, run_id))
    twice = commit(client, run_id)
    assert twice.status_code == 409
    assert "already been imported" in twice.text
    assert count(Employee) == 1
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "roster.imported"))
        == 1
    )


def test_preview_of_a_file_with_problems_lists_them_and_offers_no_import(client_as):
    client = client_as("hr")
    data = roster_csv(
        roster_row("E1"),
        roster_row("E2", email="not-an-email"),
        roster_row("E3", manager_employee_number="E404"),
    )
    run_id, page = preview(client, data)
    assert page.status_code == 200
    assert "There is a problem" in page.text
    assert "2 rows have problems" in page.text
    assert "<td>3</td><td>E2</td><td>email “not-an-email” is not a valid email address" in (
        page.text
    )
    assert "<td>4</td><td>E3</td><td>The manager E404 is neither in this file" in page.text
    assert "Import " not in page.text and "/commit" not in page.text
    refused = commit(client, run_id)
    assert refused.status_code == 409 and "found problems" in refused.text
    assert count(Employee) == 0


def test_preview_of_a_file_that_changes_nothing_offers_no_import(client_as, people):
    people.employee(
        employee_number="X1",
        first_name="Ana",
        last_name="Doe X1",
        email="x1@parks.example.gov",
        department_path="Parks > Forestry",
    )
    data = roster_csv(roster_row("X1", email="x1@parks.example.gov", hire_date="2020-01-01"))
    _, page = preview(client_as("hr"), data)
    assert page.status_code == 200
    assert "There is nothing to import." in page.text
    assert "/commit" not in page.text


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"a,b\n1,2\n", "roster.xlsx", "The roster must be a .csv file."),
        ("x,y\nÉ,1\n".encode("latin-1"), "roster.csv", "The file is not UTF-8 text"),
        (b"name,email\nAna,a@b.gov\n", "roster.csv", "The file is missing the columns"),
        (b"", "roster.csv", "The file is empty."),
        (roster_csv(), "roster.csv", "The file has a header line but no employees."),
    ],
)
def test_unreadable_uploads_get_422_at_once_and_keep_nothing(client_as, data, filename, message):
    response = upload(client_as("hr"), data, filename)
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert message in response.text
    assert count(JobRun) == 0 and count(StoredFile) == 0


def test_an_upload_without_a_file_asks_for_one(client_as):
    response = client_as("hr").post(IMPORT, data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a CSV file to import." in response.text


def test_an_import_after_the_workforce_changed_saves_nothing_and_says_why(client_as, people):
    client = client_as("hr")
    run_id, _ = preview(client, roster_csv(roster_row("E1")))
    people.employee(employee_number="E1", email="e1@parks.example.gov")
    write_id = run_id_of(commit(client, run_id))
    run = db.session.get(JobRun, write_id)
    assert run.state is JobState.FAILED
    page = client.get(f"{IMPORT}/{write_id}")
    assert page.status_code == 200
    assert "Nothing was saved" in page.text
    assert "changed after you previewed" in page.text
    assert count(Employee) == 1


def test_an_import_whose_rows_went_bad_saves_nothing(client_as, people):
    client = client_as("hr")
    run_id, _ = preview(client, roster_csv(roster_row("E1")))
    people.employee(employee_number="X1", email="e1@parks.example.gov")
    write_id = run_id_of(commit(client, run_id))
    page = client.get(f"{IMPORT}/{write_id}")
    assert "1 row has problems, so nothing was imported." in page.text
    assert count(Employee) == 1 and count(Department) == 1


def test_a_file_no_longer_kept_cannot_be_imported(app, client_as):
    client = client_as("hr")
    run_id, _ = preview(client, roster_csv(roster_row("E1")))
    with app.app_context():
        run = db.session.get(JobRun, run_id)
        keep = timedelta(hours=app.config["IMPORT_KEEP_HOURS"], minutes=1)
        run.created_at = clock.now() - keep
        assert import_jobs.sweep() == {"removed": 1}
        assert import_jobs.sweep() == {"removed": 0}
        db.session.commit()
    refused = commit(client, run_id)
    assert refused.status_code == 409 and "no longer kept" in refused.text
    assert count(Employee) == 0


def test_runs_of_other_jobs_are_not_roster_imports(client_as):
    client = client_as("hr")
    assert client.get(f"{IMPORT}/999999").status_code == 404
    outcome = client.post(
        "/autonomy/outcomes/import",
        data={"file": (io.BytesIO(b"employee_number,metric_code,period_start,value\n"), "o.csv")},
    )
    other = int(outcome.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"{IMPORT}/{other}").status_code == 404
    assert commit(client, other).status_code == 404


def test_a_file_over_the_upload_limit_is_refused_with_the_limit_and_the_command(
    app, client_as, monkeypatch
):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 50_000)
    data = roster_csv(*(roster_row(f"E{n}") for n in range(1000)))
    response = upload(client_as("hr"), data)
    assert response.status_code == 413
    text = " ".join(response.text.split())
    assert "this page accepts up to 0.1 MB" in text
    assert "flask people import-roster FILE --commit" in text
    assert count(Employee) == 0


def test_a_roster_may_be_larger_than_other_uploads(app, client_as, monkeypatch):
    # The request only keeps the file; the job reads it.
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 50_000)
    data = roster_csv(*(roster_row(f"E{n}") for n in range(1000)))
    assert len(data) > 50_000
    _, page = preview(client_as("hr"), data)
    assert "<strong>1,000</strong> new employees" in page.text


def test_the_flow_works_with_csrf_protection_on(app, client_as, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client = client_as("hr")
    token = hidden_fields(client.get(IMPORT).text, keep_csrf=True)["csrf_token"][0]
    run_id = run_id_of(upload(client, roster_csv(roster_row("E1")), csrf_token=token))
    page = client.get(f"{IMPORT}/{run_id}")
    token = hidden_fields(page.text, keep_csrf=True)["csrf_token"][0]
    assert commit(client, run_id).status_code == 400
    assert count(Employee) == 0
    run_id_of(commit(client, run_id, csrf_token=token))
    assert count(Employee) == 1


def test_the_pages_say_where_a_check_or_an_import_stands(client_as, app_ctx):
    client = client_as("hr")
    waiting = checked_import("roster", roster_csv(roster_row("E1")), {}, state=JobState.QUEUED)
    page = client.get(f"{IMPORT}/{waiting.id}")
    assert page.status_code == 200
    assert "Checking the file: waiting for a worker to start." in page.text
    assert "Look again" in page.text and "/commit" not in page.text
    data = roster_csv(*(roster_row(f"E{n}") for n in range(3)))
    check = checked_import("roster", data, roster.preview(data))
    write = JobRun(
        kind="import.roster.write",
        title="Roster import: write",
        params={"check_run_id": check.id},
        state=JobState.RUNNING,
        done=2,
        total=3,
    )
    db.session.add(write)
    db.session.flush()
    page = client.get(f"{IMPORT}/{write.id}")
    assert "<h1" in page.text and "Importing the roster" in page.text
    assert "Importing 3 changes: 2 of 3 done." in page.text
    preview_page = client.get(f"{IMPORT}/{check.id}")
    assert "This file is being imported" in preview_page.text
    assert "/commit" not in preview_page.text
    assert commit(client, check.id).status_code == 409
