"""When a held autonomy level was last reviewed: empty until its focused review is closed, so the
first review after a grant (a focused review of the period since it took effect) is told apart
from the ongoing yearly ones.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("autonomy_grant") as batch:
        batch.add_column(sa.Column("reviewed_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("autonomy_grant") as batch:
        batch.drop_column("reviewed_on")
