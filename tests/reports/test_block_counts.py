"""A block's periods (a year and its quarters) counted in one pass give, period by period, the
figures each period's own count gives: on a city with moves, separations and re-hires."""

from __future__ import annotations

from datetime import date

import pytest

from academy.models import EnrollmentStatus as E
from civicladder.access import Role
from people import services as people_services
from people.models import EmployeeStatus
from reports import assemble, cells, queries
from reports.rules import parse_period
from tests.reports.small_city import BUILDINGS, PARKS, _session

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def restless_city(small_city, people, academy, competencies, make_user):
    """The small city, then a year of people moving: a separation in Q1 and a re-hire in Q3,
    a move between units in Q2 and back in Q4, a move between departments in Q3, a hire in
    Q2, each with training in the quarters on both sides of the change."""
    hr = make_user({Role.HR})
    course = academy.course(hours=3)
    sessions = {
        q: _session(academy, course, day)
        for q, day in {
            1: date(2026, 2, 10),
            2: date(2026, 5, 12),
            3: date(2026, 8, 20),
            4: date(2026, 11, 3),
        }.items()
    }
    for made in sessions.values():
        made.capacity = 80
    leaver, mover, shifter = small_city.P[4], small_city.B[3], small_city.P[9]
    people.edit(hr, leaver, status=EmployeeStatus.SEPARATED, effective_on=date(2026, 3, 1))
    people.edit(hr, leaver, status=EmployeeStatus.ACTIVE, effective_on=date(2026, 8, 1))
    people.edit(hr, mover, bargaining_unit=small_city.other, effective_on=date(2026, 5, 1))
    people.edit(hr, mover, bargaining_unit=small_city.unit, effective_on=date(2026, 10, 15))
    people.edit(hr, shifter, department=people.department(BUILDINGS), effective_on=date(2026, 9, 1))
    newcomer = people_services.create_employee(
        hr,
        employee_number="NEW26",
        first_name="Nia",
        last_name="New",
        department=people.department(PARKS),
        hire_date=date(2026, 4, 20),
        bargaining_unit=small_city.unit,
    )
    for q, made in sessions.items():
        for n, person in enumerate([leaver, mover, shifter, newcomer, small_city.outsider]):
            if q >= 2 or person is not newcomer:
                academy.enrollment(made, person, E.COMPLETED if (n + q) % 2 else E.FAILED)
    return small_city


def test_a_blocks_periods_counted_in_one_pass_equal_each_periods_own_count(restless_city, people):
    parks_agency = people.department(PARKS).parent
    scopes = [
        assemble.unit_scope(restless_city.unit),
        assemble.unit_scope(restless_city.other),
        assemble.department_scope(parks_agency),
        assemble.department_scope(people.department(BUILDINGS)),
    ]
    periods = cells.block_periods(parse_period("2026"))
    for scope in scopes:
        one_pass = queries.by_department_in(scope, periods)
        assert one_pass == {p.code: queries.by_department(scope, p) for p in periods}, scope
    # Something to compare: the year counts people no single quarter counts.
    unit = scopes[0]
    year = queries.total(queries.by_department_in(unit, periods)["2026"], unit)
    quarters = [queries.figures(unit, p) for p in periods[1:]]
    assert year.members > min(q.members for q in quarters)
    assert all(q.enrolments > 0 for q in quarters)


def test_periods_of_different_years_count_apart_in_one_pass(restless_city):
    unit = assemble.unit_scope(restless_city.unit)
    periods = [parse_period(code) for code in ("2025", "2025Q4", "2026Q1", "2026Q3", "2027Q1")]
    one_pass = queries.by_department_in(unit, periods)
    assert one_pass == {p.code: queries.by_department(unit, p) for p in periods}
