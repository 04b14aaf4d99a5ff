"""The synthetic city's membership history: everyone a member from their hire date, and in the
last two years some moves between units, separations, spells of leave and re-hires, so reports
of earlier quarters count other people than today's. Streamed from the staff arrays and loaded
in one bulk load, like the employees themselves."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from civicladder import bulk
from civicladder.cli import CityContext
from people.models import EmployeeStatus, Membership
from people.seed.city_staff import LEAVE, SEPARATED, STATUS_CODES, Rank

COLUMNS = ("employee_id", "bargaining_unit_id", "department_id", "status", "started_on", "ended_on")
WINDOW = timedelta(days=730)  # how far back the invented changes go
# Shares of frontline workers, active today, with a change in the window.
WORKER_MOVED, WORKER_REHIRED = 0.04, 0.01
_ACTIVE, _LEAVE, _SEPARATED = (s.value for s in EmployeeStatus)


def load(ctx: CityContext, staff, plan, unions: list[int]) -> int:
    """Write the history of the staff hired into the planned departments; returns rows."""
    # Where a mover came from: any unit, with its frontline staff's bargaining unit.
    units = [
        (unit.id, unions[unit.union] if unit.union is not None else None)
        for agency in plan
        for division in agency.divisions
        for unit in division.units
    ]
    with ctx.progress("membership history", len(staff)) as bar:
        return bulk.load(
            Membership.__table__, COLUMNS, _rows(ctx, staff, units), progress=bar.update
        )


def _rows(ctx: CityContext, staff, units) -> Iterator[tuple]:
    # A generator of its own, so the history never shifts what the rest of the step draws.
    rng = random.Random(f"{ctx.seed}:people:membership")
    day = timedelta(days=1)
    for i in range(len(staff)):
        ident = staff.first_id + i
        hired = date.fromordinal(staff.hire_day[i])
        union = staff.union[i] or None
        now = (union, staff.department[i])
        status = STATUS_CODES[staff.status[i]].value
        # Changes fall in the window, at least a month after the hire and a month before today.
        earliest = max(hired + timedelta(days=30), ctx.as_of - WINDOW)
        span = (ctx.as_of - earliest).days - 30
        if span < 60:
            yield (ident, *now, status, hired, None)
            continue
        if staff.status[i] in (SEPARATED, LEAVE):
            changed = earliest + timedelta(days=rng.randrange(span))
            yield (ident, *now, _ACTIVE, hired, changed - day)
            yield (ident, *now, status, changed, None)
            continue
        draw = rng.random() if staff.rank[i] == Rank.WORKER else 1.0
        if draw < WORKER_MOVED:
            department, other_union = units[rng.randrange(len(units))]
            moved = earliest + timedelta(days=rng.randrange(span))
            if department != now[1]:
                before = (other_union if union is not None else None, department)
                yield (ident, *before, _ACTIVE, hired, moved - day)
                yield (ident, *now, status, moved, None)
                continue
        elif draw < WORKER_MOVED + WORKER_REHIRED:
            left = earliest + timedelta(days=rng.randrange(span // 2))
            back = left + timedelta(days=30 + rng.randrange(span // 2))
            yield (ident, *now, _ACTIVE, hired, left - day)
            yield (ident, *now, _SEPARATED, left, back - day)
            yield (ident, *now, status, back, None)
            continue
        yield (ident, *now, status, hired, None)
