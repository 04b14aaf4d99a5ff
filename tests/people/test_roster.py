"""Roster import without HTTP: reading, row checks, the plan, the write, and the CLI."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date

import pytest
import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Forbidden, Invalid
from civicladder.models import AuditEvent
from people import roster, services
from people.models import Department, DepartmentKind, Employee, EmployeeStatus

pytestmark = pytest.mark.usefixtures("app_ctx")


def roster_row(number: str, **values: str) -> dict:
    row = {
        "employee_number": number,
        "first_name": "Ana",
        "last_name": f"Doe {number}",
        "email": f"{number.lower()}@parks.example.gov",
        "department_path": "Parks > Forestry",
        "manager_employee_number": "",
        "bargaining_unit": "",
        "job_profile": "",
        "hire_date": "2020-01-15",
    }
    row.update(values)
    return row


def roster_csv(*rows: dict, columns=roster.REQUIRED_COLUMNS, bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


@pytest.fixture
def hr(make_user):
    return make_user({Role.HR})


def employee(number: str) -> Employee | None:
    return db.session.scalar(sa.select(Employee).where(Employee.employee_number == number))


def audit_actions(*prefixes: str) -> list[str]:
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id))
    return [a for a in actions if a.startswith(prefixes)]


def messages_by_line(plan: roster.RosterPlan) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for error in plan.errors:
        found.setdefault(error.line, []).append(error.message)
    return found


# --- a good file ---------------------------------------------------------------------------


def test_valid_file_creates_employees_departments_and_managers_in_any_order(
    hr, people, competencies
):
    unit = people.bargaining_unit(code="DC37-1549")
    profile = competencies.job_profile(code="ARB-2")
    boss = people.employee(email="boss@parks.example.gov")
    data = roster_csv(
        # E3 reports to E2 and E2 to E1, both further down the file.
        roster_row("E3", manager_employee_number="E2", department_path="Parks>Forestry>Tree Crew"),
        roster_row("E2", manager_employee_number="E1", bargaining_unit="DC37-1549"),
        roster_row("E1", manager_employee_number=boss.employee_number, job_profile="ARB-2"),
    )

    plan = services.import_roster(hr, data, filename="roster.csv")

    assert (len(plan.creates), len(plan.updates), plan.unchanged) == (3, 0, 0)
    assert plan.new_departments == ["Parks > Forestry", "Parks > Forestry > Tree Crew"]
    e1, e2, e3 = employee("E1"), employee("E2"), employee("E3")
    assert (e1.manager_id, e2.manager_id, e3.manager_id) == (boss.id, e1.id, e2.id)
    assert e2.bargaining_unit_id == unit.id and e1.job_profile_id == profile.id
    assert e1.hire_date == date(2020, 1, 15) and e1.status == EmployeeStatus.ACTIVE
    assert e3.email == "e3@parks.example.gov"
    crew = db.session.get(Department, e3.department_id)
    assert (crew.path, crew.kind) == ("Parks > Forestry > Tree Crew", DepartmentKind.UNIT)
    assert crew.parent.path == "Parks > Forestry"
    assert audit_actions("employee.", "roster.") == ["employee.created"] * 3 + ["roster.imported"]
    summary = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "roster.imported"))
    assert summary.actor_id == hr.id
    assert summary.after["sha256"] == hashlib.sha256(data).hexdigest()
    assert summary.after["created"] == 3 and summary.after["file"] == "roster.csv"


def test_preview_writes_nothing(people):
    before = db.session.scalar(sa.select(sa.func.count(Employee.id)))
    plan = roster.plan_import(roster_csv(roster_row("E1"), roster_row("E2")))
    assert plan.ok and len(plan.creates) == 2
    assert db.session.scalar(sa.select(sa.func.count(Employee.id))) == before
    assert db.session.scalar(sa.select(sa.func.count(Department.id))) == 0


def test_bom_crlf_blank_lines_and_status_column_are_accepted():
    text = roster_csv(
        roster_row("E1", status="Leave"), roster_row("E2"), columns=roster.COLUMNS, bom=True
    ).decode("utf-8-sig")
    data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").replace("\r\nE2", "\r\n\r\nE2").encode()
    plan = roster.plan_import(data)
    assert plan.ok, plan.errors
    assert [c.line for c in plan.creates] == [2, 4]
    assert plan.creates[0].after["status"] == "leave"
    assert plan.creates[1].after["status"] == "active"


# --- bad rows ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"first_name": ""}, "first_name is empty"),
        ({"employee_number": ""}, "employee_number is empty"),
        ({"employee_number": "E" * 21}, "employee_number is longer than 20"),
        ({"email": "ana.parks.example.gov"}, "is not a valid email address"),
        ({"email": ""}, "email is empty"),
        ({"department_path": "A > B > C > D"}, "at most three levels"),
        ({"department_path": " > "}, "at least one name"),
        ({"hire_date": "15/01/2020"}, "is not a date written YYYY-MM-DD"),
        ({"hire_date": "2021-02-30"}, "is not a date written YYYY-MM-DD"),
        ({"hire_date": ""}, "hire_date is empty"),
        ({"bargaining_unit": "NOPE"}, "no bargaining unit with code NOPE"),
        ({"job_profile": "NOPE"}, "no job profile with code NOPE"),
        ({"manager_employee_number": "E404"}, "manager E404 is neither in this file"),
        ({"manager_employee_number": "E3"}, "cannot be their own manager"),
        ({"first_name": "Ana\nMaria"}, "line break"),
    ],
)
def test_each_bad_row_is_reported_with_its_line(values, message):
    data = roster_csv(roster_row("E1"), roster_row("E2"), roster_row("E3", **values))
    plan = roster.plan_import(data)
    assert not plan.ok
    errors = messages_by_line(plan)
    assert list(errors) == [4], plan.errors
    assert any(message in text for text in errors[4]), errors
    assert [c.employee_number for c in plan.creates] == ["E1", "E2"]


@pytest.mark.parametrize(
    "address",
    [
        "ana@parks.example.gov",
        "a+b@X.GOV",
        "a..b@x.gov",
        ".a@x.gov",
        "a.@x.gov",
        "a@x",
        "a@x.local",
        "a@x.test",
        "a@x.123",
        "a@-x.gov",
        "a@x..gov",
        "a@x.gov.",
        "a@x_y.gov",
        "a@@x.gov",
        "a b@x.gov",
        '"a b"@x.gov',
        "a@[1.2.3.4]",
        "Ana <a@x.gov>",
        "é@x.gov",
        "a@" + "b" * 64 + ".gov",
        "a@" + ("b" * 60 + ".") * 4 + "gov",
        "x" * 250 + "@x.gov",
    ],
)
def test_email_check_gives_the_libraries_verdict_and_message(address):
    from email_validator import EmailNotValidError, validate_email

    from people.roster.reading import check_email

    def verdict(check):
        try:
            check(address)
        except EmailNotValidError as error:
            return str(error)
        return "valid"

    assert verdict(check_email) == verdict(lambda a: validate_email(a, check_deliverability=False))


def test_bad_status_is_reported():
    data = roster_csv(roster_row("E1", status="retired"), columns=roster.COLUMNS)
    plan = roster.plan_import(data)
    assert "status “retired” is not one of active, leave, separated." in messages_by_line(plan)[2]


def test_several_problems_in_one_row_are_all_reported():
    plan = roster.plan_import(roster_csv(roster_row("E1", first_name="", hire_date="soon")))
    assert len(messages_by_line(plan)[2]) == 2


def test_duplicate_numbers_and_emails_in_the_file_name_the_first_line():
    data = roster_csv(
        roster_row("E1"),
        roster_row("E1", email="other@parks.example.gov"),
        roster_row("E2", email="E1@parks.example.gov"),
    )
    errors = messages_by_line(roster.plan_import(data))
    assert errors == {
        2: [
            "Employee number E1 is also on line 3.",
            "Email e1@parks.example.gov is also on line 4.",
        ],
        3: ["Employee number E1 is also on line 2."],
        4: ["Email e1@parks.example.gov is also on line 2."],
    }


def test_email_of_another_existing_employee_is_refused(people):
    people.employee(employee_number="X1", email="taken@parks.example.gov")
    plan = roster.plan_import(roster_csv(roster_row("E1", email="Taken@parks.example.gov")))
    assert messages_by_line(plan) == {
        2: ["The email taken@parks.example.gov already belongs to employee X1."]
    }


def test_row_with_the_wrong_number_of_values_is_reported():
    data = roster_csv(roster_row("E1")) + b"E2,Sam,Okafor,sam@parks.example.gov\n"
    assert (
        "has 4 values but the header has 9 columns"
        in messages_by_line(roster.plan_import(data))[3][0]
    )


def test_manager_cycle_in_the_file_is_refused():
    data = roster_csv(
        roster_row("E1", manager_employee_number="E2"),
        roster_row("E2", manager_employee_number="E3"),
        roster_row("E3", manager_employee_number="E1"),
        roster_row("E4", manager_employee_number="E1"),
    )
    errors = messages_by_line(roster.plan_import(data))
    assert sorted(errors) == [2, 3, 4]
    assert errors[2] == ["The reporting line loops: E1 → E2 → E3 → E1."]


def test_manager_cycle_through_existing_employees_is_refused(hr, people):
    top = people.employee(employee_number="X1", email="x1@parks.example.gov")
    middle = people.employee(manager=top, employee_number="X2", email="x2@parks.example.gov")
    people.employee(manager=middle, employee_number="X3", email="x3@parks.example.gov")
    # X1 is in the file and would report to X3, who reports to X2, who reports to X1.
    data = roster_csv(roster_row("X1", email="x1@parks.example.gov", manager_employee_number="X3"))
    plan = roster.plan_import(data)
    assert messages_by_line(plan) == {2: ["The reporting line loops: X1 → X3 → X2 → X1."]}
    with pytest.raises(Invalid):
        services.import_roster(hr, data)
    assert employee("X1").manager_id is None


# --- whole or nothing, and idempotent ------------------------------------------------------


def test_a_file_with_one_bad_row_writes_nothing(hr, people):
    events_before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    data = roster_csv(
        roster_row("E1", department_path="Streets > Paving"),
        roster_row("E2"),
        roster_row("E3", hire_date="yesterday"),
    )
    with pytest.raises(roster.RosterRejected) as rejected:
        services.import_roster(hr, data)
    assert rejected.value.status == 422
    assert "1 row has problems" in rejected.value.message
    assert [e.line for e in rejected.value.plan.errors] == [4]
    assert db.session.scalar(sa.select(sa.func.count(Employee.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Department.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events_before


def test_reimporting_the_same_file_changes_nothing(hr, people):
    people.bargaining_unit(code="L1")
    data = roster_csv(
        roster_row("E2", manager_employee_number="E1", bargaining_unit="L1"),
        roster_row("E1", department_path="Parks"),
        columns=roster.REQUIRED_COLUMNS,
    )
    services.import_roster(hr, data)
    snapshot = [
        (e.employee_number, e.manager_id, e.department_id, e.email)
        for e in db.session.scalars(sa.select(Employee).order_by(Employee.id))
    ]

    plan = services.import_roster(hr, data)

    assert (len(plan.creates), len(plan.updates), plan.unchanged) == (0, 0, 2)
    assert plan.new_departments == []
    assert snapshot == [
        (e.employee_number, e.manager_id, e.department_id, e.email)
        for e in db.session.scalars(sa.select(Employee).order_by(Employee.id))
    ]
    # Our choice: every import leaves its summary in the trail, even one that changed nothing;
    # only the first import has employee and department events.
    assert audit_actions("employee.", "department.", "roster.") == [
        "department.created",
        "department.created",
        "employee.created",
        "employee.created",
        "roster.imported",
        "roster.imported",
    ]
    summary = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "roster.imported")
    ).all()[-1]
    assert summary.after["unchanged"] == 2 and summary.after["updated"] == 0


def test_a_changed_field_updates_only_that_employee_with_before_and_after(hr, people):
    rows = [roster_row("E1"), roster_row("E2", manager_employee_number="E1"), roster_row("E3")]
    services.import_roster(hr, roster_csv(*rows))
    e2 = employee("E2")
    old_department = e2.department_id
    rows[1]["department_path"] = "Parks > Recreation"

    plan = services.import_roster(hr, roster_csv(*rows))

    assert (len(plan.creates), len(plan.updates), plan.unchanged) == (0, 1, 2)
    assert plan.updates[0].before == {"department": "Parks > Forestry"}
    assert plan.updates[0].after == {"department": "Parks > Recreation"}
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "employee.updated"))
    assert event.object_id == str(e2.id) and event.reason == "Roster import"
    assert event.before == {"department_id": old_department}
    assert event.after == {"department_id": employee("E2").department_id}
    assert audit_actions("employee.updated") == ["employee.updated"]


def test_existing_employees_update_in_place_and_keep_status_without_a_status_column(hr, people):
    person = people.employee(
        employee_number="X1", email="x1@parks.example.gov", status=EmployeeStatus.LEAVE
    )
    person_id, old_name = person.id, (person.first_name, person.last_name)
    same = {"email": "x1@parks.example.gov", "department_path": "Parks", "hire_date": "2020-01-01"}
    plan = services.import_roster(
        hr, roster_csv(roster_row("X1", first_name="Renamed", last_name="Doe", **same))
    )
    assert [(c.before, c.after) for c in plan.updates] == [
        (
            {"first_name": old_name[0], "last_name": old_name[1]},
            {"first_name": "Renamed", "last_name": "Doe"},
        )
    ]
    assert employee("X1").id == person_id
    assert employee("X1").status == EmployeeStatus.LEAVE
    data = roster_csv(
        roster_row("X1", first_name="Renamed", last_name="Doe", status="separated", **same),
        columns=roster.COLUMNS,
    )
    services.import_roster(hr, data)
    assert employee("X1").status == EmployeeStatus.SEPARATED


def test_two_employees_can_swap_emails(hr, people):
    people.employee(employee_number="X1", email="one@parks.example.gov")
    people.employee(employee_number="X2", email="two@parks.example.gov")
    data = roster_csv(
        roster_row("X1", email="two@parks.example.gov"),
        roster_row("X2", email="one@parks.example.gov"),
    )
    plan = services.import_roster(hr, data)
    assert len(plan.updates) == 2
    assert (employee("X1").email, employee("X2").email) == (
        "two@parks.example.gov",
        "one@parks.example.gov",
    )


def test_a_new_employee_can_take_the_email_an_existing_one_gives_up(hr, people):
    people.employee(employee_number="X1", email="shared@parks.example.gov")
    data = roster_csv(
        roster_row("E9", email="shared@parks.example.gov"),
        roster_row("X1", email="x1.new@parks.example.gov"),
    )
    services.import_roster(hr, data)
    assert employee("E9").email == "shared@parks.example.gov"


def test_an_existing_employee_can_move_under_a_new_one(hr, people):
    person = people.employee(employee_number="X1", email="x1@parks.example.gov")
    data = roster_csv(
        roster_row("X1", email="x1@parks.example.gov", manager_employee_number="E1"),
        roster_row("E1"),
    )
    services.import_roster(hr, data)
    assert person.manager_id == employee("E1").id


# --- file-level problems -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"  \n\n", "The file is empty"),
        ("employee_number,first_name\nÉ1,Zoë\n".encode("latin-1"), "not UTF-8"),
        (b"PK\x03\x04\x00\x00binary", "not a CSV text file"),
        (b"employee_number,first_name,last_name\nE1,Ana,Doe\n", "missing the columns email,"),
        (
            b"employee_number;first_name;last_name;email;department_path\n",
            "Separate the columns with commas",
        ),
        (",".join(roster.REQUIRED_COLUMNS).encode() + b"\n", "header line but no employees"),
        (",".join([*roster.REQUIRED_COLUMNS, "salary"]).encode() + b"\n", "does not know: salary"),
        (",".join([*roster.REQUIRED_COLUMNS, "email"]).encode() + b"\n", "email more than once"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_clear_message(data, message):
    with pytest.raises(Invalid) as refused:
        roster.plan_import(data)
    assert message in refused.value.message


# --- permission and drift between preview and commit -----------------------------------------


def test_only_hr_may_import(make_user):
    with pytest.raises(Forbidden):
        services.import_roster(make_user({Role.MANAGER}), roster_csv(roster_row("E1")))


def test_a_commit_refuses_a_file_other_than_the_one_previewed(hr):
    data = roster_csv(roster_row("E1"))
    with pytest.raises(Conflict):
        services.import_roster(hr, data, expected_sha256=hashlib.sha256(b"other").hexdigest())
    assert employee("E1") is None


def test_a_commit_refuses_when_the_workforce_changed_since_the_preview(hr, people):
    data = roster_csv(roster_row("E1"))
    previewed = roster.plan_import(data)
    people.employee(employee_number="E1", email="e1@parks.example.gov")
    with pytest.raises(Conflict):
        services.import_roster(hr, data, expected_fingerprint=previewed.fingerprint)


# --- a constant number of queries ------------------------------------------------------------


def _sized_roster(size: int) -> bytes:
    rows = [roster_row("M0", manager_employee_number="X1", bargaining_unit="L1")]
    for n in range(1, size):
        rows.append(
            roster_row(
                f"N{n}",
                manager_employee_number=f"N{n + 1}" if n + 1 < size else "M0",
                department_path=f"Parks > Division {n % 3} > Unit {n}",
                bargaining_unit="L1",
                job_profile="JP1",
            )
        )
    rows.append(roster_row("X2", email="x2@parks.example.gov"))
    return roster_csv(*rows)


def test_validation_runs_the_same_number_of_queries_for_5_and_50_rows(
    people, competencies, count_queries
):
    people.bargaining_unit(code="L1")
    competencies.job_profile(code="JP1")
    top = people.employee(employee_number="X1", email="x1@parks.example.gov")
    people.employee(manager=top, employee_number="X2", email="x2@parks.example.gov")
    counts = []
    for size in (5, 50):
        data = _sized_roster(size)
        with count_queries() as statements:
            plan = roster.plan_import(data)
        assert plan.ok, plan.errors
        assert len(plan.creates) == size and plan.unchanged == 0 and len(plan.updates) == 1
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --- the command line ----------------------------------------------------------------------


def test_cli_preview_prints_the_summary_and_writes_nothing(app, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(roster_row("E1"), roster_row("E2", manager_employee_number="E1")))
    result = app.test_cli_runner().invoke(args=["people", "import-roster", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 rows: 2 new, 0 changed, 0 unchanged; 2 new departments." in result.output
    assert "Run again with --commit" in result.output
    assert employee("E1") is None


def test_cli_lists_problems_and_fails(app, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(roster_row("E1"), roster_row("E2", hire_date="2020-13-01")))
    result = app.test_cli_runner().invoke(args=["people", "import-roster", str(path), "--commit"])
    assert result.exit_code == 1
    assert "line 3 (E2): hire_date “2020-13-01” is not a date" in result.output
    assert "1 row has problems; nothing was imported." in result.output
    assert employee("E1") is None


def test_cli_refuses_an_unreadable_file(app, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"name,age\nAna,40\n")
    result = app.test_cli_runner().invoke(args=["people", "import-roster", str(path)])
    assert result.exit_code == 1
    assert "missing the columns employee_number" in result.output


def test_cli_commit_imports_as_the_system(app, tmp_path):
    # The CLI commits; in tests db.session is bound to a connection that is rolled back at the
    # end (tests/conftest.py), so its commit only releases a savepoint.
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(roster_row("E1"), roster_row("E2", manager_employee_number="E1")))
    result = app.test_cli_runner().invoke(args=["people", "import-roster", str(path), "--commit"])
    assert result.exit_code == 0, result.output
    assert "Imported: 2 created, 0 updated, 0 unchanged, 2 new departments." in result.output
    assert employee("E2").manager_id == employee("E1").id
    summary = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "roster.imported"))
    assert (summary.actor_id, summary.actor_label) == (None, "system")
    again = app.test_cli_runner().invoke(args=["people", "import-roster", str(path), "--commit"])
    assert "Imported: 0 created, 0 updated, 2 unchanged, 0 new departments." in again.output


def test_cli_commit_checks_the_file_once(app, tmp_path, monkeypatch):
    """The command line checks inside the transaction that writes, so once is enough."""
    checks = []
    real_plan = roster.plan_import
    monkeypatch.setattr(roster, "plan_import", lambda data: checks.append(1) or real_plan(data))
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(roster_row("E1"), roster_row("E2")))
    result = app.test_cli_runner().invoke(args=["people", "import-roster", str(path), "--commit"])
    assert result.exit_code == 0, result.output
    assert len(checks) == 1 and employee("E2") is not None


def test_a_plan_of_another_file_is_not_trusted(hr, people):
    first = roster_csv(roster_row("E1"))
    plan = roster.plan_import(first)
    services.import_roster(hr, roster_csv(roster_row("E9")), plan=plan)
    assert employee("E9") is not None and employee("E1") is None
