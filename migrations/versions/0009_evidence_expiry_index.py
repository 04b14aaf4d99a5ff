"""Evidence by expiry date: the list of evidence expiring within 60 days reads an index range.

Without it the list read every evidence row to find the few that expire soon (3 million at a
New York-sized city).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_competency_evidence_expires_on", "competency_evidence", ["expires_on"])


def downgrade():
    op.drop_index("ix_competency_evidence_expires_on", table_name="competency_evidence")
