"""Pure academy rules: prerequisites met or not, expiry from validity, the small-group rule."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import date

from competencies.rules import level_name


def unmet(
    level_requirements: Iterable[tuple[int, str, int]],
    course_requirements: Iterable[tuple[int, str]],
    levels: Mapping[int, int],
    completed_course_ids: set[int],
) -> list[str]:
    """What a person still lacks before a course, in words.

    `level_requirements`: (competency id, its name, minimum level); `levels`: the person's
    current level by competency id; `course_requirements`: (course id, course title).
    """
    missing = [
        f"{name} at {level_name(minimum)}"
        for competency_id, name, minimum in level_requirements
        if levels.get(competency_id, 0) < minimum
    ]
    missing += [
        f"the course {title}"
        for course_id, title in course_requirements
        if course_id not in completed_course_ids
    ]
    return missing


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry(completed_on: date, validity_months: int | None) -> date | None:
    return None if validity_months is None else add_months(completed_on, validity_months)


# Ratings are shown as aggregates only, and only once this many people have answered.
MIN_GROUP = 5


def shown_rating(count: int, total: int) -> float | None:
    """The mean rating to show, or None when too few answered to keep answers anonymous."""
    if count < MIN_GROUP:
        return None
    return round(total / count, 1)
