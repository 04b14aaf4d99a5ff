"""What the reports' protection decided for each block (a unit's or an agency's year), kept so
an unchanged block is not protected again, and the years of each reader the disclosure audit
last found clean, so the next audit checks only the years that changed. Caches keyed by the
SHA-256 of their inputs: no foreign keys.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_kind", sa.String(length=20), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("inputs_hash", sa.String(length=64), nullable=False),
        sa.Column("hidden", sa.LargeBinary(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_block")),
        sa.UniqueConstraint(
            "scope_kind", "scope_id", "year", name=op.f("uq_report_block_scope_kind_scope_id_year")
        ),
    )
    op.create_table(
        "report_audited_year",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reader", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_audited_year")),
        sa.UniqueConstraint("reader", "year", name=op.f("uq_report_audited_year_reader_year")),
    )


def downgrade():
    op.drop_table("report_audited_year")
    op.drop_table("report_block")
