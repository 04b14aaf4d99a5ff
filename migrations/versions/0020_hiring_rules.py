"""Hiring rules that hold: a round remembers the one-time token of the form that created it
(unique, so a double-submitted form makes one round), and an offer keeps the written
justification HR gave with it (needed when it passes over a preference-eligible candidate).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("hiring_round") as batch:
        batch.add_column(sa.Column("form_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_hiring_round_form_key"), ["form_key"])
    with op.batch_alter_table("application") as batch:
        batch.add_column(sa.Column("offer_justification", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("application") as batch:
        batch.drop_column("offer_justification")
    with op.batch_alter_table("hiring_round") as batch:
        batch.drop_constraint(op.f("uq_hiring_round_form_key"), type_="unique")
        batch.drop_column("form_key")
