"""The people package's part of the home page: a manager's team, HR's workforce and a union
representative's units in numbers, and the "My profile" link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from flask import current_app
from flask_babel import gettext

from civicladder.access import Role
from civicladder.panels import Panel
from people import figures, queries
from people.models import BargainingUnit


@dataclass(frozen=True)
class TeamPanel(Panel):
    """A manager's team in numbers; the people themselves are in the competencies grid."""

    template: ClassVar[str] = "people/_team_panel.html"
    direct_count: int
    line_count: int


@dataclass(frozen=True)
class WorkforcePanel(Panel):
    template: ClassVar[str] = "people/_workforce_panel.html"
    summary: dict


@dataclass(frozen=True)
class UnitFigures:
    unit: BargainingUnit
    members: figures.Figure
    by_job: list[figures.Figure]


@dataclass(frozen=True)
class UnionPanel(Panel):
    """A union rep's units in aggregate: members, and members by job profile; no individuals."""

    template: ClassVar[str] = "people/_union_panel.html"
    units: list[UnitFigures]
    as_of: datetime
    minimum: int


def team_panel(user) -> TeamPanel | None:
    own = queries.own_employee(user)
    if not user.has_role(Role.MANAGER) or own is None:
        return None
    return TeamPanel(
        direct_count=queries.direct_report_count(own.id),
        line_count=queries.reporting_line_count(own.id, own.line_path),
    )


def workforce_panel(user) -> WorkforcePanel | None:
    if not user.has_role(Role.HR):
        return None
    return WorkforcePanel(summary=queries.workforce_summary())


def union_panel(user) -> UnionPanel | None:
    if not user.has_role(Role.UNION_REP):
        return None
    minimum = current_app.config["SMALL_GROUP_MINIMUM"]
    units = queries.rep_units(user)
    ids = [unit.id for unit in units]
    members, as_of = figures.unit_figures(ids, "members")
    by_job, _ = figures.unit_figures(ids, "job")
    shown = [
        UnitFigures(
            unit,
            figures.Figure(unit.name, sum(n for _, n in members[unit.id]), minimum),
            figures.breakdown(
                [(_job_label(label), n) for label, n in by_job[unit.id]],
                minimum,
                gettext("Other job profiles, together"),
            ),
        )
        for unit in units
    ]
    return UnionPanel(units=shown, as_of=as_of, minimum=minimum)


def _job_label(label: str) -> str:
    """A job's line as the reader reads it: a job's title, or "No job profile" in their words."""
    return gettext(label) if label == queries.NO_JOB_PROFILE else label


def own_profile_values(user) -> dict | None:
    """The navigation's "My profile" link: only for people with an employee record."""
    own_id = queries.own_employee_id(user)
    return None if own_id is None else {"employee_id": own_id}
