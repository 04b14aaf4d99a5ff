"""Hiring's pure rules: candidate codes, score spreads, the settled score, weighted means,
category ratings and the order of the ranked list.

Scores are whole steps 1-5; means are kept in hundredths of a point (an int), so category
thresholds compare exactly and two equal means are really equal.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from civicladder.enums import LabelledEnum

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
    BEST = "best_qualified", "Best qualified"
    WELL = "well_qualified", "Well qualified"
    QUALIFIED = "qualified", "Qualified"
    NOT = "not_qualified", "Not qualified"


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


TIE_RULE = (
    "Within a category, candidates are listed by weighted mean score. Equal means are broken "
    "by the score on the most heavily weighted competency (the first of them in the rubric), "
    "then by who applied first."
)


def rank_key(item: Ranked) -> tuple:
    return (
        CATEGORY_ORDER.index(item.category),
        -item.mean,
        -item.top_weight_score,
        item.submitted_order,
    )


def rank(items: Iterable[Ranked]) -> list[Ranked]:
    """The ranked list in the documented order (TIE_RULE)."""
    return sorted(items, key=rank_key)


def format_score(hundredths: int) -> str:
    return f"{hundredths / 100:.2f}"
