"""The API's writes made with an Idempotency-Key: the key, a fingerprint of the request and the
answer given, so a retried write is answered again without being done twice.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_idempotent_write",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("body", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["api_client.id"],
            name=op.f("fk_api_idempotent_write_client_id_api_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotent_write")),
        sa.UniqueConstraint("client_id", "key", name=op.f("uq_api_idempotent_write_client_id_key")),
    )
    with op.batch_alter_table("api_idempotent_write", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_idempotent_write_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_api_idempotent_write_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("api_idempotent_write")
