"""Reporting lines as materialised paths agree with a walk of the manager links, always."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from people import lines, queries, roster, services
from people.models import Employee
from tests.people.test_roster import roster_csv, roster_row

pytestmark = pytest.mark.usefixtures("app_ctx")


def walked_line(manager_id: int) -> set[int]:
    """Everyone below a manager by following manager_id links (the reference)."""
    line = (
        sa.select(Employee.id.label("id"))
        .where(Employee.manager_id == manager_id)
        .cte("walk", recursive=True)
    )
    line = line.union(sa.select(Employee.id).where(Employee.manager_id == line.c.id))
    return set(db.session.scalars(sa.select(line.c.id)))


def assert_paths_agree_with_the_links() -> None:
    for employee_id in db.session.scalars(sa.select(Employee.id)):
        from_path = set(db.session.scalars(queries.reporting_line_ids(employee_id)))
        assert from_path == walked_line(employee_id), employee_id


def test_a_new_employee_is_placed_under_their_manager(people, make_user):
    hr = make_user({Role.HR})
    top = people.employee()
    middle = services.create_employee(
        hr,
        employee_number="N1",
        first_name="Ana",
        last_name="Diaz",
        department=people.department("Parks"),
        hire_date=top.hire_date,
        manager=top,
    )
    assert middle.line_path == f"/{top.id}/{middle.id}/"
    assert_paths_agree_with_the_links()


def test_a_roster_that_moves_a_whole_team_moves_their_lines(people, make_user):
    hr = make_user({Role.HR})
    same = {"department_path": "Parks", "hire_date": "2020-01-01"}
    rows = [
        roster_row("A1", **same),
        roster_row("B1", **same),
        roster_row("M1", manager_employee_number="A1", **same),
        roster_row("W1", manager_employee_number="M1", **same),
        roster_row("W2", manager_employee_number="M1", **same),
    ]
    services.import_roster(hr, roster_csv(*rows))
    assert_paths_agree_with_the_links()
    rows[2]["manager_employee_number"] = "B1"  # the middle manager and their team move
    services.import_roster(hr, roster_csv(*rows))
    b1 = db.session.scalar(sa.select(Employee).where(Employee.employee_number == "B1"))
    a1 = db.session.scalar(sa.select(Employee).where(Employee.employee_number == "A1"))
    assert len(walked_line(b1.id)) == 3 and walked_line(a1.id) == set()
    assert_paths_agree_with_the_links()


def test_refreshing_writes_only_the_paths_that_changed(people):
    top = people.employee()
    people.employee(manager=top)
    assert lines.refresh_all() == 0
    db.session.execute(sa.update(Employee).values(line_path=None))
    assert lines.refresh_all() == 2
    assert_paths_agree_with_the_links()


def test_a_manager_sees_their_line_and_no_one_else(people, client_as):
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    report = people.employee(manager=boss)
    below = people.employee(manager=report)
    stranger = people.employee()
    client = client_as(boss_user)
    assert client.get(f"/people/{below.id}").status_code == 200
    assert client.get(f"/people/{stranger.id}").status_code == 404
    page = client.get("/people").text
    assert below.last_name in page and stranger.last_name not in page
    assert queries.reporting_line_count(boss.id) == 2
    assert roster  # the roster helpers above build the files


def test_the_loaded_check_and_the_sql_scope_agree_for_every_viewer(people, make_user):
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    middle, middle_user = people.employee_user(roles={Role.MANAGER}, manager=boss)
    below, below_user = people.employee_user(manager=middle)
    prefix_twin = people.employee()  # a line path that shares boss's digits must not match
    db.session.execute(
        sa.update(Employee)
        .where(Employee.id == prefix_twin.id)
        .values(line_path=f"{boss.line_path[:-1]}0/")
    )
    db.session.expire_all()
    queries.forget_own_employee()
    viewers = [
        boss_user,
        middle_user,
        below_user,
        make_user({Role.HR}),
        make_user({Role.UNION_REP}),
    ]
    everyone = list(db.session.scalars(sa.select(Employee)))
    for viewer in viewers:
        condition = queries.scope_condition(viewer)
        in_scope = set(
            db.session.scalars(
                sa.select(Employee.id).where(sa.true() if condition is None else condition)
            )
        )
        loaded = {e.id for e in everyone if queries.may_view(viewer, e)}
        assert loaded == in_scope, viewer.email
    assert queries.may_view(boss_user, below) and not queries.may_view(middle_user, boss)
    assert not queries.may_view(boss_user, prefix_twin)


def test_a_lines_size_is_counted_once_until_a_path_changes(people, make_user, count_queries):
    boss = people.employee()
    people.employee(manager=boss)
    assert queries.reporting_line_count(boss.id) == 1
    with count_queries() as statements:
        assert queries.reporting_line_count(boss.id, boss.line_path) == 1
    assert not [s for s in statements if "count(" in s.lower()]
    # A new hire in the line moves the version in its own transaction: counted again.
    services.create_employee(
        make_user({Role.HR}),
        employee_number="N2",
        first_name="Bo",
        last_name="Lind",
        department=people.department("Parks"),
        hire_date=boss.hire_date,
        manager=boss,
    )
    assert queries.reporting_line_count(boss.id) == 2
