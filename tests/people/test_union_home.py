"""A union representative's home: their units in aggregate, small groups never counted exactly."""

import re

from people import figures


def test_breakdown_folds_small_groups_into_one_row():
    rows = [("Clerk", 12), ("Driver", 2), ("Inspector", 3), ("Nurse", 5)]
    shown = figures.breakdown(rows, 5, "Other")
    assert [(f.label, f.shown) for f in shown] == [("Clerk", "12"), ("Nurse", "5"), ("Other", "5")]
    tiny = figures.breakdown([("Clerk", 9), ("Driver", 1)], 5, "Other")
    assert [(f.label, f.shown) for f in tiny] == [("Clerk", "9"), ("Other", "fewer than 5")]


def test_cells_hide_a_second_cell_when_only_one_is_small():
    shown = figures.cells([("low", 3), ("mid", 7), ("high", 20), ("none", 0)], 5)
    assert [f.shown for f in shown] == ["fewer than 5", "not shown", "20", "0"]
    two_small = figures.cells([("low", 3), ("mid", 2), ("high", 20)], 5)
    assert [f.shown for f in two_small] == ["fewer than 5", "fewer than 5", "20"]


def test_union_rep_home_shows_aggregates_and_no_individual(client_as, people, competencies):
    unit = people.bargaining_unit(code="L1549", name="Local 1549")
    clerk = competencies.job_profile([], title="Clerk")
    driver = competencies.job_profile([], title="Driver")
    skill = competencies.competency()
    for n in range(11):
        person = people.employee(bargaining_unit=unit, job_profile=clerk, last_name=f"Clerk{n}")
        competencies.evidence(person, skill, 3 if n < 6 else 5)
    people.employee(bargaining_unit=unit, job_profile=driver, last_name="Solo")
    rep = people.union_rep(unit)
    page = client_as(rep).get("/").text
    assert "As of " in page
    assert "<strong>12</strong> active members" in page
    assert (
        '<th scope="row" data-label="Job profile">Clerk</th><td data-label="Members">11</td>'
        in page
    )
    assert 'Other job profiles, together</th><td data-label="Members">fewer than 5' in page
    assert "Driver" not in page and "Solo" not in page and "Clerk0" not in page
    assert not re.search(r'href="/people/\d+"', page)
    assert '3 Practitioner</th><td data-label="Members">6' in page


def test_union_rep_home_query_count_does_not_grow_with_members(
    client_as, people, competencies, count_queries
):
    unit = people.bargaining_unit()
    job = competencies.job_profile([])
    skill = competencies.competency()
    client = client_as(people.union_rep(unit))
    counts = []
    for extra in (2, 12):
        for _ in range(extra):
            person = people.employee(bargaining_unit=unit, job_profile=job)
            competencies.evidence(person, skill, 2)
        with count_queries() as statements:
            assert client.get("/").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_a_unit_of_fewer_than_five_gets_no_breakdown_at_all(client_as, people, competencies):
    unit = people.bargaining_unit(name="Tiny Local")
    skill = competencies.competency()
    for n in range(3):
        competencies.evidence(people.employee(bargaining_unit=unit), skill, 2 + n)
    page = client_as(people.union_rep(unit)).get("/").text
    assert page.count("The unit is too small for a breakdown.") == 2
    assert "by highest competency level" not in page
