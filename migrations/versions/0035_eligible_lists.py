"""Eligible lists: a completed round keeps its remaining qualified candidates, in their
categories and order, on a list for the job profile until it expires (a length in months set
on each round); offers from a list name their list and the vacancy they fill; an offer can be
withdrawn by the city when its round is cancelled.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

# Copied from hiring.rules and hiring.offers.models, so later edits there never change this.
CATEGORIES = ("best_qualified", "well_qualified", "qualified", "not_qualified")
OFFER_STATUSES = ("pending", "accepted", "declined", "lapsed")
OFFER_STATUSES_NOW = (*OFFER_STATUSES, "withdrawn")


def _in(values) -> str:
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    with op.batch_alter_table("hiring_round") as batch:
        batch.add_column(
            sa.Column("eligible_months", sa.Integer(), nullable=False, server_default="12")
        )
        batch.create_check_constraint("eligible_months_range", "eligible_months BETWEEN 1 AND 48")
    op.create_table(
        "eligible_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("job_profile_id", sa.Integer(), nullable=False),
        sa.Column("established_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "expires_on >= established_on", name=op.f("ck_eligible_list_dates_in_order")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["hiring_round.id"],
            name=op.f("fk_eligible_list_round_id_hiring_round"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["job_profile_id"],
            ["job_profile.id"],
            name=op.f("fk_eligible_list_job_profile_id_job_profile"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_eligible_list_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligible_list")),
        sa.UniqueConstraint("round_id", name=op.f("uq_eligible_list_round_id")),
    )
    op.create_index(
        "ix_eligible_list_profile_expires_on", "eligible_list", ["job_profile_id", "expires_on"]
    )
    op.create_index(op.f("ix_eligible_list_created_by_id"), "eligible_list", ["created_by_id"])
    op.create_table(
        "eligible_list_entry",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                *CATEGORIES,
                name="eligible_category",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=False,
        ),
        sa.Column("preference", sa.Boolean(), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removal_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("position >= 1", name=op.f("ck_eligible_list_entry_position_positive")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_eligible_list_entry_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["eligible_list.id"],
            name=op.f("fk_eligible_list_entry_list_id_eligible_list"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_eligible_list_entry")),
        sa.UniqueConstraint(
            "list_id", "position", name=op.f("uq_eligible_list_entry_list_id_position")
        ),
    )
    with op.batch_alter_table("job_offer") as batch:
        batch.drop_constraint("offer_status", type_="check")
        batch.alter_column(
            "status",
            existing_type=sa.String(length=8),
            type_=sa.String(length=9),
            existing_nullable=False,
        )
        batch.create_check_constraint("offer_status", _in(OFFER_STATUSES_NOW))
        batch.add_column(sa.Column("eligible_list_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("vacancy", sa.String(length=200), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_job_offer_eligible_list_id_eligible_list"),
            "eligible_list",
            ["eligible_list_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.create_index(batch.f("ix_job_offer_eligible_list_id"), ["eligible_list_id"])


def downgrade() -> None:
    op.execute("UPDATE job_offer SET status = 'declined' WHERE status = 'withdrawn'")
    with op.batch_alter_table("job_offer") as batch:
        batch.drop_index(batch.f("ix_job_offer_eligible_list_id"))
        batch.drop_constraint(
            batch.f("fk_job_offer_eligible_list_id_eligible_list"), type_="foreignkey"
        )
        batch.drop_column("vacancy")
        batch.drop_column("eligible_list_id")
        batch.drop_constraint("offer_status", type_="check")
        batch.alter_column(
            "status",
            existing_type=sa.String(length=9),
            type_=sa.String(length=8),
            existing_nullable=False,
        )
        batch.create_check_constraint("offer_status", _in(OFFER_STATUSES))
    op.drop_table("eligible_list_entry")
    op.drop_index(op.f("ix_eligible_list_created_by_id"), table_name="eligible_list")
    op.drop_index("ix_eligible_list_profile_expires_on", table_name="eligible_list")
    op.drop_table("eligible_list")
    with op.batch_alter_table("hiring_round") as batch:
        batch.drop_constraint("eligible_months_range", type_="check")
        batch.drop_column("eligible_months")
