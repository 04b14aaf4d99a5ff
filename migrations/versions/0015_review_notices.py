"""When a manager was told that a held autonomy level in their team needs review: each flagged
level is told once, and again only after it has been reviewed and flagged anew.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("autonomy_grant") as batch:
        batch.add_column(sa.Column("review_noticed_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("autonomy_grant") as batch:
        batch.drop_column("review_noticed_on")
