"""The eligibility rules at their edges: thresholds, expiry, month boundaries, outcome windows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from autonomy import rules
from autonomy.queries import months_cutoff

TODAY = date(2026, 3, 31)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2025, 12, 15), 2, date(2026, 2, 15)),
        (date(2026, 1, 15), -13, date(2024, 12, 15)),
    ],
)
def test_adding_months_keeps_the_day_or_clips_to_the_months_end(day, months, expected):
    assert rules.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("since", "today", "months"),
    [
        (date(2026, 1, 15), date(2026, 2, 14), 0),
        (date(2026, 1, 15), date(2026, 2, 15), 1),
        (date(2026, 1, 31), date(2026, 2, 28), 1),
        (date(2026, 1, 31), date(2026, 2, 27), 0),
        (date(2025, 3, 31), date(2026, 3, 30), 11),
        (date(2025, 3, 31), date(2026, 3, 31), 12),
        (date(2026, 4, 1), date(2026, 3, 31), 0),
    ],
)
def test_whole_months_count_only_complete_months(since, today, months):
    assert rules.whole_months(since, today) == months


def test_the_months_cutoff_is_exactly_where_serving_becomes_enough():
    for today in (TODAY, date(2026, 2, 28), date(2024, 2, 29), date(2026, 1, 31)):
        assert months_cutoff(today, 0) is None
        assert rules.served_enough(today + timedelta(days=30), today, 0)
        for months in (1, 2, 6, 12, 13):
            cutoff = months_cutoff(today, months)
            assert rules.served_enough(cutoff, today, months)
            assert not rules.served_enough(cutoff + timedelta(days=1), today, months)
            assert rules.whole_months(cutoff, today) >= months
            assert rules.whole_months(cutoff + timedelta(days=1), today) < months


def terms(requirements=None, min_months=0, outcome=None):
    return rules.LevelTerms(1, 2, min_months, requirements or {}, outcome)


def facts(levels=None, since=date(2020, 1, 1), means=None):
    return rules.Facts(TODAY, since, levels or {}, means or {})


def test_a_level_exactly_at_the_minimum_meets_the_requirement():
    assert rules.gap(terms({7: 3}), facts({7: 3})).ready
    found = rules.gap(terms({7: 3, 8: 2}), facts({7: 2}))
    assert found.missing == [(7, 3, 2), (8, 2, 0)] and not found.ready


def test_months_still_to_serve_count_down_to_the_boundary_day():
    level = terms(min_months=6)
    assert rules.gap(level, facts(since=date(2025, 9, 30))).months_to_serve == 0
    assert rules.gap(level, facts(since=date(2025, 10, 1))).months_to_serve == 1
    assert rules.gap(level, facts(since=TODAY)).months_to_serve == 6


def test_an_outcome_floor_is_reached_at_the_threshold_in_the_metrics_direction():
    higher = rules.OutcomeFloor(5, "First-contact resolution", 0.9, 90, True)
    lower = rules.OutcomeFloor(6, "Days to close", 10.0, 90, False)
    assert rules.gap(terms(outcome=higher), facts(means={5: 0.9})).ready
    assert not rules.gap(terms(outcome=higher), facts(means={5: 0.89})).ready
    assert rules.gap(terms(outcome=lower), facts(means={6: 10.0})).ready
    assert not rules.gap(terms(outcome=lower), facts(means={6: 10.5})).ready


def test_no_outcome_records_in_the_window_do_not_reach_a_floor():
    floor = rules.OutcomeFloor(5, "Quality", 0.0, 90, True)
    found = rules.gap(terms(outcome=floor), facts())
    assert found.outcome_mean is None and not found.outcome_reached and not found.ready


def test_the_window_counts_back_from_today_inclusive():
    assert rules.window_start(TODAY, 1) == TODAY
    assert rules.window_start(TODAY, 90) == TODAY - timedelta(days=89)


def test_earliest_held_climbs_from_the_hire_one_level_at_a_time():
    hired = date(2025, 1, 31)
    months = [0, 1, 1, 12]
    assert rules.earliest_held(hired, months, 1) == hired
    assert rules.earliest_held(hired, months, 2) == date(2025, 2, 28)
    # Each level's months count from the day the one below was taken, as eligibility counts them.
    assert rules.earliest_held(hired, months, 3) == date(2025, 3, 28)
    assert rules.served_enough(date(2025, 2, 28), date(2025, 3, 28), 1)
    assert rules.earliest_held(hired, months, 4) == date(2026, 3, 28)
