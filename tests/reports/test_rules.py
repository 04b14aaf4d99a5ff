"""Report periods, protection against subtraction, and the content hash."""

from datetime import date

import pytest

from civicladder.errors import Invalid
from reports import rules


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026q1", date(2026, 1, 1), date(2026, 3, 31)),
        (" 2025Q4 ", date(2025, 10, 1), date(2025, 12, 31)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_a_period_reads_as_its_first_and_last_day(text, start, end):
    period = rules.parse_period(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    "text", ["", None, "2026Q5", "2026Q0", "Q3 2026", "26Q3", "1999Q1", "x", "9999Q4", "9999"]
)
def test_anything_but_a_quarter_or_a_year_is_refused_with_a_message(text):
    with pytest.raises(Invalid, match="quarter like 2026Q3|before 2000|too far ahead"):
        rules.parse_period(text)


def test_the_default_period_is_the_last_quarter_that_has_ended():
    assert rules.default_period(date(2026, 12, 4)).code == "2026Q3"
    assert rules.default_period(date(2026, 1, 1)).code == "2025Q4"
    assert rules.parse_period("2026Q1").previous().code == "2025Q4"
    assert rules.parse_period("2026").previous().code == "2025"


def test_a_period_not_over_cannot_be_published_and_one_to_come_cannot_be_read():
    with pytest.raises(Invalid, match="publish it once it is over"):
        rules.check_ended(rules.parse_period("2026Q4"), date(2026, 12, 4))
    rules.check_ended(rules.parse_period("2026Q3"), date(2026, 12, 4))
    with pytest.raises(Invalid, match="has not started yet"):
        rules.check_started(rules.parse_period("2027Q1"), date(2026, 12, 4))


def shown(rows):
    return [[f.shown for f in figures] for _, figures in rows]


def test_a_lone_small_cell_in_a_column_with_a_published_total_hides_the_next_smallest():
    rows = [("a", [3]), ("b", [8]), ("c", [9]), ("d", [0])]
    assert shown(rules.protect(rows, 5)) == [["fewer than 5"], ["not shown"], ["9"], ["0"]]


def test_without_a_published_total_only_small_cells_are_suppressed():
    rows = [("a", [3]), ("b", [8])]
    assert shown(rules.protect(rows, 5, totals_published=False)) == [["fewer than 5"], ["8"]]


def test_a_small_difference_within_a_row_hides_the_part():
    # 12 enrolled and 10 completed would tell that 2 did not complete.
    rows = [("training", [12, 10, 30, 20])]
    result = rules.protect(rows, 5, pairs=((0, 1), (2, 3)), totals_published=False)
    assert shown(result) == [["12", "not shown", "30", "20"]]


def test_hiding_in_a_row_spreads_to_the_column_until_nothing_can_be_derived():
    rows = [("Parks", [14, 12, 6]), ("Buildings", [6, 6, 5])]
    result = rules.protect(rows, 5, pairs=((0, 1), (1, 2)))
    assert shown(result) == [["14", "not shown", "not shown"], ["6", "not shown", "not shown"]]


def test_a_protected_cell_keeps_no_exact_value_and_rates_follow_their_counts():
    figures = rules.protect([("t", [20, 3])], 5, totals_published=False)[0][1]
    assert rules.cell(figures[1]) == {"value": None, "shown": "fewer than 5"}
    assert rules.cell(figures[0]) == {"value": 20, "shown": "20"}
    assert rules.rate(figures[1], figures[0]) == {"value": None, "shown": "fewer than 5"}
    whole, part = rules.protect([("t", [20, 10])], 5, totals_published=False)[0][1]
    assert rules.rate(part, whole) == {"value": 50.0, "shown": "50%"}


def test_the_hash_is_over_canonical_json_whatever_the_key_order():
    one = {"b": [1, {"y": "é", "x": None}], "a": 2.5}
    two = {"a": 2.5, "b": [1, {"x": None, "y": "é"}]}
    assert rules.canonical_json(one) == '{"a":2.5,"b":[1,{"x":null,"y":"é"}]}'
    assert rules.content_hash(one) == rules.content_hash(two)
    assert len(rules.content_hash(one)) == 64
    assert rules.content_hash(one) != rules.content_hash({"a": 2.5})
