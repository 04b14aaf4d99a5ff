"""Units' live reports as the scheduler last counted them: at a city's size a unit of 100,000
members takes seconds to count, so its page reads the stored figures and says when they were
counted. A cache, rewritten whole by `flask reports refresh-live`: no foreign keys.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_live",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_kind", sa.String(length=20), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_live")),
        sa.UniqueConstraint(
            "scope_kind",
            "scope_id",
            "period",
            name=op.f("uq_report_live_scope_kind_scope_id_period"),
        ),
    )


def downgrade():
    op.drop_table("report_live")
