"""Membership history: the rows that say which bargaining unit and department each person was
in, and their status, from which day to which.

Every path that writes an employee's unit, department or status calls `follow` in the same
transaction, after the write: it brings the history of the employees it names in line with
their records, set by set (three statements whatever their number), so one employee edited by
HR and a roster of 300,000 take the same road. The employee's own change carries the audit
event; the history is its dated shadow.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import sqlalchemy as sa

from civicladder import clock
from civicladder.db import db
from people.models import Employee, EmployeeStatus, Membership

M = Membership.__table__
E = Employee.__table__
# The fields a membership row copies from the employee record.
PLACEMENT = ("bargaining_unit_id", "department_id", "status")


def _differs(row=M, employee=E) -> sa.ColumnElement[bool]:
    return sa.or_(*(row.c[name].is_distinct_from(employee.c[name]) for name in PLACEMENT))


def follow(employee_ids: Iterable[int] | sa.Select, effective_on: date | None = None) -> None:
    """Bring these employees' history in line with their records as of `effective_on` (today
    by default): where the open row differs, close it the day before (or rewrite it, when it
    started that day or later) and open a row from that day; an employee with no history yet
    gets one from their hire date. Does nothing for the ones whose row already agrees.

    `employee_ids`: ids, or a SELECT of them (the roster import's staged rows)."""
    day = effective_on or clock.today()
    db.session.flush()  # the records as the caller left them
    ids: sa.Select | list[int]
    if isinstance(employee_ids, sa.Select):
        ids = employee_ids
    else:
        ids = sorted(set(employee_ids))
        if not ids:
            return
    named = M.c.employee_id.in_(ids)
    is_open = M.c.ended_on.is_(None)
    of_row = E.c.id == M.c.employee_id
    # A row that started on the day (or later: a change dated before one already recorded)
    # takes the new values itself, so no row ever ends before it starts.
    db.session.execute(
        sa.update(M)
        .where(named, is_open, M.c.started_on >= day, of_row, _differs())
        .values({name: E.c[name] for name in PLACEMENT})
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(M)
        .where(
            named,
            is_open,
            M.c.started_on < day,
            sa.exists().where(of_row, _differs()),
        )
        .values(ended_on=day - timedelta(days=1))
        .execution_options(synchronize_session=False)
    )
    earlier = M.alias("earlier")
    has_history = sa.exists().where(earlier.c.employee_id == E.c.id)
    still_open = M.alias("still_open")
    opens = sa.select(
        E.c.id,
        *(E.c[name] for name in PLACEMENT),
        sa.case((has_history, sa.literal(day, sa.Date)), else_=E.c.hire_date),
    ).where(
        E.c.id.in_(ids),
        ~sa.exists().where(still_open.c.employee_id == E.c.id, still_open.c.ended_on.is_(None)),
    )
    db.session.execute(sa.insert(M).from_select(["employee_id", *PLACEMENT, "started_on"], opens))
    _forget_loaded_rows()


def _forget_loaded_rows() -> None:
    """Expire the membership rows the session holds, so it reads what was written."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Membership):
            db.session.expire(obj)


def history_of(employee_id: int) -> list[Membership]:
    """One person's membership rows, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.employee_id == employee_id)
            .order_by(Membership.started_on, Membership.id)
        )
    )


Held = tuple[int | None, int, EmployeeStatus, date]  # unit id, department id, status, from


def rewrite(employee: Employee, held: list[Held]) -> None:
    """Replace one person's history with these placements, oldest first, each held until the
    day before the next starts, the last still holding. For the demo, which invents a past for
    people it hires today; the last must be the record's placement as it stands."""
    last = held[-1]
    if last[:3] != (employee.bargaining_unit_id, employee.department_id, employee.status):
        raise ValueError("The last placement must be the employee's own.")
    days = [row[3] for row in held]
    if days != sorted(set(days)):
        raise ValueError("Each placement must start after the one before it.")
    db.session.flush()
    db.session.execute(sa.delete(M).where(M.c.employee_id == employee.id))
    ends = [day - timedelta(days=1) for day in days[1:]] + [None]
    db.session.execute(
        sa.insert(M),
        [
            {
                "employee_id": employee.id,
                "bargaining_unit_id": unit_id,
                "department_id": department_id,
                "status": status,
                "started_on": started_on,
                "ended_on": ended_on,
            }
            for (unit_id, department_id, status, started_on), ended_on in zip(
                held, ends, strict=True
            )
        ],
    )
    _forget_loaded_rows()
