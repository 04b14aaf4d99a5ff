"""A published report's PDF in each language it is read in: report_pdf is keyed by the
snapshot and the language (the PDFs kept so far are English's).

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_pdf", recreate="always") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )
        batch.drop_constraint("pk_report_pdf", type_="primary")
        batch.create_primary_key("pk_report_pdf", ["snapshot_id", "language"])


def downgrade() -> None:
    op.execute("DELETE FROM report_pdf WHERE language <> 'en'")
    with op.batch_alter_table("report_pdf", recreate="always") as batch:
        batch.drop_constraint("pk_report_pdf", type_="primary")
        batch.create_primary_key("pk_report_pdf", ["snapshot_id"])
        batch.drop_column("language")
