"""Every route and method × every role, with the outcome each should get.

The rows live beside each package's tests (tests/<package>/access_cases.py; the vocabulary is
in tests/civicladder/access_cases.py). This module gathers them, fails on any registered
endpoint and method without a row, and checks every row's outcome for each role and for any
contextual column (an actor built by a package's fixture, e.g. the assessor of a round).
"""

from __future__ import annotations

import functools
import os
from collections import defaultdict
from dataclasses import replace

import pytest
import sqlalchemy as sa

from civicladder.access import Role, declared_rules
from civicladder.db import db
from civicladder.models import AuditEvent
from people import lines
from people.models import Employee
from tests.academy import access_cases as academy_cases
from tests.api import access_cases as api_cases
from tests.autonomy import access_cases as autonomy_cases
from tests.civicladder import access_cases as shell_cases
from tests.civicladder.access_cases import REJECTED, ROLES, SIGNIN, Case, only, recorded
from tests.competencies import access_cases as competency_cases
from tests.hiring import access_cases as hiring_cases
from tests.people import access_cases as people_cases
from tests.reports import access_cases as report_cases
from tests.scim import access_cases as scim_cases

# In the packages' dependency order: a package's world may use the ids of those before it.
PACKAGES = [
    shell_cases,
    people_cases,
    competency_cases,
    hiring_cases,
    academy_cases,
    autonomy_cases,
    report_cases,
    api_cases,
    scim_cases,
]

CASES: list[Case] = [case for package in PACKAGES for case in package.CASES]
ACTORS = {column: package for package in PACKAGES for column in package.ACTORS}
# A contextual column's actor is a fixture of its package, named after the column; make it a
# fixture of this module too, so that the matrix can ask for it.
for _column, _package in ACTORS.items():
    globals()[_column] = getattr(_package, _column)

ROWS = {case.key: case for case in CASES}
ENDPOINTS = sorted(ROWS)  # "METHOD endpoint"
PLACEHOLDER_IDS = defaultdict(lambda: 1)  # fills a row's url where no world is built


def build_world(kit) -> dict:
    ids: dict = {}
    for package in PACKAGES:
        ids |= package.world(kit, ids)
    return ids


def build_cases(ids) -> dict[str, Case]:
    return {case.key: case.bind(ids) for case in CASES}


def row_problems(cases: list[Case], actors) -> list[str]:
    """What is wrong with these rows, given the contextual columns `actors` declares."""
    problems = []
    keys = [case.key for case in cases]
    problems += [
        f"{key}: more than one row" for key in sorted({k for k in keys if keys.count(k) > 1})
    ]
    for case in cases:
        missing = [role for role in ROLES if role not in case.expect]
        if missing:
            problems.append(f"{case.key}: no outcome for {', '.join(missing)}")
        for column in case.expect.keys() - set(ROLES) - set(actors):
            problems.append(f"{case.key}: column {column} is not declared by any package's ACTORS")
        for column in case.records.keys() - case.expect.keys():
            problems.append(f"{case.key}: records an action for {column}, which has no outcome")
    return problems


def actor_client(column: str, client_for, request):
    """A test client for a role, or the one a contextual column's fixture builds."""
    if column in ROLES:
        return client_for(column)
    return request.getfixturevalue(column)


@functools.cache
def _sizes_statement() -> sa.Select:
    """One statement counting every table's rows: built once, so SQLAlchemy compiles it once
    (building and compiling it for each of the thousands of rows took as long as the request)."""
    return sa.select(
        *(
            sa.select(sa.func.count()).select_from(t).scalar_subquery()
            for t in db.metadata.sorted_tables
        )
    )


def _table_sizes():
    return tuple(db.session.execute(_sizes_statement()).one())


def check(app, case: Case, column: str, ids: dict, client) -> None:
    """Make the row's request as `column` and check its status, and what it wrote or did not."""
    case = case.bind(ids)
    expected = case.expect[column]
    with app.test_request_context():
        data = case.form(ids)
    last_event = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    sizes = _table_sizes()
    response = client.open(case.url, method=case.method, data=data)
    response.close()
    where = f"{case.method} {case.url} as {column}"
    if expected == SIGNIN:
        assert response.status_code == 302, f"{where}: {response.status_code}"
        assert response.headers["Location"].startswith("/sign-in"), where
    elif expected == REJECTED:
        assert 400 <= response.status_code < 500 and response.status_code != 403, where
    else:
        assert response.status_code == expected, (
            f"{where}: {response.status_code}, expected {expected}"
        )
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.id > last_event).order_by(AuditEvent.id)
    ).all()
    if column in case.records:
        assert case.records[column] in actions, f"{where} did not record {case.records[column]}"
    else:
        assert actions == [], f"{where} recorded {actions}"
        assert _table_sizes() == sizes, f"{where} changed the database"


def test_every_registered_endpoint_and_method_has_a_row(app):
    registered = {
        f"{method} {rule.endpoint}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert registered == set(ENDPOINTS), (
        f"missing from the matrix: {sorted(registered - set(ENDPOINTS))}; "
        f"in the matrix but not registered: {sorted(set(ENDPOINTS) - registered)}"
    )


def test_every_row_is_unique_and_has_an_outcome_for_every_role():
    assert row_problems(CASES, ACTORS) == []


def test_every_endpoint_declares_its_access(app):
    undeclared = [name for name, view in app.view_functions.items() if declared_rules(view) is None]
    assert undeclared == []


# Refusals made before a route reads anything (no session, the wrong role, no API token) are
# the same on any database: the SQLite run checks every cell, the PostgreSQL run the cells where
# a route does its work (it answers, redirects after a change, refuses input, or finds no row).
REFUSED_BEFORE_ANY_QUERY = {401, 403, SIGNIN}
ON_POSTGRESQL = bool(os.environ.get("TEST_DATABASE_URL"))


@pytest.mark.parametrize(
    ("key", "column"),
    [
        pytest.param(case.key, column, id=f"{case.key}-{column}")
        for case in CASES
        for column, outcome in case.expect.items()
        if not (ON_POSTGRESQL and outcome in REFUSED_BEFORE_ANY_QUERY)
    ],
)
def test_access(key, column, app, world, client_for, request):
    check(app, ROWS[key], column, world, actor_client(column, client_for, request))


# --- contextual columns ------------------------------------------------------------------------
# The academy declares "instructor_of_session" (tests/academy/access_cases.py); the mechanism
# is also shown here on a rule the people package has.


@pytest.fixture
def manager_of_target(world, people, client_as):
    """The target employee's own manager: access that depends on the row's data, not a role."""
    boss, user = people.employee_user(roles={Role.MANAGER})
    db.session.get(Employee, world["target_employee"]).manager_id = boss.id
    lines.refresh_all()  # a new manager moves the employee into that manager's line
    return client_as(user)


CONTEXTUAL_ACTORS = ("manager_of_target",)
PROFILE = Case(
    "people.profile",
    "GET",
    "/people/{target_employee}",
    only({"hr": 200}, others=404) | {"manager_of_target": 200},
)
_EVIDENCE = ROWS["POST competencies.record_evidence"]
EVIDENCE = replace(
    _EVIDENCE,
    expect=_EVIDENCE.expect | {"manager_of_target": 302},
    records=_EVIDENCE.records | recorded("competency_evidence.recorded", "manager_of_target"),
)


@pytest.mark.parametrize("case", [PROFILE, EVIDENCE], ids=lambda case: case.key)
def test_a_contextual_column_is_checked_with_the_actor_its_fixture_builds(
    case, app, world, client_for, request
):
    assert row_problems([case], CONTEXTUAL_ACTORS) == []
    client = actor_client("manager_of_target", client_for, request)
    check(app, case, "manager_of_target", world, client)


def test_a_contextual_actor_with_another_outcome_fails_the_row(app, world, client_for, request):
    wrong = replace(PROFILE, expect=PROFILE.expect | {"manager_of_target": 404})
    client = actor_client("manager_of_target", client_for, request)
    with pytest.raises(AssertionError, match="as manager_of_target: 200, expected 404"):
        check(app, wrong, "manager_of_target", world, client)


def test_a_row_may_name_only_columns_a_package_declares():
    row = replace(PROFILE, expect=PROFILE.expect | {"assessor_of_round": 200})
    assert row_problems([row], CONTEXTUAL_ACTORS) == [
        "GET people.profile: column assessor_of_round is not declared by any package's ACTORS"
    ]
    both = [row, replace(row, expect={"hr": 200})]
    assert row_problems(both, (*CONTEXTUAL_ACTORS, "assessor_of_round")) == [
        "GET people.profile: more than one row",
        "GET people.profile: no outcome for anonymous, employee, manager, union_rep, admin",
    ]
