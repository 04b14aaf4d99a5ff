"""Shared progress reports: published snapshots (frozen figures and their content hash) and the
comments union representatives and HR leave on them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bargaining_unit_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(bargaining_unit_id IS NULL) <> (department_id IS NULL)",
            name=op.f("ck_report_snapshot_one_scope"),
        ),
        sa.ForeignKeyConstraint(
            ["bargaining_unit_id"],
            ["bargaining_unit.id"],
            name=op.f("fk_report_snapshot_bargaining_unit_id_bargaining_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_report_snapshot_department_id_department"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user_account.id"],
            name=op.f("fk_report_snapshot_published_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_snapshot")),
        sa.UniqueConstraint(
            "bargaining_unit_id",
            "period",
            name=op.f("uq_report_snapshot_bargaining_unit_id_period"),
        ),
        sa.UniqueConstraint(
            "department_id", "period", name=op.f("uq_report_snapshot_department_id_period")
        ),
    )
    with op.batch_alter_table("report_snapshot", schema=None) as batch_op:
        for column in ("bargaining_unit_id", "department_id", "period", "content_hash"):
            batch_op.create_index(
                batch_op.f(f"ix_report_snapshot_{column}"), [column], unique=False
            )
        batch_op.create_index(
            batch_op.f("ix_report_snapshot_published_by_id"), ["published_by_id"], unique=False
        )

    op.create_table(
        "report_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("author_side", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["report_snapshot.id"],
            name=op.f("fk_report_comment_snapshot_id_report_snapshot"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_report_comment_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_comment")),
    )
    with op.batch_alter_table("report_comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_comment_snapshot_id"), ["snapshot_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_report_comment_author_id"), ["author_id"], unique=False
        )


def downgrade():
    op.drop_table("report_comment")
    op.drop_table("report_snapshot")
