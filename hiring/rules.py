"""Hiring's pure rules: candidate codes, score spreads, the settled score, weighted means,
category ratings and the order of the ranked list.

Scores are whole steps 1-5; means are kept in hundredths of a point (an int), so category
thresholds compare exactly and two equal means are really equal.
"""

from __future__ import annotations

import calendar
import math
import secrets
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Protocol

from flask_babel import gettext

from civicladder.enums import LabelledEnum
from civicladder.languages import N_

# No 0/O, 1/I/L: a code read aloud or copied by hand stays unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
SPREAD_FLAG = 2  # scores this far apart on one competency need consensus or a third assessor
MIN_ASSESSORS = 2
SCORES = range(1, 6)


def new_candidate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def spread(scores: Iterable[int]) -> int:
    values = list(scores)
    return max(values) - min(values) if values else 0


def flagged_competencies(scores: Mapping[int, list[int]]) -> set[int]:
    """Competencies whose assessors' scores spread by SPREAD_FLAG or more."""
    return {cid for cid, values in scores.items() if spread(values) >= SPREAD_FLAG}


def settled_scores(
    scores: Mapping[int, list[int]], consensus: Mapping[int, int]
) -> dict[int, int] | None:
    """Each competency's score in hundredths: HR's consensus where recorded, otherwise the
    mean of the assessors' scores. None while a flagged competency has no consensus and
    fewer than three assessors scored it (a third opinion settles a spread by the mean)."""
    settled = {}
    for cid, values in scores.items():
        if cid in consensus:
            settled[cid] = consensus[cid] * 100
            continue
        if not values:
            return None
        if spread(values) >= SPREAD_FLAG and len(values) < 3:
            return None
        settled[cid] = round(sum(values) * 100 / len(values))
    return settled


def weighted_mean(settled: Mapping[int, int], weights: Mapping[int, int]) -> int:
    """The weighted mean of settled scores, in hundredths, over the rubric's competencies."""
    total = sum(weights.values())
    if not total:
        return 0
    return round(sum(settled.get(cid, 0) * weight for cid, weight in weights.items()) / total)


class Category(LabelledEnum):
    BEST = "best_qualified", N_("Best qualified")
    WELL = "well_qualified", N_("Well qualified")
    QUALIFIED = "qualified", N_("Qualified")
    NOT = "not_qualified", N_("Not qualified")


CATEGORY_ORDER = list(Category)


@dataclass(frozen=True)
class Thresholds:
    """The lowest weighted mean (hundredths) of each category, set on the round."""

    best: int
    well: int
    qualified: int


def category(mean: int, thresholds: Thresholds) -> Category:
    if mean >= thresholds.best:
        return Category.BEST
    if mean >= thresholds.well:
        return Category.WELL
    if mean >= thresholds.qualified:
        return Category.QUALIFIED
    return Category.NOT


@dataclass(frozen=True)
class Ranked:
    application_id: int
    candidate_code: str
    mean: int
    category: Category
    top_weight_score: int  # settled score on the round's most heavily weighted competency
    submitted_order: int  # position in order of submission (earlier is smaller)
    preference: bool = False  # preference-eligible in a round that applies veterans' preference


# Marked here, translated where it is shown.
TIE_RULE = N_(
    "Within a category, candidates are listed by weighted mean score (in a round that applies "
    "veterans' preference, preference-eligible candidates come first within their category). "
    "Equal means are broken "
    "by the score on the most heavily weighted competency (the first of them in the rubric), "
    "then by who applied first."
)


def rank_key(item: Ranked) -> tuple:
    return (
        CATEGORY_ORDER.index(item.category),
        not item.preference,
        -item.mean,
        -item.top_weight_score,
        item.submitted_order,
    )


def rank(items: Iterable[Ranked]) -> list[Ranked]:
    """The ranked list in the documented order (TIE_RULE)."""
    return sorted(items, key=rank_key)


# --- category rating as the rule of selection ----------------------------------------------------


@dataclass(frozen=True)
class OfferCheck:
    """What category rating says about offering the job to one candidate.

    `higher` is the highest category above the candidate's that still has candidates in the
    running (`waiting`, their codes); while there is one, the offer is refused. `passed_over`
    are the preference-eligible candidates still in the running in the candidate's own
    category whom this offer would pass over: allowed only with a written justification.
    """

    category: Category
    higher: Category | None = None
    waiting: tuple[str, ...] = ()
    passed_over: tuple[str, ...] = ()

    @property
    def qualified(self) -> bool:
        return self.category != Category.NOT

    @property
    def allowed(self) -> bool:
        return self.qualified and self.higher is None

    @property
    def needs_justification(self) -> bool:
        return bool(self.passed_over)


class Placed(Protocol):
    """A candidate in rank order: on a round's ranked list (`Ranked`) or on an eligible list."""

    @property
    def application_id(self) -> int: ...
    @property
    def candidate_code(self) -> str: ...
    @property
    def category(self) -> Category: ...
    @property
    def preference(self) -> bool: ...


def offer_checks(ranked: Iterable[Placed], in_running: Collection[int]) -> dict[int, OfferCheck]:
    """The offer check of every ranked candidate, in one pass over the list (a round's ranked
    list, or an eligible list in its order: the same rule holds on both).

    `in_running` holds the applications not yet offered the job, declined or withdrawn (a hire
    was offered); only they hold an offer back from a lower category or need a justification
    to be passed over.
    """
    items = list(ranked)
    running: dict[Category, list[str]] = {c: [] for c in CATEGORY_ORDER}
    preferred: dict[Category, list[str]] = {c: [] for c in CATEGORY_ORDER}
    for item in items:
        if item.application_id in in_running:
            running[item.category].append(item.candidate_code)
            if item.preference:
                preferred[item.category].append(item.candidate_code)
    waiting = {c: tuple(codes) for c, codes in running.items()}
    ahead = {c: tuple(codes) for c, codes in preferred.items()}
    checks = {}
    for item in items:
        place = CATEGORY_ORDER.index(item.category)
        higher = next((c for c in CATEGORY_ORDER[:place] if waiting[c]), None)
        checks[item.application_id] = OfferCheck(
            category=item.category,
            higher=higher,
            waiting=waiting[higher] if higher is not None else (),
            passed_over=() if item.preference else ahead[item.category],
        )
    return checks


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def listed(codes: Sequence[str], most: int = 5) -> str:
    """Candidate codes for a sentence: the first few, then how many more."""
    shown = ", ".join(codes[:most])
    if len(codes) <= most:
        return shown
    return gettext("%(shown)s and %(num)s more", shown=shown, num=len(codes) - most)


def format_score(hundredths: int) -> str:
    return f"{hundredths / 100:.2f}"


def evidence_level(settled: int) -> int:
    """A settled score (hundredths) as a whole proficiency level, halves rounded up."""
    return max(1, min(5, (settled + 50) // 100))


# --- adverse impact (the four-fifths rule) -------------------------------------------------------

# A threshold in policy, compared exactly: 60/100 against 75/100 is 0.8, not 0.7999999999999999.
FOUR_FIFTHS = Fraction(4, 5)
SMALLEST_GROUP = 5  # fewer people than this in a group's pool: too small to judge


@dataclass(frozen=True)
class GroupRate:
    group: str
    pool: int
    selected: int
    rate: Fraction | None
    ratio: Fraction | None  # to the highest rate among groups large enough to judge
    too_small: bool
    flagged: bool
    # False when no group large enough to judge had anyone selected: there is no rate to
    # compare with, so nothing is flagged (and nothing divides by zero).
    computable: bool = True


def below_four_fifths(group: tuple[int, int], top: tuple[int, int]) -> bool:
    """Whether a group's selection rate is under four-fifths of the top group's, in integers.

    Both are (pool, selected): selected_g / pool_g < 4/5 * selected_top / pool_top, with the
    denominators multiplied out. A ratio of exactly four-fifths is not below it.
    """
    (pool_g, selected_g), (pool_top, selected_top) = group, top
    return 5 * selected_g * pool_top < 4 * selected_top * pool_g


def adverse_impact(counts: Mapping[str, tuple[int, int]]) -> list[GroupRate]:
    """Each group's selection rate and its ratio to the highest group's rate.

    `counts` maps a group to (pool, selected). Groups whose pool is under SMALLEST_GROUP are
    marked too small and take no part in finding the highest rate; a ratio under FOUR_FIFTHS
    is flagged. When the highest rate is zero the ratios are not computable and nothing is
    flagged.
    """
    rates = {
        g: (Fraction(selected, pool) if pool else None) for g, (pool, selected) in counts.items()
    }
    judged = [g for g, (pool, _) in counts.items() if pool >= SMALLEST_GROUP]
    top = max(judged, key=lambda g: rates[g], default=None)
    computable = top is not None and counts[top][1] > 0
    rows = []
    for group, (pool, selected) in sorted(counts.items()):
        too_small = pool < SMALLEST_GROUP
        judge = computable and not too_small
        rows.append(
            GroupRate(
                group=group,
                pool=pool,
                selected=selected,
                rate=rates[group],
                ratio=rates[group] / rates[top] if judge else None,
                too_small=too_small,
                flagged=judge and below_four_fifths((pool, selected), counts[top]),
                computable=too_small or computable,
            )
        )
    return rows


def format_ratio(ratio: Fraction) -> str:
    """A ratio to two places, cut rather than rounded, so 0.799 never reads as 0.80."""
    return f"{math.floor(ratio * 100) / 100:.2f}"
