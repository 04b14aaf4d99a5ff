"""Membership history: each person's bargaining unit, department and status with the days each
held, so a report for a past period counts the people who were members then.

Filled once for the employees already here, from what the audit trail says about their
placements: the employee's values today, walked back through each "employee.updated" event's
before-values to the values they replaced, each change dated the day it was recorded. Where the
trail says nothing, one row from the hire date with today's values.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# Copied from people.models.EmployeeStatus, as it stood.
STATUSES = ("active", "leave", "separated")
# The placement fields a membership row holds, as employee columns and audit snapshot keys.
PLACEMENT = ("bargaining_unit_id", "department_id", "status")
BATCH = 5000

membership = sa.table(
    "membership",
    sa.column("employee_id", sa.Integer),
    sa.column("bargaining_unit_id", sa.Integer),
    sa.column("department_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("started_on", sa.Date),
    sa.column("ended_on", sa.Date),
)


def upgrade():
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("bargaining_unit_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="employee_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= started_on",
            name=op.f("ck_membership_dates_in_order"),
        ),
        sa.ForeignKeyConstraint(
            ["bargaining_unit_id"],
            ["bargaining_unit.id"],
            name=op.f("fk_membership_bargaining_unit_id_bargaining_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_membership_department_id_department"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_membership_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
    )
    op.create_index(op.f("ix_membership_employee_id"), "membership", ["employee_id"])
    op.create_index(
        "ix_membership_open_employee",
        "membership",
        ["employee_id"],
        unique=True,
        sqlite_where=sa.text("ended_on IS NULL"),
        postgresql_where=sa.text("ended_on IS NULL"),
    )
    op.create_index(
        "ix_membership_unit_started", "membership", ["bargaining_unit_id", "started_on"]
    )
    op.create_index(
        "ix_membership_department_started", "membership", ["department_id", "started_on"]
    )
    backfill(op.get_bind())


def downgrade():
    op.drop_index("ix_membership_department_started", table_name="membership")
    op.drop_index("ix_membership_unit_started", table_name="membership")
    op.drop_index("ix_membership_open_employee", table_name="membership")
    op.drop_index(op.f("ix_membership_employee_id"), table_name="membership")
    op.drop_table("membership")


# --- the backfill ---------------------------------------------------------------------------


def backfill(connection) -> int:
    """Write every employee's history; returns the rows written. Two reads and bulk inserts:
    the employees, and the audit trail's employee updates in the order they happened."""
    changes: dict[int, list[tuple[date, dict]]] = {}
    events = connection.exec_driver_sql(
        "SELECT object_id, occurred_at, before FROM audit_event "
        "WHERE object_type = 'Employee' AND action = 'employee.updated' "
        "ORDER BY occurred_at, id"
    )
    for object_id, occurred_at, before in events:
        replaced = _placement(_json(before))
        if replaced and object_id and object_id.isdigit():
            changes.setdefault(int(object_id), []).append((_day(occurred_at), replaced))
    employees = connection.exec_driver_sql(
        "SELECT id, bargaining_unit_id, department_id, status, hire_date FROM employee ORDER BY id"
    )
    rows: list[dict] = []
    written = 0
    for ident, unit_id, department_id, status, hire_date in employees:
        now = {"bargaining_unit_id": unit_id, "department_id": department_id, "status": status}
        for held in history(now, _as_date(hire_date), changes.get(ident, [])):
            rows.append({"employee_id": ident, **held})
        if len(rows) >= BATCH:
            connection.execute(membership.insert(), rows)
            written += len(rows)
            rows = []
    if rows:
        connection.execute(membership.insert(), rows)
        written += len(rows)
    return written


def history(now: dict, hire_date: date, changes: list[tuple[date, dict]]) -> list[dict]:
    """One employee's membership rows, oldest first: from `now` (their placement today) and
    the changes the trail recorded, oldest first, each (day, the placement values it replaced).

    The first row starts on the hire date (or the first change's day, if earlier); each change
    starts a row on its day, and a change on the day a row started rewrites that row. Changes
    of other fields (a manager, a name) leave no row of their own."""
    # Walk back from today: before the last change, its replaced values held; and so on.
    states = [dict(now)]
    for _, replaced in reversed(changes):
        states.insert(0, states[0] | replaced)
    first_day = min([hire_date, *(day for day, _ in changes)])
    held: list[dict] = [{**states[0], "started_on": first_day, "ended_on": None}]
    for (day, _), state in zip(changes, states[1:], strict=True):
        current = held[-1]
        if all(current[name] == state[name] for name in PLACEMENT):
            continue
        if day <= current["started_on"]:
            current.update(state)
            if len(held) > 1 and all(held[-2][name] == state[name] for name in PLACEMENT):
                held.pop()
                held[-1]["ended_on"] = None
            continue
        current["ended_on"] = day - timedelta(days=1)
        held.append({**state, "started_on": day, "ended_on": None})
    return held


def _placement(values: dict | None) -> dict:
    return {name: values[name] for name in PLACEMENT if values and name in values}


def _json(value):
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _day(value) -> date:
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    return date.fromisoformat(str(value)[:10])


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
