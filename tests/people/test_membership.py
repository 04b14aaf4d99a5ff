"""Membership history: every path that changes a person's unit, department or status dates it."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from people import membership, services
from people.models import Employee, EmployeeStatus, Membership
from tests.people.test_roster import roster_csv, roster_row

pytestmark = pytest.mark.usefixtures("app_ctx")

ACTIVE, LEAVE, SEPARATED = EmployeeStatus.ACTIVE, EmployeeStatus.LEAVE, EmployeeStatus.SEPARATED


@pytest.fixture
def hr(make_user):
    return make_user({Role.HR})


def rows_of(employee_id: int) -> list[tuple]:
    """(unit id, department id, status, started, ended) for each row, oldest first."""
    return [
        (m.bargaining_unit_id, m.department_id, m.status, m.started_on, m.ended_on)
        for m in membership.history_of(employee_id)
    ]


def test_a_new_employee_is_a_member_from_their_hire_date(hr, people):
    parks, unit = people.department("Parks"), people.bargaining_unit()
    person = services.create_employee(
        hr,
        employee_number="N1",
        first_name="Ada",
        last_name="Ortiz",
        department=parks,
        hire_date=date(2024, 3, 4),
        bargaining_unit=unit,
    )
    assert rows_of(person.id) == [(unit.id, parks.id, ACTIVE, date(2024, 3, 4), None)]


def test_a_move_then_a_separation_then_a_rehire_leave_one_dated_row_each(hr, people, on_day):
    forestry, nursery = people.department("Parks > Forestry"), people.department("Parks > Nursery")
    first, second = people.bargaining_unit(), people.bargaining_unit()
    person = people.employee(department_path=forestry.path, bargaining_unit=first)

    on_day(date(2026, 2, 10))
    people.edit(hr, person, department=nursery, bargaining_unit=second)
    on_day(date(2026, 5, 1))
    people.edit(hr, person, status=SEPARATED)
    on_day(date(2026, 9, 15))
    people.edit(hr, person, status=ACTIVE)

    assert rows_of(person.id) == [
        (first.id, forestry.id, ACTIVE, date(2020, 1, 1), date(2026, 2, 9)),
        (second.id, nursery.id, ACTIVE, date(2026, 2, 10), date(2026, 4, 30)),
        (second.id, nursery.id, SEPARATED, date(2026, 5, 1), date(2026, 9, 14)),
        (second.id, nursery.id, ACTIVE, date(2026, 9, 15), None),
    ]


def test_two_changes_on_one_day_leave_one_row_for_that_day(hr, people, on_day):
    person = people.employee(department_path="Parks")
    nursery = people.department("Parks > Nursery")
    on_day(date(2026, 3, 1))
    people.edit(hr, person, status=LEAVE)
    people.edit(hr, person, department=nursery)
    history = rows_of(person.id)
    assert [row[2:] for row in history] == [
        (ACTIVE, date(2020, 1, 1), date(2026, 2, 28)),
        (LEAVE, date(2026, 3, 1), None),
    ]
    assert history[-1][1] == nursery.id


def test_a_change_of_manager_alone_leaves_the_history_as_it_was(hr, people, on_day):
    boss, person = people.employee(), people.employee()
    on_day(date(2026, 3, 1))
    people.edit(hr, person, manager=boss)
    assert len(rows_of(person.id)) == 1


def test_a_change_can_be_dated_in_the_past(hr, people):
    person = people.employee()
    people.edit(hr, person, status=SEPARATED, effective_on=date(2025, 6, 30))
    assert [row[2:] for row in rows_of(person.id)] == [
        (ACTIVE, date(2020, 1, 1), date(2025, 6, 29)),
        (SEPARATED, date(2025, 6, 30), None),
    ]


def test_each_employee_has_one_open_row_at_most(people, _transaction):
    person = people.employee()
    open_row = membership.history_of(person.id)[0]
    with pytest.raises(sa.exc.IntegrityError), _transaction.begin_nested():
        db.session.add(
            Membership(
                employee_id=person.id,
                department_id=open_row.department_id,
                status=ACTIVE,
                started_on=date(2026, 1, 1),
            )
        )
        db.session.flush()


def test_the_roster_import_writes_the_history_of_whom_it_creates_moves_and_separates(
    hr, people, on_day
):
    on_day(date(2026, 1, 5))
    rows = [roster_row("R1"), roster_row("R2"), roster_row("R3")]
    services.import_roster(hr, roster_csv(*rows))
    ids = dict(db.session.execute(sa.select(Employee.employee_number, Employee.id)).all())
    forestry = rows_of(ids["R1"])[0][1]
    assert all(rows_of(ids[n]) == [(None, forestry, ACTIVE, date(2020, 1, 15), None)] for n in ids)

    on_day(date(2026, 4, 20))
    rows[0]["department_path"] = "Parks > Recreation"
    rows[1]["status"] = "separated"
    rows[2]["status"] = "active"
    columns = (*rows[0].keys(), "status")
    rows[0]["status"] = "active"
    services.import_roster(hr, roster_csv(*rows, columns=columns))

    moved, separated, same = rows_of(ids["R1"]), rows_of(ids["R2"]), rows_of(ids["R3"])
    assert [row[3:] for row in moved] == [
        (date(2020, 1, 15), date(2026, 4, 19)),
        (date(2026, 4, 20), None),
    ]
    assert moved[1][1] != forestry
    assert [(row[2], row[3]) for row in separated] == [
        (ACTIVE, date(2020, 1, 15)),
        (SEPARATED, date(2026, 4, 20)),
    ]
    assert same == [(None, forestry, ACTIVE, date(2020, 1, 15), None)]


def test_a_large_import_writes_everyones_history_without_an_object_per_row(hr, people):
    from tests.people.test_roster_bulk import orm_objects, wide_roster

    with orm_objects() as seen:
        services.import_roster(hr, wide_roster(300))
    assert seen["Membership"] == 0 and seen["Employee"] == 0
    open_rows = sa.select(sa.func.count()).where(Membership.ended_on.is_(None))
    assert db.session.scalar(open_rows) == 300
