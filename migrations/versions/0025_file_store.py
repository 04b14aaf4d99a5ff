"""The file store: files every app server can read, in the database (in 1 MiB chunks) or, with
FILES_S3_BUCKET set, as objects in a bucket with their metadata here. An application's file and
a published report's PDF point to a stored file.

Files already in an instance folder stay where they are, named by `application.file_key`, until
`flask files import-disk` moves them (run on every server that took uploads: a migration runs
once, on one machine, and cannot read the others' disks). Snapshots published before get their
PDF rendered and kept on the first download.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("object_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_file")),
        sa.UniqueConstraint("object_key", name=op.f("uq_stored_file_object_key")),
    )
    op.create_table(
        "stored_file_chunk",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_stored_file_chunk_file_id_stored_file"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_id", "position", name=op.f("pk_stored_file_chunk")),
    )
    op.create_table(
        "report_pdf",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["report_snapshot.id"],
            name=op.f("fk_report_pdf_snapshot_id_report_snapshot"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_report_pdf_file_id_stored_file"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", name=op.f("pk_report_pdf")),
        sa.UniqueConstraint("file_id", name=op.f("uq_report_pdf_file_id")),
    )
    with op.batch_alter_table("application") as batch:
        batch.add_column(sa.Column("file_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_application_file_id_stored_file"),
            "stored_file",
            ["file_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.create_index(op.f("ix_application_file_id"), ["file_id"])


def downgrade() -> None:
    with op.batch_alter_table("application") as batch:
        batch.drop_index(op.f("ix_application_file_id"))
        batch.drop_constraint(op.f("fk_application_file_id_stored_file"), type_="foreignkey")
        batch.drop_column("file_id")
    op.drop_table("report_pdf")
    op.drop_table("stored_file_chunk")
    op.drop_table("stored_file")
