"""The people package's rows of the access matrix: directory, profiles, roster import, users."""

from __future__ import annotations

import io

from people import roster
from tests.civicladder.access_cases import Case, only, recorded
from tests.civicladder.factories import checked_import
from tests.people.test_roster import roster_csv, roster_row

ROSTER = roster_csv(roster_row("E9001"), roster_row("E9002", manager_employee_number="E9001"))


def world(kit, ids: dict) -> dict:
    """An employee outside everyone's reporting line, in a bargaining unit."""
    unit = kit.people.bargaining_unit()
    target = kit.people.employee(bargaining_unit=unit)
    kit.competencies.evidence(target, kit.competencies.competency(), 2)  # for a learner record
    return {
        "target_employee": target.id,
        "unit": unit.id,
        "roster_check": checked_import("roster", ROSTER, roster.preview(ROSTER)).id,
    }


def _upload(ids: dict) -> dict:
    return {"roster": (io.BytesIO(ROSTER), "roster.csv")}


def _edit(ids: dict) -> dict:
    from civicladder.db import db
    from people.models import Employee

    target = db.session.get(Employee, ids["target_employee"])
    return {
        "department": target.department.path,
        "manager": "",
        "bargaining_unit": "0",
        "job_profile": "0",
        "status": "leave",
        "reason": "Parental leave",
    }


ACTORS: tuple[str, ...] = ()

CASES = [
    Case("people.directory", "GET", "/people", only({"hr": 200, "manager": 200})),
    Case("people.directory_csv", "GET", "/people.csv", only({"hr": 200, "manager": 200})),
    Case(
        "people.export_directory",
        "POST",
        "/people.csv",
        only({"hr": 303, "manager": 303}),
        {},
        recorded("export.requested", "hr", "manager"),
    ),
    Case("people.profile", "GET", "/people/{target_employee}", only({"hr": 200}, others=404)),
    Case(
        "people.learner_record_page",
        "GET",
        "/people/{target_employee}/learner-record",
        only({"hr": 200}, others=404),
    ),
    Case(
        "people.issue_learner_record",
        "POST",
        "/people/{target_employee}/learner-record",
        only({"hr": 200}, others=404),
        {"format": "jwt"},
        recorded("learner_record.issued", "hr"),
    ),
    Case("people.edit_employee", "GET", "/people/{target_employee}/edit", only({"hr": 200})),
    Case(
        "people.edit_employee",
        "POST",
        "/people/{target_employee}/edit",
        only({"hr": 302}),
        _edit,
        recorded("employee.updated", "hr"),
    ),
    Case("people.invite_employees", "GET", "/people/accounts", only({"hr": 200})),
    Case(
        "people.invite_employees",
        "POST",
        "/people/accounts",
        only({"hr": 302}),
        {"confirmed": "yes"},
        recorded("user.created", "hr"),
    ),
    Case("people.import_roster", "GET", "/people/import", only({"hr": 200})),
    # The upload is kept and checked; nothing is written until the preview is confirmed.
    Case(
        "people.import_roster",
        "POST",
        "/people/import",
        only({"hr": 303}),
        _upload,
        recorded("import.requested", "hr"),
    ),
    Case("people.roster_import", "GET", "/people/import/{roster_check}", only({"hr": 200})),
    Case(
        "people.commit_roster",
        "POST",
        "/people/import/{roster_check}/commit",
        only({"hr": 303}),
        {},
        recorded("import.confirmed", "hr"),
    ),
    Case("people.users", "GET", "/admin/users", only({"admin": 200})),
    Case("people.new_user", "GET", "/admin/users/new", only({"admin": 200})),
    Case(
        "people.new_user",
        "POST",
        "/admin/users/new",
        only({"admin": 200}),
        {"email": "new.person@city.example.gov", "full_name": "New Person", "roles": ["employee"]},
        recorded("user.created", "admin"),
    ),
    Case("people.user", "GET", "/admin/users/{target_user}", only({"admin": 200})),
    Case(
        "people.update_roles",
        "POST",
        "/admin/users/{target_user}/roles",
        only({"admin": 302}),
        {"roles": ["employee"]},
        recorded("user.roles_changed", "admin"),
    ),
    Case(
        "people.update_rep_units",
        "POST",
        "/admin/users/{target_user}/bargaining-units",
        only({"admin": 302}),
        {"units": ["{unit}"]},
        recorded("user.bargaining_units_changed", "admin"),
    ),
    Case("people.deactivate", "GET", "/admin/users/{target_user}/deactivate", only({"admin": 200})),
    Case(
        "people.deactivate",
        "POST",
        "/admin/users/{target_user}/deactivate",
        only({"admin": 302}),
        {"reason": "left", "confirmed": "yes"},
        recorded("user.deactivated", "admin"),
    ),
    Case(
        "people.reactivate", "GET", "/admin/users/{inactive_user}/reactivate", only({"admin": 200})
    ),
    Case(
        "people.reactivate",
        "POST",
        "/admin/users/{inactive_user}/reactivate",
        only({"admin": 302}),
        {"reason": "back", "confirmed": "yes"},
        recorded("user.activated", "admin"),
    ),
    Case(
        "people.reset_link",
        "POST",
        "/admin/users/{target_user}/reset-link",
        only({"admin": 200}),
        records=recorded("user.reset_link_issued", "admin"),
    ),
]
