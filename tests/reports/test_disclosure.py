"""Small groups against an attacker's arithmetic: the audit finds each attack found from
outside when the figures that make it are shown, and finds nothing in what the protection
decides to show, whatever the figures."""

from __future__ import annotations

import copy
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from reports import cells, disclosure, protection
from reports.audit import audit_contents
from reports.rules import parse_period
from reports.tables import DEPARTMENT, UNIT, DepartmentRow, Scope, TrendFigures, UnitFigures
from reports.tables import report_content as exact_content

UNIT_SCOPE = Scope(UNIT, 1, "L1", "Local 1")
TODAY = date(2026, 12, 6)


def raw(members=20, enrolled=18, completed=11, enrolments=23, completions=16, **more):
    groups = more.pop("groups", {"Parks": (members, enrolled, completed)})
    found = UnitFigures(
        members=members,
        enrolments=enrolments,
        completions=completions,
        enrolled_people=enrolled,
        completed_people=completed,
        training_hours=more.pop("hours", 80),
        **more,
    )
    found.departments = {name: DepartmentRow(*row) for name, row in groups.items()}
    found.distribution = [("No autonomy level held", members)]
    return found


def content(code, figures, scope=UNIT_SCOPE, trend=None):
    """A report's exact content; its trend is the period alone unless one is given."""
    if trend is None:
        trend = TrendFigures(
            periods=[code],
            enrolments=[figures.enrolments],
            completions=[figures.completions],
            levels_gained=[sum(levels for _, _, levels in figures.gains)],
            grants=[figures.grants],
            internal_hires=[figures.internal_hires],
        )
    return exact_content(scope, parse_period(code), 5, figures, trend)


def shown_as(content_, hide=(), small=()):
    """The content as a reader would see it with these cells hidden (table, row, column)."""
    shown = copy.deepcopy(content_)
    decided = cells.read(shown, exact=True)
    for found, cell in decided.items():
        if found[2:] in hide:
            cell.shown = False
        if found[2:] in small:
            cell.shown, cell.small = False, True
    return cells.write(shown, decided, 5)


def keyed(contents):
    return {("L1", code): content_ for code, content_ in contents.items()}


def whys(findings):
    found = {}
    for f in findings:
        where = (f.key[1], f.key[2], f.key[3])
        found[where] = "; ".join(filter(None, [found.get(where), f.why]))
    return found


def test_members_minus_people_enrolled_giving_a_small_group_is_found():
    shown = shown_as(content("2026Q3", raw(members=20, enrolled=18)))
    found = whys(audit_contents([shown], 5))
    assert "counts fewer than 5" in found[("2026Q3", "training", "members not enrolled")]


def test_a_year_minus_three_of_its_quarters_giving_the_fourth_away_is_found():
    quarters = {"2026Q1": 0, "2026Q2": 1, "2026Q3": 23, "2026Q4": 0}
    contents = [content("2026", raw(enrolments=24, completions=0))]
    for code, n in quarters.items():
        small = {("training", "Enrolments", "n")} if n == 1 else set()
        contents.append(shown_as(content(code, raw(enrolments=n, completions=0)), small=small))
    contents[0] = shown_as(contents[0])
    found = whys(audit_contents(contents, 5))
    assert "shown as fewer than 5" in found[("2026Q2", "training", "Enrolments")]


def test_the_trend_total_minus_the_categories_shown_giving_a_category_away_is_found():
    figures = raw(gains=[("Customer service", 2, 2), ("Safety", 7, 8)])
    trend = TrendFigures(periods=["2026Q3"], levels_gained=[10])
    shown = shown_as(
        content("2026Q3", figures, trend=trend),
        small={("gains", "Customer service", "people"), ("gains", "Customer service", "levels")},
    )
    found = whys(audit_contents([shown], 5))
    assert "shown as fewer than 5" in found[("2026Q3", "gains", "Customer service")]


def test_a_department_minus_the_departments_below_leaving_its_own_staff_is_found():
    def scope(n, path):
        return Scope(DEPARTMENT, n, f"D{n}", path, path)

    parent = content("2026Q3", raw(40, 30, 20, enrolments=33), scope(1, "Parks"))
    east = content("2026Q3", raw(20, 15, 10, enrolments=15), scope(2, "Parks > East"))
    west = content("2026Q3", raw(18, 14, 9, enrolments=15), scope(3, "Parks > West"))
    shown = [shown_as(c) for c in (parent, east, west)]
    found = whys(audit_contents(shown, 5, below={"D1": ["D2", "D3"]}))
    # 33 enrolments in Parks, 15 and 15 below it: its own 2 people made 3.
    assert "counts fewer than 5" in found[("2026Q3", "training", "Enrolments")]


def test_a_snapshot_against_a_recount_of_the_same_period_is_found():
    published = shown_as(content("2026Q2", raw(members=30, enrolled=20, completed=10)))
    recount = shown_as(content("2026Q2", raw(members=29, enrolled=19, completed=10)))
    found = whys(audit_contents([published, recount], 5))
    assert found[("2026Q2", "headcount", "members")] == "two versions of the period differ by 1"


def test_a_figure_shown_in_a_trend_and_hidden_in_its_own_report_is_found():
    q2 = shown_as(content("2026Q2", raw(enrolments=9)), hide={("training", "Enrolments", "n")})
    trend = TrendFigures(periods=["2026Q2", "2026Q3"], enrolments=[9, 23])
    q3 = shown_as(content("2026Q3", raw(), trend=trend))
    found = whys(audit_contents([q2, q3], 5))
    assert found[("2026Q2", "training", "Enrolments")] == "shown as 9"


def test_the_protection_hides_the_attacks_above():
    year = {"2026": raw(enrolments=24, completions=17, hours=86)}
    quarters = {
        "2026Q1": raw(0, 0, 0, 0, 0, hours=0, groups={}),
        "2026Q2": raw(enrolments=1, completions=1, hours=6),
        "2026Q3": raw(enrolments=23, completions=16),
        "2026Q4": raw(0, 0, 0, 0, 0, hours=0, groups={}),
    }
    contents = {code: content(code, figures) for code, figures in {**year, **quarters}.items()}
    decided, leftover = protection.protect_year(keyed(contents), {}, 5, TODAY)
    assert leftover == []
    view = [cells.write(copy.deepcopy(c), decided, 5) for c in contents.values()]
    assert audit_contents(view, 5) == []
    q3 = cells.read(view[3], exact=False)
    assert not q3[("L1", "2026Q3", "training", "Enrolments", "n")].shown


def test_published_figures_stay_as_published_and_the_rest_is_hidden_around_them():
    """Q1 to Q3 are published with their enrolments shown; the fourth quarter's are few, so
    the year's are hidden: the only cell left to hide."""
    contents = {
        "2026": content("2026", raw(30, 20, 10, enrolments=33, completions=33)),
        **{
            f"2026Q{q}": content(f"2026Q{q}", raw(30, 20, 10, enrolments=n, completions=n))
            for q, n in ((1, 10), (2, 10), (3, 10), (4, 3))
        },
    }
    frozen = {code: shown_as(contents[code]) for code in ("2026Q1", "2026Q2", "2026Q3")}
    decided, leftover = protection.protect_year(keyed(contents), keyed(frozen), 5, date(2027, 1, 5))
    assert leftover == []
    assert not decided[("L1", "2026", "training", "Enrolments", "n")].shown
    assert decided[("L1", "2026Q1", "training", "Enrolments", "n")].shown


counts = st.integers(min_value=0, max_value=12)


@st.composite
def years_of_figures(draw):
    """A unit's year, quarter by quarter, with two agencies and small numbers everywhere."""
    found = {}
    for code in ("2026Q1", "2026Q2", "2026Q3", "2026Q4"):
        groups = {}
        for name in ("Buildings", "Parks"):
            members = draw(counts)
            enrolled = draw(st.integers(0, members))
            groups[name] = (members, enrolled, draw(st.integers(0, enrolled)))
        people = [sum(g[i] for g in groups.values()) for i in range(3)]
        enrolments = people[1] + draw(st.integers(0, 3))
        completions = min(enrolments, people[2] + draw(st.integers(0, 2)))
        granted = draw(counts)
        found[code] = raw(
            *people,
            enrolments=enrolments,
            completions=completions,
            hours=completions * 3,
            groups=groups,
            grants=granted,
            above_evidence=draw(st.integers(0, granted)),
            internal_hires=draw(st.integers(0, 3)),
        )
    totals = found["2026Q4"]
    year = raw(
        totals.members,
        totals.enrolled_people,
        totals.completed_people,
        enrolments=sum(f.enrolments for f in found.values()),
        completions=sum(f.completions for f in found.values()),
        hours=sum(f.training_hours for f in found.values()),
        groups={
            n: (r.members, r.enrolled_people, r.completed_people)
            for n, r in totals.departments.items()
        },
        grants=sum(f.grants for f in found.values()),
        above_evidence=sum(f.above_evidence for f in found.values()),
        internal_hires=sum(f.internal_hires for f in found.values()),
    )
    return {"2026": year, **found}


@settings(max_examples=40, deadline=None)
@given(years_of_figures())
def test_whatever_the_figures_the_audit_finds_nothing_in_what_the_protection_shows(figures):
    contents = {code: content(code, f) for code, f in figures.items()}
    decided, leftover = protection.protect_year(keyed(contents), {}, 5, TODAY)
    assert leftover == []
    view = [cells.write(copy.deepcopy(c), decided, 5) for c in contents.values()]
    assert audit_contents(view, 5) == []
    for found, cell in decided.items():
        if cell.shown and cell.kind == disclosure.COUNT:
            assert not disclosure.is_small(cell.value, 5), found
