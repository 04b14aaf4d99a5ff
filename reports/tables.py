"""What a report shows, as plain data: its sections and tables, every count protected
(`reports.rules`), rendered as a page, a PDF and CSV and frozen as a snapshot's content. Pure:
it is given the exact figures (`reports.queries`, `reports.trends`) and whom they count."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from civicladder.languages import N_
from people.models import PATH_SEPARATOR
from reports.rules import Period

NO_LEVEL = N_("No autonomy level held")
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
        return N_("Members") if self.kind == UNIT else N_("Employees")

    @property
    def group_word(self) -> str:
        return N_("Agency") if self.kind == UNIT else N_("Department")

    def group_of(self, path: str) -> str:
        """The breakdown's row for someone in the department at `path`: their agency in a
        unit's report; in a department's, the department just below it they belong to."""
        if self.kind == UNIT or self.path is None:
            return path.split(PATH_SEPARATOR, 1)[0]
        if path == self.path:
            return f"{self.path.rsplit(PATH_SEPARATOR, 1)[-1]} itself"
        return path[len(self.path) + len(PATH_SEPARATOR) :].split(PATH_SEPARATOR, 1)[0]

    def holds(self, path: str) -> bool:
        """Whether someone in the department at `path` is counted (a unit's members are
        counted wherever they work)."""
        if self.kind == UNIT or self.path is None:
            return True
        return path == self.path or path.startswith(self.path + PATH_SEPARATOR)

    def as_content(self) -> dict:
        return {"kind": self.kind, "id": self.id, "code": self.code, "name": self.name}


@dataclass
class DepartmentRow:
    members: int = 0
    enrolled_people: int = 0
    completed_people: int = 0


@dataclass
class Counts:
    """The counts of a report that add up: a scope's are its departments' added together."""

    members: int = 0
    enrolments: int = 0
    completions: int = 0
    enrolled_people: int = 0
    completed_people: int = 0
    training_hours: int = 0
    grants: int = 0
    above_evidence: int = 0
    declines: int = 0
    revocations: int = 0
    internal_hires: int = 0


ADDED = tuple(f.name for f in fields(Counts))


@dataclass
class UnitFigures(Counts):
    """A unit's exact figures for a period, before any suppression: never shown as they are."""

    gains: list[tuple[str, int, int]] = field(default_factory=list)  # category, people, levels
    distribution: list[tuple[str, int]] = field(default_factory=list)  # level, members
    departments: dict[str, DepartmentRow] = field(default_factory=dict)  # agency -> figures


@dataclass
class PathFigures(Counts):
    """The exact figures of the people of one department itself (not those below it)."""

    gains: dict[str, tuple[int, int]] = field(default_factory=dict)  # category: people, levels
    held: dict[tuple, int] = field(default_factory=dict)  # (track, rank, level): members


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
    """What a report counts, every figure exact, as plain data: `reports.protection` decides
    which are shown before it is rendered as a page, a PDF and CSV or frozen as a snapshot's
    content (its hash is taken over the protected content)."""
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
            _section("headcount", N_("Headcount"), [_headcount(raw, scope)]),
            _section("training", N_("Training"), [_training(raw)]),
            _section("competencies", N_("Competency levels gained"), [_gains(raw)]),
            _section(
                "autonomy",
                N_("Autonomy levels"),
                [_distribution(raw, period), _autonomy_events(raw)],
            ),
            _section("hires", N_("Internal hires"), [_hires(raw)]),
            _section("departments", N_("By department"), [_departments(raw, scope)]),
            _section("trend", N_("Trend"), [_trend(trend)]),
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


def _count(n: int) -> dict:
    return {"value": n, "shown": f"{n:,}"}


def _rate(part: int, whole: int) -> dict:
    if whole == 0:
        return {"value": None, "shown": "none enrolled"}
    value = round(100 * part / whole, 1)
    return {"value": value, "shown": f"{value:g}%"}


def _headcount(raw: UnitFigures, scope: Scope) -> dict:
    return _table(
        "headcount",
        scope.people_word,
        [N_("Measure"), N_("People")],
        [(_active_or_on_leave(scope), [_count(raw.members)], "count")],
        chart=False,
    )


def _active_or_on_leave(scope: Scope) -> str:
    if scope.kind == UNIT:
        return N_("Members (active or on leave)")
    return N_("Employees (active or on leave)")


def _training(raw: UnitFigures) -> dict:
    return _table(
        "training",
        N_("Training in sessions that started in the period"),
        [N_("Measure"), N_("Number")],
        [
            (N_("Enrolments"), [_count(raw.enrolments)], "count"),
            (N_("Completions"), [_count(raw.completions)], "count"),
            (N_("Completion rate"), [_rate(raw.completions, raw.enrolments)], "rate"),
            (N_("People enrolled"), [_count(raw.enrolled_people)], "count"),
            (N_("People who completed"), [_count(raw.completed_people)], "count"),
            (N_("Training hours completed"), [_count(raw.training_hours)], "hours"),
        ],
        note=N_("A completion counts towards the rate when its session started in the period."),
    )


def _gains(raw: UnitFigures) -> dict:
    return _table(
        "gains",
        N_("Competency levels gained, by category"),
        [N_("Category"), N_("People who gained a level"), N_("Levels gained")],
        [
            (category, [_count(people), _count(levels)], "count")
            for category, people, levels in raw.gains
        ],
        note=N_(
            "A level is gained when a member shows a competency in the period at a higher "
            "level than any still valid at its start."
        ),
    )


def _distribution(raw: UnitFigures, period: Period) -> dict:
    return _table(
        "distribution",
        f"Members by autonomy level held on {period.end.isoformat()}",
        [N_("Autonomy level"), N_("Members")],
        [(label, [_count(n)], "count") for label, n in raw.distribution],
    )


def _autonomy_events(raw: UnitFigures) -> dict:
    counts = [raw.grants, raw.above_evidence, raw.declines, raw.revocations]
    labels = [
        N_("Levels granted"),
        N_("of which granted above the evidence (with a written justification)"),
        N_("Proposals declined"),
        N_("Levels lowered"),
    ]
    return _table(
        "autonomy_events",
        N_("Autonomy decisions in the period"),
        [N_("Decision"), N_("Number")],
        [(label, [_count(n)], "count") for label, n in zip(labels, counts, strict=True)],
    )


def _hires(raw: UnitFigures) -> dict:
    return _table(
        "hires",
        N_("Members hired through a hiring round in the period"),
        [N_("Measure"), N_("People")],
        [(N_("Internal hires"), [_count(raw.internal_hires)], "count")],
        chart=False,
    )


def _departments(raw: UnitFigures, scope: Scope) -> dict:
    rows = []
    for name in sorted(raw.departments):
        row = raw.departments[name]
        counts = [row.members, row.enrolled_people, row.completed_people]
        rows.append((name, [_count(n) for n in counts], "count"))
    return _table(
        "departments",
        f"{scope.people_word}, people enrolled and people who completed training, "
        f"by {scope.group_word.lower()}",
        [scope.group_word, scope.people_word, N_("People enrolled"), N_("People who completed")],
        rows,
    )


def _trend(trend: TrendFigures) -> dict:
    """One row per period, oldest first; the period's own figures are the last row. Each
    figure is the same one its own period's report shows."""
    rows = []
    for index, code in enumerate(trend.periods):
        completions, enrolments = trend.completions[index], trend.enrolments[index]
        rows.append(
            (
                code,
                [
                    _count(completions),
                    _count(enrolments),
                    _rate(completions, enrolments),
                    _count(trend.levels_gained[index]),
                    _count(trend.grants[index]),
                    _count(trend.internal_hires[index]),
                ],
                "count",
            )
        )
    return _table(
        "trend",
        f"This period and the {len(trend.periods) - 1} before it",
        [
            N_("Period"),
            N_("Completions"),
            N_("Enrolments"),
            N_("Completion rate"),
            N_("Competency levels gained"),
            N_("Levels granted"),
            N_("Internal hires"),
        ],
        rows,
        note=N_(
            "The chart shows completions. Each period counts the people who were members "
            "during it; a published period's figures are its snapshot's."
        ),
    )
