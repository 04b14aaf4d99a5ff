"""Aggregate figures for people who may not see individuals: small groups never shown exactly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app

from civicladder import clock
from civicladder.db import db
from people.models import BargainingUnit, UnitFigure


@dataclass(frozen=True)
class Figure:
    """A count as a page may show it: the number, or "fewer than N" for a small group."""

    label: str
    count: int
    minimum: int

    @property
    def suppressed(self) -> bool:
        return 0 < self.count < self.minimum

    hidden: bool = False  # shown as small only so that another small cell cannot be derived

    @property
    def shown(self) -> str:
        if self.suppressed or self.hidden:
            return f"fewer than {self.minimum}" if self.suppressed else "not shown"
        return f"{self.count:,}"


def breakdown(rows: list[tuple[str, int]], minimum: int, other: str) -> list[Figure]:
    """Rows of a breakdown with every small group folded into one `other` row.

    Folding, rather than hiding each small row, means no small group can be worked out by
    subtracting the shown rows from the total; the folded row is itself "fewer than N" when small.
    """
    shown = [Figure(label, count, minimum) for label, count in rows if count >= minimum]
    folded = sum(count for _, count in rows if 0 < count < minimum)
    if folded:
        shown.append(Figure(other, folded, minimum))
    return shown


def cells(rows: list[tuple[str, int]], minimum: int) -> list[Figure]:
    """Ordered cells (level bands) kept in place: small ones shown as "fewer than N".

    When only one cell is small, the next smallest is left out as well, so the small one
    cannot be worked out from the total.
    """
    shown = [Figure(label, count, minimum) for label, count in rows]
    small = [f for f in shown if f.suppressed]
    if len(small) == 1:
        others = [f for f in shown if f.count >= minimum]
        if others:
            smallest = min(others, key=lambda f: f.count)
            shown = [
                Figure(f.label, f.count, minimum, hidden=True) if f is smallest else f
                for f in shown
            ]
    return shown


# --- stored unit figures ------------------------------------------------------------------------
# A union rep's home shows each unit's members, by job and by level band, "as of" a time: the
# figures are computed for every unit at once by `refresh` (run by `flask people
# refresh-unit-figures`, from a scheduler, and after seeding) and read back as stored. Before
# the first refresh a page computes them live. Each package registers the kinds it computes.

UnitRows = dict[int, list[tuple[str, int]]]  # unit id -> [(label, members)], in order
_KINDS = "people.unit_figure_kinds"


def register_kind(app: Flask, kind: str, compute: Callable[[list[int]], UnitRows]) -> None:
    app.extensions.setdefault(_KINDS, {})[kind] = compute


def refresh() -> tuple[datetime, int]:
    """Compute every registered kind for every unit and store it in place of the last; returns
    the time and how many lines were stored. Runs in the caller's transaction."""
    units = list(db.session.scalars(sa.select(BargainingUnit.id).order_by(BargainingUnit.id)))
    as_of = clock.now()
    rows = []
    for kind, compute in current_app.extensions.get(_KINDS, {}).items():
        for unit_id, lines in compute(units).items():
            rows += [
                {
                    "bargaining_unit_id": unit_id,
                    "kind": kind,
                    "position": position,
                    "label": label[:200],
                    "members": members,
                    "as_of": as_of,
                }
                for position, (label, members) in enumerate(lines)
            ]
    db.session.execute(sa.delete(UnitFigure))
    if rows:
        db.session.execute(sa.insert(UnitFigure), rows)
    return as_of, len(rows)


def unit_figures(unit_ids: list[int], kind: str) -> tuple[UnitRows, datetime]:
    """The stored lines of one kind for these units and when they were computed; computed now
    when none are stored yet."""
    found: UnitRows = {unit_id: [] for unit_id in unit_ids}
    rows = db.session.execute(
        sa.select(
            UnitFigure.bargaining_unit_id, UnitFigure.label, UnitFigure.members, UnitFigure.as_of
        )
        .where(UnitFigure.bargaining_unit_id.in_(unit_ids or [0]), UnitFigure.kind == kind)
        .order_by(UnitFigure.bargaining_unit_id, UnitFigure.position)
    ).all()
    if not rows:
        live = current_app.extensions[_KINDS][kind](unit_ids)
        return {unit_id: live.get(unit_id, []) for unit_id in unit_ids}, clock.now()
    for unit_id, label, members, _ in rows:
        found[unit_id].append((label, members))
    return found, min(row.as_of for row in rows)
