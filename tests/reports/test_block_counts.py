"""A block's periods (a year and its quarters) counted in one pass give, period by period, the
figures each period's own count gives: on a city with moves, separations and re-hires."""

from __future__ import annotations

from datetime import date

import pytest

from academy.models import EnrollmentStatus as E
from civicladder.access import Role
from people import services as people_services
from people.models import EmployeeStatus
from reports import assemble, audit, cells, queries
from reports.disclosure import Cell
from reports.rules import parse_period
from reports.tables import PathFigures
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


RECORDS = ("enrolments", "completions", "training_hours", "grants", "above_evidence")
RECORDS += ("declines", "revocations", "internal_hires")


def test_a_years_counts_of_records_are_the_sum_of_its_quarters_whoever_moved(restless_city, people):
    """What someone did counts where they were that day: the leaver's training while separated,
    the mover's while in the other unit and the shifter's before the move count in no period
    or in the same place in the year as in the quarter, department by department."""
    periods = cells.block_periods(parse_period("2026"))
    scopes = [
        assemble.unit_scope(restless_city.unit),
        assemble.unit_scope(restless_city.other),
        assemble.department_scope(people.department(PARKS).parent),
    ]
    for scope in scopes:
        counted = queries.by_department_in(scope, periods)
        paths = set().union(*(found.keys() for found in counted.values()))
        for path in paths:
            for name in RECORDS:
                year = getattr(counted["2026"].get(path, PathFigures()), name)
                quarters = [
                    getattr(counted[p.code].get(path, PathFigures()), name) for p in periods[1:]
                ]
                assert year == sum(quarters), (scope.code, path, name)
    # The mover's training in Q2 and Q3 (in the other unit then) counts there, not here.
    unit, other = (
        queries.total(queries.by_department_in(s, periods)["2026"], s) for s in scopes[:2]
    )
    both = queries.total(queries.by_department_in(scopes[2], periods)["2026"], scopes[2]).enrolments
    assert unit.enrolments > 0 and other.enrolments > 0 and both > 0


def test_a_restless_years_reports_give_nothing_away_and_add_up(restless_city, on_day, app):
    on_day(date(2027, 1, 20))  # the whole year begun and ended: every quarter live
    for unit in (restless_city.unit, restless_city.other):
        view = audit.reader_view(assemble.unit_scope(unit), 2026)
        assert [c["period"]["code"] for c in view] == ["2026", *(f"2026Q{q}" for q in range(1, 5))]
        assert audit.audit_contents(view, app.config["SMALL_GROUP_MINIMUM"]) == [], unit.code


def test_the_audit_reports_a_relation_that_does_not_hold_in_what_is_shown():
    """The year's figure 15 beside quarters of 3, 3, 3 and 2, all shown: the protection's
    arithmetic (a year is its quarters) is not what readers see, and the audit says so."""
    figure = ("training", cells.ENROLMENTS, "n")
    seen = {cells.key("L1", "2026", *figure): Cell(cells.key("L1", "2026", *figure), 15)}
    for q, value in zip(range(1, 5), (3, 3, 3, 2), strict=True):
        found = cells.key("L1", f"2026Q{q}", *figure)
        seen[found] = Cell(found, value)
    sight = audit.Sight(seen, {"2026": cells.year_relations("L1", "2026")}, [])
    findings = audit.solve_years(sight, 5, ["2026"])
    assert [f.describe() for f in findings] == [
        "L1 2026, training: Enrolments: shown as 15, but the figures it adds up shown sum to 11"
    ]
