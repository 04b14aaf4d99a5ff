"""Large roster imports: written set by set, still whole or not at all, still fully audited."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from civicladder import caching
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Invalid
from civicladder.models import AuditEvent
from people import lines, roster, services
from people.models import Department, Employee
from tests.people.test_roster import roster_csv, roster_row

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def hr(make_user):
    return make_user({Role.HR})


def wide_roster(size: int, prefix: str = "B", email_domain: str = "parks.example.gov") -> bytes:
    """`size` new employees in teams of ten, each team's lead listed after the team."""
    rows = []
    for n in range(size):
        lead = n - n % 10 + 9
        manager = f"{prefix}{lead}" if n != lead and lead < size else ""
        rows.append(
            roster_row(
                f"{prefix}{n}",
                email=f"{prefix.lower()}{n}@{email_domain}",
                manager_employee_number=manager,
                department_path=f"Parks > Team {n // 10}",
            )
        )
    return roster_csv(*rows)


@contextmanager
def orm_objects():
    """The ORM objects a block inserts or loads, by class name."""
    seen: Counter = Counter()

    def inserted(session, instance):
        seen[type(instance).__name__] += 1

    def loaded(session, instance):
        seen[type(instance).__name__] += 1

    event.listen(Session, "pending_to_persistent", inserted)
    event.listen(Session, "loaded_as_persistent", loaded)
    try:
        yield seen
    finally:
        event.remove(Session, "pending_to_persistent", inserted)
        event.remove(Session, "loaded_as_persistent", loaded)


def test_an_import_makes_no_object_per_row(hr, people):
    for n in range(5):
        people.employee(employee_number=f"B{n}")
    with orm_objects() as seen:
        plan = services.import_roster(hr, wide_roster(60))
    assert (len(plan.creates), len(plan.updates)) == (55, 5)
    assert seen["Employee"] == 0 and seen["Department"] == 0
    assert seen["AuditEvent"] == 1  # the summary
    assert db.session.scalar(sa.select(sa.func.count(Employee.id))) == 60


def test_the_write_runs_the_same_number_of_statements_for_20_and_200_rows(
    hr, people, count_queries
):
    people.department("Parks")
    caching.bump(lines.LINES)  # the lines' version row exists: the first import updates it too
    counts = []
    for size, prefix in ((20, "S"), (200, "L")):
        plan = roster.plan_import(wide_roster(size, prefix))
        assert hr.has_role(Role.HR)  # loaded before counting
        with count_queries() as statements:
            services.import_roster(
                hr, wide_roster(size, prefix), expected_fingerprint=plan.fingerprint
            )
        counts.append(statements[:])
    assert len(counts[0]) == len(counts[1]), "\n\n".join("\n".join(c) for c in counts)


def test_a_large_import_wires_every_manager_and_audits_every_employee(hr, people):
    progress = []
    data = wide_roster(6000)
    plan = services.import_roster(hr, data, on_progress=progress.append)
    assert len(plan.creates) == 6000 and sum(progress) == 6000
    lead_of = dict(
        db.session.execute(
            sa.select(Employee.employee_number, Employee.manager_id).where(
                Employee.employee_number.in_(["B0", "B5998", "B9"])
            )
        ).all()
    )
    ids = dict(db.session.execute(sa.select(Employee.employee_number, Employee.id)).all())
    assert lead_of == {"B0": ids["B9"], "B5998": ids["B5999"], "B9": None}
    events = db.session.execute(
        sa.select(AuditEvent.action, sa.func.count()).group_by(AuditEvent.action)
    ).all()
    assert dict(events) == {
        "department.created": 601,
        "employee.created": 6000,
        "roster.imported": 1,
    }
    one = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "employee.created", AuditEvent.object_id == str(ids["B0"])
        )
    )
    assert one.object_type == "Employee" and one.reason == "Roster import"
    assert one.object_label == "Ana Doe B0 (B0)"
    assert one.after["manager_id"] == ids["B9"] and one.after["hire_date"] == "2020-01-15"
    assert one.after["status"] == "active" and one.actor_id == hr.id


def test_a_large_update_changes_and_audits_only_what_changed(hr, people):
    services.import_roster(hr, wide_roster(300))
    moved = wide_roster(300, email_domain="city.example.gov")
    plan = services.import_roster(hr, moved)
    assert len(plan.updates) == 300
    emails = db.session.scalars(sa.select(Employee.email).where(Employee.email.like("%@city.%")))
    assert len(list(emails)) == 300
    updates = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "employee.updated")
    ).all()
    assert len(updates) == 300
    assert {tuple(event.after) for event in updates} == {("email",)}


def test_a_clash_found_while_writing_is_a_conflict_and_keeps_nothing(hr, people, _transaction):
    data = wide_roster(30)
    plan = roster.plan_import(data)
    # Someone takes an address from the file between the check and the write.
    people.employee(employee_number="Z1", email="b7@parks.example.gov")
    employees_before = db.session.scalar(sa.select(sa.func.count(Employee.id)))
    with pytest.raises(sa.exc.IntegrityError), _transaction.begin_nested():
        from people.roster import services as roster_writes

        roster_writes.write_plan(hr, plan)
    assert db.session.scalar(sa.select(sa.func.count(Employee.id))) == employees_before
    assert db.session.scalar(sa.select(sa.func.count(Department.id))) == 1  # Z1's own


# --- a plan of any size ----------------------------------------------------------------------


def test_a_plan_counts_every_change_and_keeps_only_the_first(monkeypatch, people):
    monkeypatch.setattr("people.roster.queries.CHANGES_KEPT", 3)
    people.employee(employee_number="B4", email="b4@parks.example.gov")
    plan = roster.plan_import(wide_roster(10))
    assert (len(plan.creates), len(plan.updates), plan.change_count) == (9, 1, 10)
    assert [c.employee_number for c in plan.creates.first] == ["B0", "B1", "B2"]
    assert [c.line for c in plan.first_changes(4)] == [2, 3, 4, 6]
    assert (
        plan.first_changes(4)[3].before["department"]
        != plan.first_changes(4)[3].after["department"]
    )
    assert plan.updates[0].employee_number == "B4"  # all of them kept: readable as a list
    with pytest.raises(ValueError, match="Only the first 3 of 9 changes are kept"):
        list(plan.creates)


def test_the_fingerprint_covers_changes_beyond_the_kept_ones(monkeypatch):
    monkeypatch.setattr("people.roster.queries.CHANGES_KEPT", 1)
    rows = [roster_row("E1"), roster_row("E2")]
    first = roster.plan_import(roster_csv(*rows)).fingerprint
    rows[1]["first_name"] = "Bea"
    assert roster.plan_import(roster_csv(*rows)).fingerprint != first


def test_a_file_that_breaks_half_way_is_refused_and_the_transaction_goes_on(people):
    people.employee(employee_number="X1")
    long_name = "A" * 200_000  # past the CSV reader's field limit
    data = roster_csv(*(roster_row(f"E{n}") for n in range(20))) + (
        f'E99,"{long_name}",Doe,e99@parks.example.gov,Parks,,,,2020-01-15\n'.encode()
    )
    with pytest.raises(Invalid, match="Line 22 could not be read as CSV"):
        roster.plan_import(data)
    # The staged rows went with the error; the session still reads and plans.
    assert db.session.scalar(sa.select(sa.func.count(Employee.id))) == 1
    assert roster.plan_import(roster_csv(roster_row("E1"))).ok


def test_a_plan_whose_file_is_no_longer_staged_is_made_again(hr, people):
    first = roster_csv(roster_row("E1"), roster_row("E2", manager_employee_number="E1"))
    plan = roster.plan_import(first)
    roster.plan_import(roster_csv(roster_row("E9")))  # stages another file in its place
    done = services.import_roster(hr, first, plan=plan)
    assert done is not plan and len(done.creates) == 2
    numbers = db.session.scalars(sa.select(Employee.employee_number).order_by(Employee.id))
    assert list(numbers) == ["E1", "E2"]


def test_new_employees_take_ids_past_the_existing_ones_and_keep_their_lines(hr, people):
    boss = people.employee(employee_number="X1", email="x1@parks.example.gov")
    services.import_roster(
        hr,
        roster_csv(
            roster_row("X1", email="x1@parks.example.gov", manager_employee_number="N2"),
            roster_row("N1", manager_employee_number="X1"),
            roster_row("N2"),
        ),
    )
    ids = dict(db.session.execute(sa.select(Employee.employee_number, Employee.id)).all())
    assert min(ids["N1"], ids["N2"]) > boss.id
    paths = dict(db.session.execute(sa.select(Employee.employee_number, Employee.line_path)).all())
    assert paths["N1"] == f"/{ids['N2']}/{ids['X1']}/{ids['N1']}/"
    # Adding someone after the import draws the next free id.
    later = people.employee(employee_number="L1", email="l1@parks.example.gov")
    assert later.id > max(ids.values())


def test_a_first_import_writes_each_new_employees_line_as_it_creates_them(hr, people, monkeypatch):
    from people import lines

    boss = people.employee(employee_number="X1", email="x1@parks.example.gov")
    corrected = []
    real_refresh = lines.refresh_all
    monkeypatch.setattr(lines, "refresh_all", lambda: corrected.append(real_refresh()))
    rows = [roster_row("N3", manager_employee_number="N2"), roster_row("N1")]
    rows += [roster_row("N2", manager_employee_number="X1"), roster_row("N4")]
    services.import_roster(hr, roster_csv(*rows, *(roster_row(f"B{n}") for n in range(3))))
    assert corrected == [0]  # the paths written with the employees were already right
    ids = dict(db.session.execute(sa.select(Employee.employee_number, Employee.id)).all())
    paths = dict(db.session.execute(sa.select(Employee.employee_number, Employee.line_path)).all())
    assert paths["N3"] == f"{boss.line_path}{ids['N2']}/{ids['N3']}/"
    assert paths["N1"] == f"/{ids['N1']}/"
