"""Reports count the people who were members in the period, by the membership history: a
recount of a past period after a separation or a move counts what it counted before."""

from __future__ import annotations

from datetime import date

import pytest

from civicladder.access import Role
from people import services as people_services
from reports import assemble, queries
from reports.rules import parse_period
from reports.tables import DEPARTMENT, Scope
from tests.reports.small_city import BUILDINGS, PARKS

Q3, Q4 = parse_period("2026Q3"), parse_period("2026Q4")

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def hr(make_user):
    return make_user({Role.HR})


def test_a_member_who_separated_after_the_period_still_counts_in_it(small_city, hr, on_day, people):
    before = queries.unit_figures(small_city.unit.id, Q3)
    on_day(date(2026, 11, 2))
    people.edit(hr, small_city.P[1], status=people_services.EmployeeStatus.SEPARATED)
    after = queries.unit_figures(small_city.unit.id, Q3)
    assert after == before and after.members == 20
    # A member for a month of Q4, and no longer in the quarter after.
    assert queries.unit_figures(small_city.unit.id, Q4).members == 20
    assert queries.unit_figures(small_city.unit.id, parse_period("2027Q1")).members == 19


def test_a_recount_of_a_published_period_after_a_separation_and_a_move_is_unchanged(
    small_city, hr, on_day, people
):
    first_count = assemble.unit_report(small_city.unit, Q3)
    on_day(date(2026, 10, 20))
    people.edit(hr, small_city.P[2], status=people_services.EmployeeStatus.SEPARATED)
    people.edit(
        hr,
        small_city.B[1],
        bargaining_unit=small_city.other,
        department=people.department(PARKS),
    )
    assert assemble.unit_report(small_city.unit, Q3) == first_count


def test_someone_hired_after_the_period_is_not_counted_in_it(small_city, hr, people):
    people_services.create_employee(
        hr,
        employee_number="LATE1",
        first_name="Lou",
        last_name="Later",
        department=people.department(PARKS),
        hire_date=date(2026, 10, 5),
        bargaining_unit=small_city.unit,
    )
    assert queries.unit_figures(small_city.unit.id, Q3).members == 20
    assert queries.unit_figures(small_city.unit.id, Q4).members == 21


def test_someone_separated_before_the_period_is_not_counted_in_it(small_city, hr, people):
    people.edit(
        hr,
        small_city.P[14],
        status=people_services.EmployeeStatus.SEPARATED,
        effective_on=date(2026, 6, 30),
    )
    raw = queries.unit_figures(small_city.unit.id, Q3)
    assert raw.members == 19 and raw.departments["Parks"].members == 13


def test_a_mover_counts_in_both_units_for_the_quarter_they_moved_in(small_city, hr, people):
    outsider = small_city.outsider
    people.edit(hr, outsider, bargaining_unit=small_city.unit, effective_on=date(2026, 8, 15))
    assert queries.unit_figures(small_city.unit.id, Q3).members == 21
    assert queries.unit_figures(small_city.other.id, Q3).members == 1
    assert queries.unit_figures(small_city.other.id, Q4).members == 0
    assert queries.unit_figures(small_city.unit.id, Q4).members == 21


def test_a_move_within_the_scope_counts_once_in_the_department_held_last(small_city, hr, people):
    people.edit(
        hr,
        small_city.P[3],
        department=people.department(BUILDINGS),
        effective_on=date(2026, 9, 1),
    )
    raw = queries.unit_figures(small_city.unit.id, Q3)
    assert raw.members == 20
    assert (raw.departments["Parks"].members, raw.departments["Buildings"].members) == (13, 7)


def test_a_department_report_counts_who_was_in_it_during_the_period(small_city, hr, people):
    parks = people.department(PARKS)
    scope = Scope(DEPARTMENT, parks.id, name=parks.name, path=parks.path)
    before = queries.figures(scope, Q3).members
    people.edit(
        hr,
        small_city.B[2],
        department=parks,
        effective_on=date(2026, 12, 1),
    )
    assert queries.figures(scope, Q3).members == before
    assert queries.figures(scope, Q4).members == before + 1
