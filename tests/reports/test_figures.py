"""A unit's report figures against a small city where every number is known."""

from __future__ import annotations

import pytest

from reports import assemble, queries
from reports.rules import parse_period

Q3 = parse_period("2026Q3")


def table(content, key):
    for section in content["sections"]:
        for found in section["tables"]:
            if found["key"] == key:
                return found
    raise AssertionError(f"no table {key}")


def shown(content, key) -> dict[str, list[str]]:
    return {row["label"]: [c["shown"] for c in row["cells"]] for row in table(content, key)["rows"]}


def test_raw_figures_of_the_small_city(app_ctx, small_city):
    raw = queries.unit_figures(small_city.unit.id, Q3)
    assert raw.members == 20
    assert (raw.enrolments, raw.completions) == (23, 16)
    assert (raw.enrolled_people, raw.completed_people, raw.training_hours) == (18, 11, 81)
    assert raw.gains == [("Customer service", 2, 2), ("Safety", 7, 8)]
    assert raw.distribution == [
        ("Field: level 1, Level 1", 8),
        ("Field: level 2, Level 2", 3),
        ("No autonomy level held", 9),
    ]
    assert (raw.grants, raw.above_evidence, raw.declines, raw.revocations) == (5, 1, 1, 1)
    assert raw.internal_hires == 2
    parks, buildings = raw.departments["Parks"], raw.departments["Buildings"]
    assert (parks.members, parks.enrolled_people, parks.completed_people) == (14, 12, 6)
    assert (buildings.members, buildings.enrolled_people, buildings.completed_people) == (6, 6, 5)


def test_the_report_shows_the_small_city_with_small_groups_protected(app_ctx, small_city):
    content = assemble.unit_report(small_city.unit, Q3)
    assert content["scope"]["name"] == "Local 100" and content["minimum"] == 5
    assert content["period"] == {
        "code": "2026Q3",
        "label": "Q3 2026 (1 July to 30 September 2026)",
        "start": "2026-07-01",
        "end": "2026-09-30",
    }
    assert shown(content, "headcount") == {"Members (active or on leave)": ["20"]}
    # The year's 24 enrolments, 17 completions and 87 hours are shown, and the second
    # quarter's are fewer than 5: this quarter's own are hidden, or the year minus this
    # quarter would give the second quarter's away. 20 members and 18 enrolled would tell 2
    # did not enrol, so the people enrolled are hidden too.
    assert shown(content, "training") == {
        "Enrolments": ["not shown"],
        "Completions": ["not shown"],
        "Completion rate": ["not shown"],
        "People enrolled": ["not shown"],
        "People who completed": ["11"],
        "Training hours completed": ["not shown"],
    }
    # Safety's 8 levels would give Customer service's away from the trend's 10 in all.
    assert shown(content, "gains") == {
        "Customer service": ["fewer than 5", "fewer than 5"],
        "Safety": ["7", "not shown"],
    }
    # Level 2's 3 would follow from the headcount minus the others, so level 1 is hidden too.
    assert shown(content, "distribution") == {
        "Field: level 1, Level 1": ["not shown"],
        "Field: level 2, Level 2": ["fewer than 5"],
        "No autonomy level held": ["9"],
    }
    # The year's 6 levels granted minus this quarter's 5 would give the fourth quarter's 1.
    assert [cells[0] for cells in shown(content, "autonomy_events").values()] == [
        "not shown",
        "fewer than 5",
        "fewer than 5",
        "fewer than 5",
    ]
    assert shown(content, "hires") == {"Internal hires": ["fewer than 5"]}
    # Parks: 14 members and 12 enrolled would tell 2 did not; Buildings: 6 enrolled and 5
    # completed would tell 1 did not; so Parks' people enrolled and Buildings' completed are
    # hidden, and Parks' completed with them (the total of 11 would give Buildings' away).
    assert shown(content, "departments") == {
        "Buildings": ["6", "6", "not shown"],
        "Parks": ["14", "not shown", "not shown"],
    }


def test_the_trend_sets_the_period_against_the_three_before(app_ctx, small_city):
    content = assemble.unit_report(small_city.unit, Q3)
    assert table(content, "trend")["columns"][1:] == [
        "Completions",
        "Enrolments",
        "Completion rate",
        "Competency levels gained",
        "Levels granted",
        "Internal hires",
    ]
    few = "fewer than 5"
    hidden = "not shown"
    # Each period's figures as its own report shows them: this quarter's training and grants
    # are hidden there (see above), so they are here too.
    assert shown(content, "trend") == {
        "2025Q4": ["0", "0", "none enrolled", "0", "0", "0"],
        "2026Q1": ["0", "0", "none enrolled", "0", "0", "0"],
        "2026Q2": [few, few, hidden, "0", "0", "0"],
        "2026Q3": [hidden, hidden, hidden, "10", hidden, few],
    }
    year = assemble.unit_report(small_city.unit, parse_period("2026"))
    assert shown(year, "training")["Enrolments"] == ["24"]
    assert shown(year, "trend")["2026"][:2] == ["17", "24"]


def test_no_exact_value_of_a_protected_cell_is_kept_in_the_content(app_ctx, small_city):
    content = assemble.unit_report(small_city.unit, Q3)
    for section in content["sections"]:
        for found in section["tables"]:
            for row in found["rows"]:
                for c in row["cells"]:
                    if c["shown"] in ("fewer than 5", "not shown"):
                        assert c["value"] is None, (found["key"], row["label"])


def test_the_minimum_is_configurable(app, app_ctx, small_city, monkeypatch):
    monkeypatch.setitem(app.config, "SMALL_GROUP_MINIMUM", 3)
    content = assemble.unit_report(small_city.unit, Q3)
    assert content["minimum"] == 3
    assert shown(content, "hires") == {"Internal hires": ["fewer than 3"]}
    assert shown(content, "distribution")["Field: level 2, Level 2"] == ["3"]


def test_another_period_counts_what_happened_in_it(app_ctx, small_city):
    raw = queries.unit_figures(small_city.unit.id, parse_period("2026Q2"))
    assert (raw.enrolments, raw.completions, raw.training_hours) == (1, 1, 6)
    assert raw.internal_hires == 0 and raw.grants == 0


@pytest.mark.parametrize("size", [3, 30])
def test_the_figures_take_the_same_queries_whatever_the_unit_size(
    app_ctx, size, people, competencies, academy, autonomy, assert_max_queries
):
    unit = people.bargaining_unit()
    course = academy.course()
    session = academy.session(course, days=-1, capacity=100)
    skill = competencies.competency()
    track = autonomy.track(levels=[{}, {}])
    for n in range(size):
        person = people.employee(bargaining_unit=unit, department_path=f"Agency {n % 4} > Unit")
        academy.enrollment(session, person)
        competencies.evidence(person, skill, 3, observed_on=session.starts_at.date())
        autonomy.grant(person, track.levels[n % 2], effective_on=session.starts_at.date())
    period = parse_period(f"{session.starts_at.year}")
    with assert_max_queries(7):
        raw = queries.unit_figures(unit.id, period)
    assert raw.members == size and raw.enrolments == size and raw.grants == size
