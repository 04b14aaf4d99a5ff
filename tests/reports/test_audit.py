"""flask reports audit, and publishing that runs it: everything a union rep opens, checked
against an attacker's arithmetic on a city built to be awkward."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from academy.models import EnrollmentStatus as E
from civicladder.db import db
from civicladder.errors import Conflict
from people.models import Department
from reports import audit, disclosure, services
from reports.models import ReportSnapshot
from reports.rules import parse_period
from tests.reports.small_city import _session


def run_audit(app, *args):
    return app.test_cli_runner().invoke(args=["reports", "audit", *args])


@pytest.fixture
def awkward_city(people, academy, small_city):
    """Local 300: 13 members over two agencies, a handful of people training in each quarter
    of 2025 and 2026 (some quarters one person, some none), separations among them, and the
    small city's Local 100 beside it."""
    unit = people.bargaining_unit(code="L300", name="Local 300")
    crew = [
        people.employee(
            bargaining_unit=unit,
            department_path="Sanitation > Night" if n % 3 else "Transit > Depot",
            hire_date=date(2024, 1, 15),
        )
        for n in range(13)
    ]
    course = academy.course(hours=4)
    plan = {
        date(2025, 2, 3): crew[:6],
        date(2025, 5, 5): crew[:1],
        date(2025, 11, 4): crew[2:9],
        date(2026, 3, 2): crew[:2],
        date(2026, 4, 20): crew[3:11],
        date(2026, 8, 17): crew[:7],
        date(2026, 10, 12): crew[5:6],
    }
    for day, people_ in plan.items():
        made = _session(academy, course, day)
        made.capacity = 50
        for n, person in enumerate(people_):
            academy.enrollment(made, person, E.COMPLETED if n % 4 else E.FAILED)
    return unit


def test_a_union_reps_reports_hold_no_small_group_anyone_can_work_out(
    app, app_ctx, awkward_city, small_city
):
    for unit in (awkward_city, small_city.unit):
        for code in ("2025", "2026Q1", "2026Q2", "2026Q3"):
            services.publish_unit_report(None, unit, parse_period(code), tell_reps=False)
    for unit in (awkward_city, small_city.unit):
        reader = audit.readers_to_check(unit.code, None)[0]
        assert audit.check(reader) == [], reader.name
    result = run_audit(app, "--unit", "L300")
    assert result.exit_code == 0, result.output
    assert "[1/1] union reps of Local 300: no fault" in result.output
    assert "Checked 1 reader(s) in" in result.output


def only_small_counts(cells, relations, minimum):
    """A protection that suppresses small counts and nothing else, as reports once did."""
    for cell in cells.values():
        cell.small = cell.kind == disclosure.COUNT and disclosure.is_small(cell.value, minimum)
        cell.shown = not (cell.implicit or cell.small)
    return []


def test_the_audit_names_the_cell_and_why_when_the_figures_give_a_group_away(
    app, app_ctx, small_city, monkeypatch
):
    monkeypatch.setattr(disclosure, "protect", only_small_counts)
    result = run_audit(app, "--unit", "L100")
    assert result.exit_code == 1
    assert "union reps of Local 100: " in result.output and "fault(s)" in result.output
    # 20 members and 18 enrolled in 2026Q3: the 2 who did not enrol.
    assert "L100 2026Q3, training: members not enrolled: counts fewer than 5" in result.output


def test_publishing_refuses_a_report_the_audit_finds_fault_with(app_ctx, small_city, monkeypatch):
    monkeypatch.setattr(disclosure, "protect", only_small_counts)
    with pytest.raises(Conflict, match="is not published: .*members not enrolled"):
        services.publish_unit_report(None, small_city.unit, parse_period("2026Q3"))
    assert db.session.scalar(sa.select(sa.func.count(ReportSnapshot.id))) == 0


def test_an_unknown_unit_or_department_is_refused_with_a_message(app, app_ctx, small_city):
    assert "no bargaining unit with the code L999" in run_audit(app, "--unit", "L999").output
    assert "no department number 999999" in run_audit(app, "--department", "999999").output


def test_a_managers_reports_hold_no_small_group_between_a_department_and_those_below(
    app, app_ctx, people, academy
):
    """Water has 2 staff of its own above its two divisions: its figures minus the divisions'
    would tell about those 2, so the audit of its manager must find nothing to work out."""
    staff = [people.employee(department_path="Water", hire_date=date(2025, 1, 6)) for _ in "ab"]
    east = [people.employee(department_path="Water > East", hire_date=date(2025, 1, 6))]
    east += [people.employee(department_path="Water > East") for _ in range(7)]
    west = [people.employee(department_path="Water > West") for _ in range(6)]
    course = academy.course(hours=5)
    for day, group in {
        date(2026, 2, 9): staff + east[:5],
        date(2026, 5, 11): east[2:] + west,
        date(2026, 8, 3): staff[:1] + west[:5],
    }.items():
        made = _session(academy, course, day)
        made.capacity = 50
        for n, person in enumerate(group):
            academy.enrollment(made, person, E.COMPLETED if n % 3 else E.FAILED)
    water = db.session.scalar(sa.select(Department).where(Department.path == "Water"))
    reader = audit.department_reader(water)
    assert len(reader.scopes) == 3 and reader.below
    assert audit.check(reader) == []
    result = run_audit(app, "--department", str(water.id))
    assert result.exit_code == 0, result.output
    assert "[1/1] a manager of Water: no fault" in result.output
