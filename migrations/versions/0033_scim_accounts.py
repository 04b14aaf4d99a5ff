"""Accounts provisioned by SCIM 2.0: beside each account the city's identity system touches,
its userName, externalId, the name's parts, the employee number it sent, the API client that
last changed it, and when it was deleted (the account itself stays).

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scim_account",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(length=254), nullable=False),
        sa.Column("external_id", sa.String(length=254), nullable=True),
        sa.Column("given_name", sa.String(length=100), nullable=True),
        sa.Column("family_name", sa.String(length=100), nullable=True),
        sa.Column("employee_number", sa.String(length=40), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_scim_account_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["api_client.id"],
            name=op.f("fk_scim_account_client_id_api_client"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_scim_account")),
        sa.UniqueConstraint("user_name", name=op.f("uq_scim_account_user_name")),
    )
    with op.batch_alter_table("scim_account") as batch:
        batch.create_index(batch.f("ix_scim_account_external_id"), ["external_id"])
        batch.create_index(batch.f("ix_scim_account_client_id"), ["client_id"])


def downgrade() -> None:
    op.drop_table("scim_account")
