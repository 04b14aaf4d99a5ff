"""Aggregate figures for people who may not see individuals: small groups never shown exactly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app

from civicladder import clock
from civicladder.db import db
from people.models import BargainingUnit, UnitFigure
from people.rules import Figure as Figure
from people.rules import breakdown as breakdown
from people.rules import cells as cells

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
