"""Report periods, small-group protection of report tables, and the snapshot's content hash.

Pure: no session, no request. The suppression of a single count is people's (`people.rules`);
what is added here is protection against subtraction: within one table, a small group must not
be worked out from a column's published total, nor from the difference of two cells of a row
(enrolled minus completed is the number who did not complete).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from civicladder.errors import Invalid
from people.models import PATH_SEPARATOR
from people.rules import Figure

NO_LEVEL = "No autonomy level held"
FORMAT = 1  # the layout of a snapshot's content; a later layout gets a new number

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
FIRST_YEAR = 2000


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
    """The trend's periods, oldest first, ending with `period`."""
    found = [period]
    while len(found) < count:
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
        f"“{shown}” is not a period. Write a quarter like 2026Q3, or a year like 2026.",
        field="period",
    )


def _check_year(year: int, code: str) -> None:
    if year < FIRST_YEAR:
        raise Invalid(f"{code} is before {FIRST_YEAR}: there are no records that old.", "period")


def quarter_of(day: date) -> Period:
    return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")


def default_period(today: date) -> Period:
    """The last quarter that has ended: what a report shows unless another period is chosen."""
    return quarter_of(today).previous()


def check_started(period: Period, today: date) -> None:
    if period.start > today:
        raise Invalid(f"{period.code} has not started yet: choose a period up to today.", "period")


def check_ended(period: Period, today: date) -> None:
    """Only a period that is over is published: a snapshot's figures never change."""
    if period.end >= today:
        raise Invalid(
            f"{period.code} ends on {period.end.isoformat()}: publish it once it is over, "
            "so the published figures are final.",
            field="period",
        )


# --- protecting a table against subtraction ---------------------------------------------------


def protect(
    rows: list[tuple[str, list[int]]],
    minimum: int,
    *,
    pairs: tuple[tuple[int, int], ...] = (),
    totals_published: bool = True,
) -> list[tuple[str, list[Figure]]]:
    """Each row's counts as Figures, with every small count suppressed ("fewer than N") and
    enough others hidden ("not shown") that no small count can be worked out by subtraction.

    `pairs` are (whole, part) columns of one row whose difference counts people (enrolled,
    completed): when that difference is small, the part is hidden. With `totals_published`,
    each column's total appears elsewhere (the headcount, the overall figures), so a column
    with exactly one protected cell gets its smallest other non-zero cell hidden too, as
    `people.rules.cells` does for one column. Repeated until nothing more needs hiding.
    """
    values = [counts for _, counts in rows]
    hidden = [[False] * len(counts) for counts in values]
    changed = True
    while changed:
        changed = False
        for r, counts in enumerate(values):
            for whole, part in pairs:
                if not hidden[r][part] and _small(counts[whole] - counts[part], minimum):
                    hidden[r][part] = changed = True
        if totals_published and values:
            for c in range(len(values[0])):
                changed |= _hide_complement(values, hidden, c, minimum)
    return [
        (label, [_figure(label, n, minimum, hidden[r][c]) for c, n in enumerate(counts)])
        for r, (label, counts) in enumerate(rows)
    ]


def _small(count: int, minimum: int) -> bool:
    return 0 < count < minimum


def _protected(values, hidden, r: int, c: int, minimum: int) -> bool:
    return hidden[r][c] or _small(values[r][c], minimum)


def _hide_complement(values, hidden, c: int, minimum: int) -> bool:
    protected = [r for r in range(len(values)) if _protected(values, hidden, r, c, minimum)]
    if len(protected) != 1:
        return False
    others = [r for r in range(len(values)) if r not in protected and values[r][c] > 0]
    if not others:
        return False
    smallest = min(others, key=lambda r: values[r][c])
    hidden[smallest][c] = True
    return True


def _figure(label: str, count: int, minimum: int, hidden: bool) -> Figure:
    return Figure(label, count, minimum, hidden=hidden and not _small(count, minimum))


def is_protected(figure: Figure) -> bool:
    return figure.suppressed or figure.hidden


# --- what a report holds, as stored in a snapshot ---------------------------------------------


def cell(figure: Figure) -> dict:
    """A count as stored and shown: the exact value only when it may be shown."""
    if is_protected(figure):
        return {"value": None, "shown": figure.shown}
    return {"value": figure.count, "shown": figure.shown}


def derived(value: float | None, shown: str) -> dict:
    return {"value": value, "shown": shown}


def not_shown(because: Figure) -> dict:
    """A figure computed from a protected count (a rate, hours) is protected with it."""
    return {"value": None, "shown": "not shown" if not because.suppressed else because.shown}


def rate(part: Figure, whole: Figure) -> dict:
    if is_protected(part) or is_protected(whole):
        return not_shown(part if is_protected(part) else whole)
    if whole.count == 0:
        return derived(None, "none enrolled")
    value = round(100 * part.count / whole.count, 1)
    return derived(value, f"{value:g}%")


def canonical_json(content: dict) -> str:
    """The one text of a report's content that its hash is taken over: sorted keys, no spaces."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


# --- a report's content ------------------------------------------------------------------------

UNIT = "bargaining_unit"
DEPARTMENT = "department"


@dataclass(frozen=True)
class Scope:
    """Whom a report counts: a bargaining unit's members, or everyone in a department and the
    departments below it (`path` is the department's)."""

    kind: str
    id: int
    code: str = ""
    name: str = ""
    path: str | None = None

    @property
    def people_word(self) -> str:
        return "Members" if self.kind == UNIT else "Employees"

    @property
    def group_word(self) -> str:
        return "Agency" if self.kind == UNIT else "Department"

    def group_of(self, path: str) -> str:
        """The breakdown's row for someone in the department at `path`: their agency in a
        unit's report; in a department's, the department just below it they belong to."""
        if self.kind == UNIT or self.path is None:
            return path.split(PATH_SEPARATOR, 1)[0]
        if path == self.path:
            return f"{self.path.rsplit(PATH_SEPARATOR, 1)[-1]} itself"
        return path[len(self.path) + len(PATH_SEPARATOR) :].split(PATH_SEPARATOR, 1)[0]

    def as_content(self) -> dict:
        return {"kind": self.kind, "id": self.id, "code": self.code, "name": self.name}


@dataclass
class DepartmentRow:
    members: int = 0
    enrolled_people: int = 0
    completed_people: int = 0


@dataclass
class UnitFigures:
    """A unit's exact figures for a period, before any suppression: never shown as they are."""

    members: int = 0
    enrolments: int = 0
    completions: int = 0
    enrolled_people: int = 0
    completed_people: int = 0
    training_hours: int = 0
    gains: list[tuple[str, int, int]] = field(default_factory=list)  # category, people, levels
    distribution: list[tuple[str, int]] = field(default_factory=list)  # level, members
    grants: int = 0
    above_evidence: int = 0
    declines: int = 0
    revocations: int = 0
    internal_hires: int = 0
    departments: dict[str, DepartmentRow] = field(default_factory=dict)  # agency -> figures
    levels_by_period: list[int] = field(default_factory=list)  # the trend's periods, oldest first


@dataclass
class TrendFigures:
    """A unit's main counts in each of the trend's periods (oldest first), exact."""

    periods: list[str]
    enrolments: list[int] = field(default_factory=list)
    completions: list[int] = field(default_factory=list)
    levels_gained: list[int] = field(default_factory=list)
    grants: list[int] = field(default_factory=list)
    internal_hires: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in ("enrolments", "completions", "levels_gained", "grants", "internal_hires"):
            if not getattr(self, name):
                setattr(self, name, [0] * len(self.periods))


def report_content(
    scope: Scope, period: Period, minimum: int, raw: UnitFigures, trend: TrendFigures
) -> dict:
    """What a report shows, every count protected, as plain data: rendered as a page, a PDF
    and CSV, and frozen as a snapshot's content (its hash is taken over this)."""
    return {
        "format": FORMAT,
        "scope": scope.as_content(),
        "period": {
            "code": period.code,
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "minimum": minimum,
        "sections": [
            _section("headcount", "Headcount", [_headcount(raw, minimum, scope)]),
            _section("training", "Training", [_training(raw, minimum)]),
            _section("competencies", "Competency levels gained", [_gains(raw, minimum)]),
            _section(
                "autonomy",
                "Autonomy levels",
                [_distribution(raw, period, minimum), _autonomy_events(raw, minimum)],
            ),
            _section("hires", "Internal hires", [_hires(raw, minimum)]),
            _section("departments", "By department", [_departments(raw, minimum, scope)]),
            _section("trend", "Trend", [_trend(trend, minimum)]),
        ],
    }


def _section(key: str, title: str, tables: list[dict]) -> dict:
    return {"key": key, "title": title, "tables": tables}


def _table(key, caption, columns, rows, chart: bool = True, note: str = "") -> dict:
    """rows: (label, [cell], kind) with kind "count" for counts (the ones a chart draws)."""
    return {
        "key": key,
        "caption": caption,
        "columns": columns,
        "rows": [{"label": label, "cells": cells_, "kind": kind} for label, cells_, kind in rows],
        "chart": chart,
        "note": note,
    }


def _headcount(raw: UnitFigures, minimum: int, scope: Scope) -> dict:
    members = Figure(scope.people_word, raw.members, minimum)
    return _table(
        "headcount",
        scope.people_word,
        ["Measure", "People"],
        [(f"{scope.people_word} (active or on leave)", [cell(members)], "count")],
        chart=False,
    )


def _training(raw: UnitFigures, minimum: int) -> dict:
    counts = [raw.enrolments, raw.completions, raw.enrolled_people, raw.completed_people]
    [(_, shown)] = protect(
        [("training", counts)], minimum, pairs=((0, 1), (2, 3)), totals_published=False
    )
    enrolments, completions, people, completers = shown
    hours = (
        not_shown(completions)
        if is_protected(completions)
        else derived(raw.training_hours, f"{raw.training_hours:,}")
    )
    return _table(
        "training",
        "Training in sessions that started in the period",
        ["Measure", "Number"],
        [
            ("Enrolments", [cell(enrolments)], "count"),
            ("Completions", [cell(completions)], "count"),
            ("Completion rate", [rate(completions, enrolments)], "rate"),
            ("People enrolled", [cell(people)], "count"),
            ("People who completed", [cell(completers)], "count"),
            ("Training hours completed", [hours], "hours"),
        ],
        note="A completion counts towards the rate when its session started in the period.",
    )


def _gains(raw: UnitFigures, minimum: int) -> dict:
    protected = protect(
        [(category, [people]) for category, people, _ in raw.gains],
        minimum,
        totals_published=False,
    )
    rows = []
    for (category, [people]), (_, _, levels) in zip(protected, raw.gains, strict=True):
        level_cell = (
            not_shown(people) if is_protected(people) else cell(Figure(category, levels, minimum))
        )
        rows.append((category, [cell(people), level_cell], "count"))
    return _table(
        "gains",
        "Competency levels gained, by category",
        ["Category", "People who gained a level", "Levels gained"],
        rows,
        note="A level is gained when a member shows a competency in the period at a higher "
        "level than any still valid at its start.",
    )


def _distribution(raw: UnitFigures, period: Period, minimum: int) -> dict:
    protected = protect([(label, [n]) for label, n in raw.distribution], minimum)
    return _table(
        "distribution",
        f"Members by autonomy level held on {period.end.isoformat()}",
        ["Autonomy level", "Members"],
        [(label, [cell(f)], "count") for label, [f] in protected],
    )


def _autonomy_events(raw: UnitFigures, minimum: int) -> dict:
    counts = [raw.grants, raw.above_evidence, raw.declines, raw.revocations]
    [(_, shown)] = protect([("events", counts)], minimum, pairs=((0, 1),), totals_published=False)
    labels = [
        "Levels granted",
        "of which granted above the evidence (with a written justification)",
        "Proposals declined",
        "Levels lowered",
    ]
    return _table(
        "autonomy_events",
        "Autonomy decisions in the period",
        ["Decision", "Number"],
        [(label, [cell(f)], "count") for label, f in zip(labels, shown, strict=True)],
    )


def _hires(raw: UnitFigures, minimum: int) -> dict:
    hires = Figure("Internal hires", raw.internal_hires, minimum)
    return _table(
        "hires",
        "Members hired through a hiring round in the period",
        ["Measure", "People"],
        [("Internal hires", [cell(hires)], "count")],
        chart=False,
    )


def _departments(raw: UnitFigures, minimum: int, scope: Scope) -> dict:
    names = sorted(raw.departments)
    counts = [
        (
            name,
            [
                raw.departments[name].members,
                raw.departments[name].enrolled_people,
                raw.departments[name].completed_people,
            ],
        )
        for name in names
    ]
    protected = protect(counts, minimum, pairs=((0, 1), (1, 2)))
    return _table(
        "departments",
        f"{scope.people_word}, people enrolled and people who completed training, "
        f"by {scope.group_word.lower()}",
        [scope.group_word, scope.people_word, "People enrolled", "People who completed"],
        [(name, [cell(f) for f in figures], "count") for name, figures in protected],
    )


def _trend(trend: TrendFigures, minimum: int) -> dict:
    """One row per period, oldest first; the period's own figures are the last row."""
    rows = []
    for index, code in enumerate(trend.periods):
        counts = [
            trend.enrolments[index],
            trend.completions[index],
            trend.levels_gained[index],
            trend.grants[index],
            trend.internal_hires[index],
        ]
        [(_, shown)] = protect([(code, counts)], minimum, pairs=((0, 1),), totals_published=False)
        enrolments, completions, gained, grants, hires = shown
        rows.append(
            (
                code,
                [
                    cell(completions),
                    cell(enrolments),
                    rate(completions, enrolments),
                    cell(gained),
                    cell(grants),
                    cell(hires),
                ],
                "count",
            )
        )
    return _table(
        "trend",
        f"This period and the {len(trend.periods) - 1} before it",
        [
            "Period",
            "Completions",
            "Enrolments",
            "Completion rate",
            "Competency levels gained",
            "Levels granted",
            "Internal hires",
        ],
        rows,
        note="The chart shows completions. Members are counted as they stand today in every "
        "period, so earlier periods count today's members' records.",
    )


# --- charts -----------------------------------------------------------------------------------

CHART_LABEL_CHARS = 34


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart, in the chart's own units (the longest bar is 100)."""

    label: str
    length: float
    shown: str
    protected: bool


def chart_bars(table: dict) -> list[Bar]:
    """The bars of a table's chart: its count rows, first column; a protected count is drawn
    as no bar with its words ("fewer than 5"), never at its real length."""
    rows = [row for row in table["rows"] if row["kind"] == "count"]
    values = [row["cells"][0]["value"] for row in rows]
    longest = max((v for v in values if v is not None), default=0) or 1
    return [
        Bar(
            _short(row["label"]),
            0.0 if value is None else round(100 * value / longest, 1),
            row["cells"][0]["shown"],
            value is None,
        )
        for row, value in zip(rows, values, strict=True)
    ]


def _short(label: str) -> str:
    if len(label) <= CHART_LABEL_CHARS:
        return label
    return label[: CHART_LABEL_CHARS - 1].rstrip() + "…"
