"""The shared proficiency scale and the rule that derives a current level from evidence."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext

from civicladder.languages import N_

PROFICIENCY_SCALE: dict[int, str] = {
    1: N_("Awareness"),
    2: N_("Working"),
    3: N_("Practitioner"),
    4: N_("Advanced"),
    5: N_("Expert"),
}
LEVELS = tuple(PROFICIENCY_SCALE)


def level_name(level: int | None) -> str:
    if level is None:
        return gettext("Not yet shown")
    return f"{level} {gettext(PROFICIENCY_SCALE[level])}"


# The rule that evidence "still counts" is stated for the database by
# `competencies.queries.current_levels_statement`, which every page and report uses; that is the
# reference. These two functions restate it for rows already in memory, and a test checks that
# they agree with the SQL on random evidence.


def is_current(expires_on: date | None, today: date, withdrawn: bool = False) -> bool:
    """Evidence counts until the day it expires (expiry day itself no longer counts), unless it
    was withdrawn."""
    return not withdrawn and (expires_on is None or expires_on > today)


def current_level(evidence: Iterable[tuple], today: date) -> int | None:
    """The highest level among evidence that counts, given as (level, expires_on) pairs or
    (level, expires_on, withdrawn) triples, or None."""
    levels = [
        level
        for level, expires_on, *withdrawn in evidence
        if is_current(expires_on, today, bool(withdrawn and withdrawn[0]))
    ]
    return max(levels) if levels else None
