"""Who sees whom: the directory, profiles and home panels are scoped to the reporting line."""

import pytest
import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from people import services
from people.models import Employee


@pytest.fixture
def org(people):
    """boss > mid > worker; and an outsider in another line."""
    unit = people.bargaining_unit(code="L1549", name="Local 1549")
    boss, boss_user = people.employee_user(roles={Role.MANAGER}, last_name="Boss")
    mid, mid_user = people.employee_user(roles={Role.MANAGER}, manager=boss, last_name="Middle")
    worker, worker_user = people.employee_user(
        manager=mid, last_name="Worker", bargaining_unit=unit, department_path="Parks > Forestry"
    )
    outsider = people.employee(last_name="Outsider", department_path="Buildings")
    return locals()


def test_employee_sees_only_their_own_profile(client_as, org):
    client = client_as(org["worker_user"])
    assert client.get(f"/people/{org['worker'].id}").status_code == 200
    assert client.get(f"/people/{org['mid'].id}").status_code == 404
    assert client.get(f"/people/{org['outsider'].id}").status_code == 404


def test_manager_reaches_direct_and_indirect_reports_only(client_as, org):
    client = client_as(org["boss_user"])
    assert client.get(f"/people/{org['mid'].id}").status_code == 200
    assert client.get(f"/people/{org['worker'].id}").status_code == 200
    assert client.get(f"/people/{org['outsider'].id}").status_code == 404


def test_middle_manager_does_not_see_their_own_manager(client_as, org):
    client = client_as(org["mid_user"])
    assert client.get(f"/people/{org['boss'].id}").status_code == 404


def test_manager_directory_lists_only_their_line(client_as, org):
    page = client_as(org["boss_user"]).get("/people").text
    assert "Middle" in page and "Worker" in page
    assert "Outsider" not in page


def test_hr_directory_searches_and_filters(client_as, org):
    client = client_as("hr")
    assert "Outsider" in client.get("/people").text
    by_name = client.get("/people?q=work").text
    assert "Worker" in by_name and "Outsider" not in by_name
    by_number = client.get(f"/people?q={org['outsider'].employee_number}").text
    assert "Outsider" in by_number and "Worker" not in by_number
    unit = org["unit"]
    by_unit = client.get(f"/people?bargaining_unit={unit.id}").text
    assert "Worker" in by_unit and "Middle" not in by_unit


def test_department_filter_includes_the_units_beneath(client_as, org, people):
    parks = people.department("Parks")
    page = client_as("hr").get(f"/people?department={parks.id}").text
    assert "Worker" in page  # Parks > Forestry is under Parks
    assert "Outsider" not in page


def test_department_filter_lists_agencies_and_the_department_in_use(client_as, people):
    forestry = people.department("Parks > Forestry > North Crew")
    people.employee(department_path="Parks > Forestry > North Crew", last_name="Crewmember")
    people.department("Sanitation")
    client = client_as("hr")
    page = client.get("/people").text
    options = page[
        page.index('name="department"') : page.index("</select>", page.index('name="department"'))
    ]
    assert ">Parks</option>" in options and ">Sanitation</option>" in options
    assert "North Crew" not in options  # units are reached from the results, not listed
    assert f'href="/people?department={forestry.id}"' in page
    narrowed = client.get(f"/people?department={forestry.id}").text
    assert "Crewmember" in narrowed
    assert "selected" in narrowed.split("Parks &gt; Forestry &gt; North Crew</option>")[0][-80:]


def test_bad_filter_value_gets_a_message_not_an_error(client_as, org):
    response = client_as("hr").get("/people?department=abc")
    assert response.status_code == 422
    assert "There is a problem" in response.text


def test_directory_is_paginated(client_as, people, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    for n in range(12):
        people.employee(last_name=f"Paged{n:02d}")
    client = client_as("hr")
    first = client.get("/people?q=paged").text
    assert "Paged00" in first and "Paged05" not in first
    assert "12 in all, page 1 of 3" in first
    third = client.get("/people?q=paged&page=3").text
    assert "Paged10" in third and "Paged11" in third


def test_manager_home_shows_team(client_as, org):
    page = client_as(org["boss_user"]).get("/").text
    assert "Your team" in page
    assert "1 direct report, 2 people in your reporting line in all (you are not counted)" in page


def test_union_rep_home_lists_units_and_links_to_their_reports(client_as, org, people):
    rep = people.union_rep(org["unit"])
    page = client_as(rep).get("/").text
    assert "Local 1549" in page and "fewer than 5</strong> active members" in page
    unit_id = org["unit"].id
    assert f'href="/reports/units/{unit_id}"' in page


def _grow(people, boss, n):
    for _ in range(n):
        people.employee(manager=boss)


def test_directory_query_count_does_not_grow_with_people(client_as, people, count_queries):
    client = client_as("hr")
    counts = []
    for extra in (2, 20):
        _grow(people, None, extra)
        with count_queries() as statements:
            assert client.get("/people").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_manager_home_query_count_does_not_grow_with_team(
    client_as, people, competencies, count_queries
):
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    skill = competencies.competency()
    client = client_as(boss_user)
    counts = []
    for extra in (2, 20):
        for _ in range(extra):
            report = people.employee(manager=boss)
            competencies.evidence(report, skill, 3)
        competencies.evidence(boss, skill, extra % 5 + 1)
        with count_queries() as statements:
            assert client.get("/").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_profile_query_count_does_not_grow_with_evidence(
    client_as, people, competencies, count_queries
):
    person = people.employee()
    client = client_as("hr")
    counts = []
    for extra in (1, 15):
        for level in range(extra):
            competencies.evidence(person, competencies.competency(), level % 5 + 1)
        with count_queries() as statements:
            assert client.get(f"/people/{person.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_unfiltered_list_says_its_length_without_counting_it_each_time(
    client_as, people, app, monkeypatch, count_queries, make_user
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    for _ in range(6):
        people.employee(manager=boss)
    people.employee()  # outside the line
    hr = client_as("hr")
    everyone = db.session.scalar(sa.select(sa.func.count()).select_from(Employee))
    assert f"{everyone} in all, page 1 of 2" in hr.get("/people").text
    with count_queries() as statements:
        page = hr.get("/people?page=2").text
    assert f"{everyone} in all, page 2 of 2" in page
    assert not [s for s in statements if "count(" in s.lower()]
    manager = client_as(boss_user)
    assert "6 in all, page 1 of 2" in manager.get("/people").text
    # A new hire moves the kept sizes in its own transaction; a filter counts its matches.
    services.create_employee(
        make_user({Role.HR}),
        employee_number="N-7",
        first_name="Ana",
        last_name="Diaz",
        department=people.department("Parks"),
        hire_date=boss.hire_date,
        manager=boss,
    )
    assert "7 in all, page 1 of 2" in manager.get("/people").text
    assert f"{everyone + 1} in all" in hr.get("/people").text
    assert "1 in all" in manager.get("/people?q=Diaz").text
