"""The changes feed's table (api_change: what changed, given its place in the feed once
committed), and API tokens for one bargaining unit's reports.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_api_change_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_change")),
        sa.UniqueConstraint("position", name=op.f("uq_api_change_position")),
    )
    with op.batch_alter_table("api_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_change_employee_id"), ["employee_id"])
        batch_op.create_index(batch_op.f("ix_api_change_occurred_at"), ["occurred_at"])
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bargaining_unit_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_api_token_bargaining_unit_id"), ["bargaining_unit_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_api_token_bargaining_unit_id_bargaining_unit"),
            "bargaining_unit",
            ["bargaining_unit_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_api_token_bargaining_unit_id_bargaining_unit"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_api_token_bargaining_unit_id"))
        batch_op.drop_column("bargaining_unit_id")
    op.drop_table("api_change")
