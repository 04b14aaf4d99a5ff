"""Report periods and the snapshot's content hash. What a report's tables hold is
`reports.tables`; how small groups are protected across them, `reports.disclosure`; its charts'
geometry, `reports.charts`. Pure: no session, no request."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext

from civicladder.errors import Invalid

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
FIRST_YEAR = 2000
LAST_YEAR = 2999  # far enough: and the calendar's last quarter has no day after it


@dataclass(frozen=True)
class Period:
    """A calendar quarter ("2026Q3") or year ("2026"), first and last day included."""

    code: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if "Q" in self.code:
            year, quarter = self.code.split("Q")
            return (
                f"Q{quarter} {year} ({self.start.day} {self.start:%B} "
                f"to {self.end.day} {self.end:%B %Y})"
            )
        return f"{self.code} (1 January to 31 December {self.code})"

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.code

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        if self.is_quarter:
            return quarter_of(self.start - timedelta(days=1))
        return parse_period(str(self.start.year - 1))


TREND_PERIODS = 4  # a report's period and the three before it


def trend_periods(period: Period, count: int = TREND_PERIODS) -> list[Period]:
    """The trend's periods, oldest first, ending with `period` (none before FIRST_YEAR)."""
    found = [period]
    while len(found) < count and found[-1].start > date(FIRST_YEAR, 1, 1):
        found.append(found[-1].previous())
    return found[::-1]


def parse_period(text: str | None) -> Period:
    """ "2026Q3" or "2026" as a Period; anything else is refused with a message saying why."""
    code = (text or "").strip().upper()
    if match := _QUARTER.match(code):
        year, quarter = int(match[1]), int(match[2])
        _check_year(year, code)
        start = date(year, 3 * quarter - 2, 1)
        end = date(year + quarter // 4, (3 * quarter) % 12 + 1, 1) - timedelta(days=1)
        return Period(f"{year}Q{quarter}", start, end)
    if match := _YEAR.match(code):
        year = int(match[1])
        _check_year(year, code)
        return Period(str(year), date(year, 1, 1), date(year, 12, 31))
    shown = (text or "").strip()[:20]
    raise Invalid(
        gettext(
            "“%(shown)s” is not a period. Write a quarter like 2026Q3, or a year like 2026.",
            shown=shown,
        ),
        field="period",
    )


def _check_year(year: int, code: str) -> None:
    if year < FIRST_YEAR:
        raise Invalid(
            gettext(
                "%(period)s is before %(year)s: there are no records that old.",
                period=code,
                year=FIRST_YEAR,
            ),
            "period",
        )
    if year > LAST_YEAR:
        raise Invalid(
            gettext("%(period)s is too far ahead: choose a period up to today.", period=code),
            "period",
        )


def quarter_of(day: date) -> Period:
    return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")


def default_period(today: date) -> Period:
    """The last quarter that has ended: what a report shows unless another period is chosen."""
    return quarter_of(today).previous()


def check_started(period: Period, today: date) -> None:
    if period.start > today:
        raise Invalid(
            gettext(
                "%(period)s has not started yet: choose a period up to today.", period=period.code
            ),
            "period",
        )


def check_ended(period: Period, today: date) -> None:
    """Only a period that is over is published: a snapshot's figures never change."""
    if period.end >= today:
        raise Invalid(
            gettext(
                "%(period)s ends on %(day)s: publish it once it is over, so the published "
                "figures are final.",
                period=period.code,
                day=period.end.isoformat(),
            ),
            field="period",
        )


# --- the snapshot's content hash ----------------------------------------------------------


def canonical_json(content: dict) -> str:
    """The one text of a report's content that its hash is taken over: sorted keys, no spaces."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
