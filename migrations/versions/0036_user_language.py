"""The language each person chose for their pages and email (None: their browser's), and the
language each candidate applied in (None: English), for their status page and email. Settings
an administrator changes in the app (site_setting: password sign-in for everyone, or for the
break-glass administrators only), and which accounts are break-glass.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=8), nullable=True))
        batch.add_column(
            sa.Column("break_glass", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("application") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=8), nullable=True))
    op.create_table(
        "site_setting",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("site_setting")
    with op.batch_alter_table("application") as batch:
        batch.drop_column("locale")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("break_glass")
        batch.drop_column("locale")
