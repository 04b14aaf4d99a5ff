"""What a report shows, as plain data: its sections and tables, every count protected
(`reports.rules`), rendered as a page, a PDF and CSV and frozen as a snapshot's content. Pure:
it is given the exact figures (`reports.queries`, `reports.trends`) and whom they count."""

from __future__ import annotations

from dataclasses import dataclass, field

from people.models import PATH_SEPARATOR
from people.rules import Figure
from reports.rules import Period, cell, derived, is_protected, not_shown, protect, rate

NO_LEVEL = "No autonomy level held"
FORMAT = 1  # the layout of a snapshot's content; a later layout gets a new number

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
