"""Bargaining units' stored figures, read by union reps' homes instead of counting each visit.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "unit_figure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bargaining_unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bargaining_unit_id"],
            ["bargaining_unit.id"],
            name=op.f("fk_unit_figure_bargaining_unit_id_bargaining_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_figure")),
    )
    with op.batch_alter_table("unit_figure", schema=None) as batch_op:
        batch_op.create_index(
            "ix_unit_figure_unit_kind", ["bargaining_unit_id", "kind"], unique=False
        )


def downgrade():
    with op.batch_alter_table("unit_figure", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_figure_unit_kind")

    op.drop_table("unit_figure")
