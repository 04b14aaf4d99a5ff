"""People tells the packages above it who was separated or moved, inside the same transaction."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from civicladder import audit
from civicladder.access import Role
from people import roster, services, signals
from people.models import EmployeeStatus
from tests.people.test_roster import audit_actions, roster_csv, roster_row

pytestmark = pytest.mark.usefixtures("app_ctx")


@contextmanager
def received(signal):
    calls: list[tuple] = []

    def receiver(sender, **kwargs):
        calls.append((sender, kwargs))

    signal.connect(receiver)
    try:
        yield calls
    finally:
        signal.disconnect(receiver)


SAME = {"department_path": "Parks", "hire_date": "2020-01-01"}


def test_a_roster_import_announces_separations_and_moves_once_each(make_user, people):
    hr = make_user({Role.HR})
    boss = people.employee(employee_number="B1", email="b1@parks.example.gov")
    leaver = people.employee(employee_number="L1", email="l1@parks.example.gov")
    mover = people.employee(employee_number="M1", email="m1@parks.example.gov")
    stayer = people.employee(employee_number="S1", email="s1@parks.example.gov")
    rows = [
        roster_row("B1", first_name=boss.first_name, last_name=boss.last_name, **SAME),
        roster_row("L1", first_name=leaver.first_name, last_name=leaver.last_name, **SAME),
        roster_row("M1", first_name=mover.first_name, last_name=mover.last_name, **SAME),
        roster_row("S1", first_name=stayer.first_name, last_name=stayer.last_name, **SAME),
    ]
    rows[0]["email"], rows[1]["email"] = boss.email, leaver.email
    rows[2]["email"], rows[3]["email"] = mover.email, stayer.email
    rows[1]["status"] = "separated"
    rows[2]["manager_employee_number"] = "B1"
    for row in (rows[0], rows[2], rows[3]):
        row["status"] = "active"
    with (
        received(signals.employee_separated) as separated,
        received(signals.employee_moved) as moved,
    ):
        services.import_roster(hr, roster_csv(*rows, columns=roster.COLUMNS))
    assert separated == [(hr, {"employee_ids": [leaver.id]})]
    assert moved == [(hr, {"employee_ids": [mover.id]})]
    assert leaver.status == EmployeeStatus.SEPARATED


def test_a_receiver_writes_in_the_same_transaction_as_the_change(make_user, people, _transaction):
    """A reaction is rolled back with its cause: a receiver never commits on its own."""
    hr = make_user({Role.HR})
    leaver = people.employee(employee_number="L2", email="l2@parks.example.gov")
    row = roster_row("L2", first_name=leaver.first_name, last_name=leaver.last_name, **SAME)
    row.update(email=leaver.email, status="separated")

    def react(sender, employee_ids):
        audit.record(sender, "test.reacted_to_separation", None, after={"ids": employee_ids})

    signals.employee_separated.connect(react)
    try:
        savepoint = _transaction.begin_nested()
        services.import_roster(hr, roster_csv(row, columns=roster.COLUMNS))
        assert audit_actions("test.reacted") == ["test.reacted_to_separation"]
        savepoint.rollback()
    finally:
        signals.employee_separated.disconnect(react)
    assert audit_actions("test.reacted") == []
    _transaction.refresh(leaver)
    assert leaver.status == EmployeeStatus.ACTIVE
