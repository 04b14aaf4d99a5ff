"""Outcome records from CSV: checked whole, previewed, written all or nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from autonomy import outcomes
from autonomy.models import OutcomeRecord
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Invalid
from civicladder.models import AuditEvent

pytestmark = pytest.mark.usefixtures("app_ctx")


def csv_of(*rows) -> bytes:
    lines = ["employee_number,metric_code,period_start,value"]
    lines += [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def setup(people, autonomy, make_user):
    metric = autonomy.metric(code="FCR")
    person = people.employee()
    autonomy.outcome(person, metric, date(2026, 5, 1), 80.0)
    autonomy.outcome(person, metric, date(2026, 6, 1), 81.0)
    return {"hr": make_user({Role.HR}), "person": person, "metric": metric}


def values(person) -> dict:
    return dict(
        db.session.execute(
            sa.select(OutcomeRecord.period_start, OutcomeRecord.value).where(
                OutcomeRecord.employee_id == person.id
            )
        ).all()
    )


def test_a_file_adds_new_periods_and_replaces_changed_values(setup):
    number = setup["person"].employee_number
    data = csv_of(
        (number, "fcr", "2026-05-01", 80.0),
        (number, "FCR", "2026-06-01", 83.5),
        (number, "FCR", "2026-07-01", 84),
    )
    plan = outcomes.plan_import(data)
    assert plan.ok and (len(plan.new), len(plan.changed), plan.unchanged) == (1, 1, 1)
    outcomes.import_outcomes(setup["hr"], data, expected_fingerprint=plan.fingerprint)
    assert values(setup["person"]) == {
        date(2026, 5, 1): 80.0,
        date(2026, 6, 1): 83.5,
        date(2026, 7, 1): 84.0,
    }
    event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event.action == "outcome_records.imported" and event.after["new"] == 1


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(setup):
    number = setup["person"].employee_number
    data = csv_of(
        (number, "FCR", "2026-07-01", 84),
        ("NOPE", "FCR", "2026-07-01", 1),
        (number, "XYZ", "2026-07-01", 1),
        (number, "FCR", "2026-02-30", 1),
        (number, "FCR", "2026-08-01", "lots"),
        (number, "FCR", "2026-07-01", 85),
    )
    plan = outcomes.plan_import(data)
    assert not plan.ok
    assert [line for line, _ in plan.errors] == [3, 4, 5, 6, 7]
    assert "No employee has the number NOPE." in dict(plan.errors)[3]
    assert "appear earlier" in dict(plan.errors)[7]
    with pytest.raises(Invalid):
        outcomes.import_outcomes(setup["hr"], data, expected_fingerprint=plan.fingerprint)
    assert len(values(setup["person"])) == 2


def test_a_commit_refuses_a_file_whose_changes_moved_since_the_preview(setup, autonomy):
    number = setup["person"].employee_number
    data = csv_of((number, "FCR", "2026-07-01", 84))
    plan = outcomes.plan_import(data)
    autonomy.outcome(setup["person"], setup["metric"], date(2026, 7, 1), 70.0)
    with pytest.raises(Conflict):
        outcomes.import_outcomes(setup["hr"], data, expected_fingerprint=plan.fingerprint)


def test_a_file_without_the_columns_is_refused_clearly(setup):
    with pytest.raises(Invalid, match="no column value"):
        outcomes.plan_import(b"employee_number,metric_code,period_start\n")


def test_preview_then_commit_through_the_pages(setup, client_as):
    client = client_as(setup["hr"])
    number = setup["person"].employee_number
    data = csv_of((number, "FCR", "2026-07-01", 84))
    asked = client.post("/autonomy/outcomes/import", data={"file": (io.BytesIO(data), "may.csv")})
    assert asked.status_code == 303
    check = asked.headers["Location"]
    preview = client.get(check)
    assert preview.status_code == 200 and "1 new records" in preview.text
    assert len(values(setup["person"])) == 2
    done = client.post(check + "/commit")
    assert done.status_code == 303
    assert len(values(setup["person"])) == 3
    page = client.get(done.headers["Location"])
    assert "Outcome records imported: 1 new, 0 changed, 0 unchanged." in page.text
    assert "This file was imported" in client.get(check).text
    assert client.post(check + "/commit").status_code == 409
    assert len(values(setup["person"])) == 3


def test_a_file_with_problems_is_listed_and_cannot_be_imported(setup, client_as):
    client = client_as(setup["hr"])
    data = csv_of(("NOBODY", "FCR", "2026-07-01", 84))
    check = client.post(
        "/autonomy/outcomes/import", data={"file": (io.BytesIO(data), "bad.csv")}
    ).headers["Location"]
    page = client.get(check)
    assert "1 row cannot be imported" in page.text and "No employee has the number NOBODY" in (
        page.text
    )
    assert "/commit" not in page.text
    assert client.post(check + "/commit").status_code == 409


# Python's csv module refuses a field longer than this (its field_size_limit).
CSV_FIELD_LIMIT = 131072


def test_a_field_longer_than_csv_reads_is_refused_with_its_line(setup):
    number = setup["person"].employee_number
    data = csv_of((number, "FCR", "2026-07-01", 84), (number, "FCR", "2026-08-01", "9" * 200_000))
    with pytest.raises(Invalid, match="Line 3 could not be read as CSV"):
        outcomes.plan_import(data)


def test_a_header_longer_than_csv_reads_is_refused(setup):
    with pytest.raises(Invalid, match="Line 1 could not be read as CSV"):
        outcomes.plan_import(b"employee_number," + b"x" * (CSV_FIELD_LIMIT + 1) + b"\n")


def test_an_overlong_field_fails_the_check_clearly_and_writes_nothing(setup, client_as):
    number = setup["person"].employee_number
    data = csv_of((number, "FCR", "2026-07-01", "1" * (CSV_FIELD_LIMIT + 1)))
    client = client_as(setup["hr"])
    asked = client.post("/autonomy/outcomes/import", data={"file": (io.BytesIO(data), "long.csv")})
    assert asked.status_code == 303
    page = client.get(asked.headers["Location"])
    assert "Nothing was saved" in page.text
    assert "Line 2 could not be read as CSV" in page.text
    assert "Upload the file again" in page.text
    assert len(values(setup["person"])) == 2


def test_a_file_without_the_columns_gets_a_422_at_once(setup, client_as):
    response = client_as(setup["hr"]).post(
        "/autonomy/outcomes/import",
        data={"file": (io.BytesIO(b"employee_number,value\n"), "o.csv")},
    )
    assert response.status_code == 422
    assert "The file has no column metric_code, period_start." in response.text
