"""Eligibility for the next autonomy level, as pure rules over facts already gathered.

The set-based computation in `autonomy.queries.eligibility_statement` states the same rules in
SQL for everyone at once; a property test holds the two together.

- Competencies: every requirement of the level met by the current level (from unexpired
  evidence, see competencies.rules).
- Time: whole calendar months since the level below was granted (for the first level, since
  hire) at least the level's minimum. A month is complete on the same day-of-month, or on the
  month's last day when it is shorter (hired 31 January: one month on 28 or 29 February).
- Outcomes: where the level sets a floor, the mean of the metric over the records whose period
  starts within the window (the last `window_days` days, today included) reaches the threshold
  (at least it, or at most it when lower is better). No records in the window: not reached.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day-of-month `months` later (or earlier), clipped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def whole_months(since: date, today: date) -> int:
    """Complete months from `since` to `today`: the most m with add_months(since, m) <= today."""
    months = (today.year - since.year) * 12 + today.month - since.month
    while months > 0 and add_months(since, months) > today:
        months -= 1
    return max(months, 0)


def served_enough(since: date, today: date, min_months: int) -> bool:
    """Whether `since` lies at least `min_months` whole months before today (no minimum: yes)."""
    return min_months <= 0 or add_months(since, min_months) <= today


def earliest_held(hired: date, min_months: list[int], rank: int) -> date:
    """The first day someone hired on `hired` can hold level `rank` of a ladder whose levels ask
    `min_months` (lowest first): each level taken the day its months are served at the one
    below (the first level's, since hire)."""
    day = hired
    for months in min_months[:rank]:
        day = add_months(day, months)
    return day


def window_start(today: date, window_days: int) -> date:
    """The first period start that counts in a window of `window_days` days ending today."""
    return today - timedelta(days=window_days - 1)


@dataclass(frozen=True)
class OutcomeFloor:
    metric_id: int
    metric_name: str
    threshold: float
    window_days: int
    higher_is_better: bool

    def reached_by(self, mean: float | None) -> bool:
        if mean is None:
            return False
        return mean >= self.threshold if self.higher_is_better else mean <= self.threshold


@dataclass(frozen=True)
class LevelTerms:
    """What a level asks of a person."""

    level_id: int
    rank: int
    min_months: int
    requirements: dict[int, int]  # competency id -> minimum level
    outcome: OutcomeFloor | None = None


@dataclass(frozen=True)
class Facts:
    """What is known of a person, as of `today`."""

    today: date
    since: date  # when they reached their current level (or were hired, below the first)
    levels: dict[int, int]  # competency id -> current level
    outcome_means: dict[int, float] = field(default_factory=dict)  # metric id -> mean in window


@dataclass(frozen=True)
class Gap:
    """What stands between a person and a level; empty when they are ready for it."""

    missing: list[tuple[int, int, int]]  # (competency id, level needed, level held: 0 = none)
    months_to_serve: int
    outcome_mean: float | None
    outcome_reached: bool

    @property
    def ready(self) -> bool:
        return not self.missing and self.months_to_serve == 0 and self.outcome_reached


def gap(terms: LevelTerms, facts: Facts) -> Gap:
    missing = [
        (competency_id, needed, facts.levels.get(competency_id, 0))
        for competency_id, needed in sorted(terms.requirements.items())
        if facts.levels.get(competency_id, 0) < needed
    ]
    served = whole_months(facts.since, facts.today)
    mean = None
    reached = True
    if terms.outcome is not None:
        mean = facts.outcome_means.get(terms.outcome.metric_id)
        reached = terms.outcome.reached_by(mean)
    return Gap(missing, max(terms.min_months - served, 0), mean, reached)


def fit(requirements: list[tuple[int, int]], levels: dict[int, int]) -> float:
    """How well a person's competencies fit a ladder, from 0 to 1: the share of the level
    points its requirements ask (each its minimum level) that the person's levels cover. A
    ladder that asks nothing fits nobody in particular (0)."""
    asked = sum(needed for _, needed in requirements)
    if asked == 0:
        return 0.0
    covered = sum(min(levels.get(cid, 0), needed) for cid, needed in requirements)
    return covered / asked


# A person whose outcomes are well below their peers is pointed to another track when their
# skills fit it at least this well, and this much better than their own.
REDEPLOY_FIT = 0.6
REDEPLOY_MARGIN = 0.25


def better_track(own: float, others: dict[int, float]) -> int | None:
    """The other track (id) whose fit makes redeployment worth considering, if any: the best
    fitting, ties to the lowest id."""
    best = max(others.items(), key=lambda item: (item[1], -item[0]), default=None)
    if best is None or best[1] < REDEPLOY_FIT or best[1] - own < REDEPLOY_MARGIN:
        return None
    return best[0]
