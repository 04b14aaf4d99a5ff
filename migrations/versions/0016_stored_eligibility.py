"""Eligibility as last computed, for pages that read it across a large line: each person's
readiness for their next level, and each held level's conditions (requirements unmet, outcome
mean, floor reached), and each job's outcomes over the last 90 days, the peers that the
supervision dashboard sets each person against. Rewritten by
`flask autonomy eligibility` and, for one person, whenever their evidence, level or job changes.

The two tables hold no foreign keys: they are rewritten whole from tables that do, and each
row's key check (a lock on the employee's row) made a city's rewrite several times slower.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "autonomy_eligibility",
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("next_level_id", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("served", sa.Boolean(), nullable=False),
        sa.Column("outcome_mean", sa.Double(), nullable=True),
        sa.Column("ready", sa.Boolean(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("employee_id", name=op.f("pk_autonomy_eligibility")),
    )
    op.create_table(
        "autonomy_held_level",
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("outcome_mean", sa.Double(), nullable=True),
        sa.Column("outcome_reached", sa.Boolean(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("grant_id", name=op.f("pk_autonomy_held_level")),
    )
    op.create_index("ix_autonomy_held_level_employee_id", "autonomy_held_level", ["employee_id"])
    op.create_table(
        "autonomy_peer_stats",
        sa.Column("job_profile_id", sa.Integer(), nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("mean", sa.Double(), nullable=False),
        sa.Column("spread", sa.Double(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job_profile_id", "metric_id", name=op.f("pk_autonomy_peer_stats")),
    )
    # Held levels whose review date has come are found by date.
    op.create_index("ix_autonomy_grant_status_review_on", "autonomy_grant", ["status", "review_on"])


def downgrade():
    op.drop_index("ix_autonomy_grant_status_review_on", table_name="autonomy_grant")
    op.drop_table("autonomy_peer_stats")
    op.drop_index("ix_autonomy_held_level_employee_id", table_name="autonomy_held_level")
    op.drop_table("autonomy_held_level")
    op.drop_table("autonomy_eligibility")
