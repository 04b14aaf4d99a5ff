"""Roster import pages: upload, preview, commit; access, messages and status codes."""

from __future__ import annotations

import io
import secrets
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from civicladder.db import db
from civicladder.models import AuditEvent
from people.forms import CarriedFileField
from people.models import Department, Employee
from tests.people.test_roster import roster_csv, roster_row

IMPORT = "/people/import"
COMMIT = "/people/import/commit"


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


def upload(client, data: bytes, filename: str = "roster.csv"):
    return client.post(
        IMPORT,
        data={"roster": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def commit(client, fields: dict[str, list[str]]):
    return client.post(COMMIT, data=fields, content_type="multipart/form-data")


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
    client = client_as(role)
    assert client.get(IMPORT).status_code == 403
    assert upload(client, roster_csv(roster_row("E1"))).status_code == 403
    assert commit(client, {"digest": ["x"]}).status_code == 403
    assert count(Employee) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(IMPORT)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_preview_then_commit_imports_and_redirects_to_the_directory(client_as):
    client = client_as("hr")
    data = roster_csv(
        roster_row("E2", manager_employee_number="E1", first_name="Sam"),
        roster_row("E1", first_name="Ana"),
    )

    preview = upload(client, data)

    assert preview.status_code == 200
    assert preview.text.count("<h1") == 1
    assert "<strong>2</strong> new employees" in preview.text
    assert "Parks &gt; Forestry" in preview.text
    assert "Import 2 changes" in preview.text
    assert count(Employee) == 0
    fields = hidden_fields(preview.text)
    assert set(fields) == {"content", "digest", "plan", "filename"}

    done = commit(client, fields)

    assert done.status_code == 302 and done.headers["Location"] == "/people"
    assert count(Employee) == 2
    directory = client.get("/people")
    assert "Roster imported: 2 new employees, 0 updated, 0 unchanged, 2 new departments." in (
        directory.text
    )
    summary = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "roster.imported"))
    assert summary.after["file"] == "roster.csv"
    assert summary.actor_id == client.user.id


def test_preview_of_a_file_with_problems_lists_them_and_offers_no_import(client_as):
    client = client_as("hr")
    data = roster_csv(
        roster_row("E1"),
        roster_row("E2", email="not-an-email"),
        roster_row("E3", manager_employee_number="E404"),
    )
    preview = upload(client, data)
    assert preview.status_code == 422
    assert "There is a problem" in preview.text
    assert "2 rows have problems" in preview.text
    assert "<td>3</td><td>E2</td><td>email “not-an-email” is not a valid email address" in (
        preview.text
    )
    assert "<td>4</td><td>E3</td><td>The manager E404 is neither in this file" in preview.text
    assert "Import " not in preview.text
    assert 'action="/people/import/commit"' not in preview.text
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
    preview = upload(client_as("hr"), data)
    assert preview.status_code == 200
    assert "There is nothing to import." in preview.text
    assert 'action="/people/import/commit"' not in preview.text


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"a,b\n1,2\n", "roster.xlsx", "The roster must be a .csv file."),
        ("x,y\nÉ,1\n".encode("latin-1"), "roster.csv", "The file is not UTF-8 text"),
        (b"name,email\nAna,a@b.gov\n", "roster.csv", "The file is missing the columns"),
        (b"", "roster.csv", "The file is empty."),
    ],
)
def test_unreadable_uploads_get_422_with_a_clear_message(client_as, data, filename, message):
    response = upload(client_as("hr"), data, filename)
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert message in response.text


def test_an_upload_without_a_file_asks_for_one(client_as):
    response = client_as("hr").post(IMPORT, data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a CSV file to import." in response.text


def test_a_tampered_commit_is_refused_and_writes_nothing(client_as):
    client = client_as("hr")
    fields = hidden_fields(upload(client, roster_csv(roster_row("E1"))).text)
    other = hidden_fields(upload(client, roster_csv(roster_row("E9"))).text)
    response = commit(client, {**fields, "content": other["content"]})
    assert response.status_code == 409
    assert "This is not the file you previewed" in response.text
    assert count(Employee) == 0


@pytest.mark.parametrize(
    "content", [["not base64!"], ["aGVsbG8="], [""]], ids=["not-base64", "not-zlib", "empty"]
)
def test_a_commit_that_cannot_be_read_back_gets_422(client_as, content):
    client = client_as("hr")
    fields = hidden_fields(upload(client, roster_csv(roster_row("E1"))).text)
    response = commit(client, {**fields, "content": content})
    assert response.status_code == 422
    assert "could not be read back" in response.text
    assert count(Employee) == 0


def test_a_commit_after_the_workforce_changed_asks_for_a_new_preview(client_as, people):
    client = client_as("hr")
    fields = hidden_fields(upload(client, roster_csv(roster_row("E1"))).text)
    people.employee(employee_number="E1", email="e1@parks.example.gov")
    response = commit(client, fields)
    assert response.status_code == 409
    assert "changed after you previewed" in response.text


def test_a_commit_whose_rows_went_bad_shows_the_problems(client_as, people):
    client = client_as("hr")
    fields = hidden_fields(upload(client, roster_csv(roster_row("E1"))).text)
    people.employee(employee_number="X1", email="e1@parks.example.gov")
    response = commit(client, fields)
    assert response.status_code == 422
    assert "The email e1@parks.example.gov already belongs to employee X1." in response.text
    assert count(Employee) == 1 and count(Department) == 1


def test_a_large_file_travels_back_in_several_inputs(app, client_as, monkeypatch):
    # Flask refuses any one form value over MAX_FORM_MEMORY_SIZE (500 kB by default), so the
    # preview splits the file across inputs. Shrink the limit (it must stay above Werkzeug's
    # 64 kB read buffer) and send a file that is well over it even when compressed.
    monkeypatch.setitem(app.config, "MAX_FORM_MEMORY_SIZE", 100_000)
    monkeypatch.setattr(CarriedFileField, "chunk_chars", 90_000)
    # Random names barely compress; the whole body stays under the 500 kB at which Werkzeug's
    # test client spools to a temporary file that it never closes.
    rows = [
        roster_row(
            f"E{n}", first_name=secrets.token_urlsafe(75), last_name=secrets.token_urlsafe(75)
        )
        for n in range(1300)
    ]
    client = client_as("hr")
    preview = upload(client, roster_csv(*rows))
    assert preview.status_code == 200
    fields = hidden_fields(preview.text)
    assert sum(map(len, fields["content"])) > 200_000
    assert commit(client, {**fields, "content": ["".join(fields["content"])]}).status_code == 413
    assert commit(client, fields).status_code == 302
    assert count(Employee) == 1300


def test_a_file_over_the_upload_limit_is_refused_with_the_limit_and_the_command(
    app, client_as, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 50_000)
    data = roster_csv(*(roster_row(f"E{n}") for n in range(1000)))
    response = upload(client_as("hr"), data)
    assert response.status_code == 413
    text = " ".join(response.text.split())
    assert "this page accepts up to 0.1 MB" in text
    assert "flask people import-roster FILE --commit" in text
    assert count(Employee) == 0


def test_the_flow_works_with_csrf_protection_on(app, client_as, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client = client_as("hr")
    token = hidden_fields(client.get(IMPORT).text, keep_csrf=True)["csrf_token"][0]
    preview = client.post(
        IMPORT,
        data={"roster": (io.BytesIO(roster_csv(roster_row("E1"))), "r.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    fields = hidden_fields(preview.text, keep_csrf=True)
    assert commit(client, {k: v for k, v in fields.items() if k != "csrf_token"}).status_code == 400
    assert count(Employee) == 0
    assert commit(client, fields).status_code == 302
    assert count(Employee) == 1
