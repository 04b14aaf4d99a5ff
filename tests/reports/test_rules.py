"""Report periods and the content hash."""

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


def test_the_hash_is_over_canonical_json_whatever_the_key_order():
    one = {"b": [1, {"y": "é", "x": None}], "a": 2.5}
    two = {"a": 2.5, "b": [1, {"x": None, "y": "é"}]}
    assert rules.canonical_json(one) == '{"a":2.5,"b":[1,{"x":null,"y":"é"}]}'
    assert rules.content_hash(one) == rules.content_hash(two)
    assert len(rules.content_hash(one)) == 64
    assert rules.content_hash(one) != rules.content_hash({"a": 2.5})


def test_the_trend_reaches_back_no_further_than_the_first_year():
    codes = [p.code for p in rules.trend_periods(rules.parse_period("2000Q2"))]
    assert codes == ["2000Q1", "2000Q2"]
    assert [p.code for p in rules.trend_periods(rules.parse_period("2001"))] == ["2000", "2001"]
    codes = [p.code for p in rules.trend_periods(rules.parse_period("2001Q1"))]
    assert codes == ["2000Q2", "2000Q3", "2000Q4", "2001Q1"]
