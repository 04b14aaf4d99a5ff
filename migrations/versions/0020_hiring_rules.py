"""Hiring rules that hold: an offer keeps the written justification HR gave with it (needed
when it passes over a preference-eligible candidate).

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("application") as batch:
        batch.add_column(sa.Column("offer_justification", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("application") as batch:
        batch.drop_column("offer_justification")
