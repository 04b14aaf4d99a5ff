"""Autonomy: tracks and their versioned levels, grants, outcome metrics and records.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

GRANT_STATUSES = ("proposed", "active", "declined", "superseded", "revoked")


def upgrade():
    op.create_table(
        "autonomy_track",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_autonomy_track")),
        sa.UniqueConstraint("code", name=op.f("uq_autonomy_track_code")),
    )
    op.create_table(
        "outcome_metric",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("higher_is_better", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_metric")),
        sa.UniqueConstraint("code", name=op.f("uq_outcome_metric_code")),
    )
    op.create_table(
        "autonomy_level",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("discretion", sa.Text(), nullable=False),
        sa.Column("min_months", sa.Integer(), nullable=False),
        sa.Column("second_approval", sa.Boolean(), nullable=False),
        sa.Column("focused_review_days", sa.Integer(), nullable=False),
        sa.Column("outcome_metric_id", sa.Integer(), nullable=True),
        sa.Column("outcome_threshold", sa.Double(), nullable=True),
        sa.Column("outcome_window_days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(outcome_metric_id IS NULL) = (outcome_threshold IS NULL)",
            name=op.f("ck_autonomy_level_outcome_floor_whole"),
        ),
        sa.CheckConstraint(
            "min_months >= 0", name=op.f("ck_autonomy_level_min_months_not_negative")
        ),
        sa.CheckConstraint("rank >= 1", name=op.f("ck_autonomy_level_rank_positive")),
        sa.ForeignKeyConstraint(
            ["outcome_metric_id"],
            ["outcome_metric.id"],
            name=op.f("fk_autonomy_level_outcome_metric_id_outcome_metric"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["autonomy_track.id"],
            name=op.f("fk_autonomy_level_track_id_autonomy_track"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_autonomy_level")),
        sa.UniqueConstraint(
            "track_id", "rank", "version", name=op.f("uq_autonomy_level_track_id_rank_version")
        ),
    )
    with op.batch_alter_table("autonomy_level", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_autonomy_level_outcome_metric_id"), ["outcome_metric_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_autonomy_level_track_id"), ["track_id"], unique=False)

    op.create_table(
        "autonomy_track_job_profile",
        sa.Column("job_profile_id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_profile_id"],
            ["job_profile.id"],
            name=op.f("fk_autonomy_track_job_profile_job_profile_id_job_profile"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["autonomy_track.id"],
            name=op.f("fk_autonomy_track_job_profile_track_id_autonomy_track"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_profile_id", name=op.f("pk_autonomy_track_job_profile")),
    )
    with op.batch_alter_table("autonomy_track_job_profile", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_autonomy_track_job_profile_track_id"), ["track_id"], unique=False
        )

    op.create_table(
        "autonomy_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                *GRANT_STATUSES, name="grant_status", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("above_evidence", sa.Boolean(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user_account.id"],
            name=op.f("fk_autonomy_grant_approved_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_autonomy_grant_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["level_id"],
            ["autonomy_level.id"],
            name=op.f("fk_autonomy_grant_level_id_autonomy_level"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["user_account.id"],
            name=op.f("fk_autonomy_grant_proposed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_autonomy_grant")),
    )
    with op.batch_alter_table("autonomy_grant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_autonomy_grant_approved_by_id"), ["approved_by_id"], unique=False
        )
        batch_op.create_index(
            "ix_autonomy_grant_employee_status", ["employee_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_autonomy_grant_level_id"), ["level_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_autonomy_grant_proposed_by_id"), ["proposed_by_id"], unique=False
        )

    op.create_table(
        "autonomy_level_requirement",
        sa.Column("level_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.Column("min_level", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "min_level BETWEEN 1 AND 5", name=op.f("ck_autonomy_level_requirement_range")
        ),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competency.id"],
            name=op.f("fk_autonomy_level_requirement_competency_id_competency"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["level_id"],
            ["autonomy_level.id"],
            name=op.f("fk_autonomy_level_requirement_level_id_autonomy_level"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "level_id", "competency_id", name=op.f("pk_autonomy_level_requirement")
        ),
    )
    with op.batch_alter_table("autonomy_level_requirement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_autonomy_level_requirement_competency_id"),
            ["competency_id"],
            unique=False,
        )

    op.create_table(
        "outcome_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_outcome_record_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["metric_id"],
            ["outcome_metric.id"],
            name=op.f("fk_outcome_record_metric_id_outcome_metric"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_record")),
        sa.UniqueConstraint(
            "employee_id",
            "metric_id",
            "period_start",
            name=op.f("uq_outcome_record_employee_id_metric_id_period_start"),
        ),
    )
    with op.batch_alter_table("outcome_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outcome_record_metric_id"), ["metric_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("outcome_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_record_metric_id"))

    op.drop_table("outcome_record")
    with op.batch_alter_table("autonomy_level_requirement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_autonomy_level_requirement_competency_id"))

    op.drop_table("autonomy_level_requirement")
    with op.batch_alter_table("autonomy_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_autonomy_grant_proposed_by_id"))
        batch_op.drop_index(batch_op.f("ix_autonomy_grant_level_id"))
        batch_op.drop_index("ix_autonomy_grant_employee_status")
        batch_op.drop_index(batch_op.f("ix_autonomy_grant_approved_by_id"))

    op.drop_table("autonomy_grant")
    with op.batch_alter_table("autonomy_track_job_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_autonomy_track_job_profile_track_id"))

    op.drop_table("autonomy_track_job_profile")
    with op.batch_alter_table("autonomy_level", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_autonomy_level_track_id"))
        batch_op.drop_index(batch_op.f("ix_autonomy_level_outcome_metric_id"))

    op.drop_table("autonomy_level")
    op.drop_table("outcome_metric")
    op.drop_table("autonomy_track")
