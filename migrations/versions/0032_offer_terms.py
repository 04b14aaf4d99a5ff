"""Offers answered online: each offered application's offer (grade, yearly salary in cents,
start date, conditions, the moment the answer is due), who made it and when, and the
candidate's answer (accepted, declined with a reason, or lapsed). Offers still waiting are
read by their deadline.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

# Copied from hiring.offers.models, so later edits there never change this revision.
OFFER_STATUSES = ("pending", "accepted", "declined", "lapsed")


def upgrade() -> None:
    op.create_table(
        "job_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=40), nullable=False),
        sa.Column("salary_cents", sa.BigInteger(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("respond_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                *OFFER_STATUSES,
                name="offer_status",
                native_enum=False,
                create_constraint=True,
                length=8,
            ),
            nullable=False,
        ),
        sa.Column("made_by_id", sa.Integer(), nullable=True),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("salary_cents > 0", name=op.f("ck_job_offer_salary_positive")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_job_offer_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["made_by_id"],
            ["user_account.id"],
            name=op.f("fk_job_offer_made_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_offer")),
        sa.UniqueConstraint("application_id", name=op.f("uq_job_offer_application_id")),
    )
    with op.batch_alter_table("job_offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_offer_made_by_id"), ["made_by_id"])
        batch_op.create_index("ix_job_offer_status_respond_by", ["status", "respond_by"])


def downgrade() -> None:
    op.drop_table("job_offer")
