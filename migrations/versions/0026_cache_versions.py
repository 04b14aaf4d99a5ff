"""Versions of what the app servers cache between requests (`civicladder.caching`): one row per
cached thing, its version moved by the change that invalidates it.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cache_version",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_version")),
    )


def downgrade() -> None:
    op.drop_table("cache_version")
