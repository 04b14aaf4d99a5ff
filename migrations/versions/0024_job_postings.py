"""Job postings: a round states its agency and work location, schedule and weekly hours, yearly
pay range in cents, duties, working conditions, how long the process takes, the time of day it
closes and whom to ask for a reasonable accommodation. Open rounds are read by closing date.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# Copied from hiring.models, so later edits there never change this revision.
WORK_SCHEDULES = ("full_time", "part_time")


def upgrade():
    with op.batch_alter_table("hiring_round") as batch:
        batch.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("work_location", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column(
                "schedule",
                sa.Enum(
                    *WORK_SCHEDULES,
                    name="work_schedule",
                    native_enum=False,
                    create_constraint=True,
                    length=9,
                ),
                nullable=False,
                server_default="full_time",
            )
        )
        batch.add_column(sa.Column("weekly_hours", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("pay_min_cents", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("pay_max_cents", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("duties", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("working_conditions", sa.Text(), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("process_weeks", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("closing_time", sa.Time(), nullable=False, server_default="23:59:00")
        )
        batch.add_column(
            sa.Column(
                "accommodation_contact", sa.String(length=200), nullable=False, server_default=""
            )
        )
        batch.create_foreign_key(
            op.f("fk_hiring_round_agency_id_department"),
            "department",
            ["agency_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.create_index(op.f("ix_hiring_round_agency_id"), ["agency_id"], unique=False)
        batch.create_index("ix_hiring_round_status_closes_on", ["status", "closes_on"])
        batch.create_check_constraint(
            "pay_range_in_order", "pay_min_cents >= 0 AND pay_max_cents >= pay_min_cents"
        )
        batch.create_check_constraint("weekly_hours_range", "weekly_hours BETWEEN 1 AND 80")
        batch.create_check_constraint("process_weeks_range", "process_weeks BETWEEN 1 AND 52")


def downgrade():
    with op.batch_alter_table("hiring_round") as batch:
        batch.drop_constraint("process_weeks_range", type_="check")
        batch.drop_constraint("weekly_hours_range", type_="check")
        batch.drop_constraint("pay_range_in_order", type_="check")
        batch.drop_index("ix_hiring_round_status_closes_on")
        batch.drop_index(op.f("ix_hiring_round_agency_id"))
        batch.drop_constraint(op.f("fk_hiring_round_agency_id_department"), type_="foreignkey")
        for column in (
            "accommodation_contact",
            "closing_time",
            "process_weeks",
            "working_conditions",
            "duties",
            "pay_max_cents",
            "pay_min_cents",
            "weekly_hours",
            "schedule",
            "agency_id",
        ):
            batch.drop_column(column)
