"""CASE identifiers: every competency category, competency and proficiency descriptor keeps a
CASE identifier (a UUID; the ones already here get a new one each), categories and
competencies the time they last changed, and the framework its CASE document (framework_document).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

# (table, its primary key columns, whether it keeps the time it last changed)
TABLES = (
    ("competency_category", ("id",), True),
    ("competency", ("id",), True),
    ("proficiency_descriptor", ("competency_id", "level"), False),
)


def upgrade() -> None:
    op.create_table(
        "framework_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_identifier", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("creator", sa.String(length=300), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_document")),
        sa.UniqueConstraint("case_identifier", name=op.f("uq_framework_document_case_identifier")),
    )
    for table, key, dated in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("case_identifier", sa.String(length=36), nullable=True))
            if dated:
                batch_op.add_column(
                    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True)
                )
        _fill(table, key, dated)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "case_identifier", existing_type=sa.String(length=36), nullable=False
            )
            if dated:
                batch_op.alter_column(
                    "changed_at", existing_type=sa.DateTime(timezone=True), nullable=False
                )
            batch_op.create_unique_constraint(
                batch_op.f(f"uq_{table}_case_identifier"), ["case_identifier"]
            )


def _fill(table: str, key: tuple[str, ...], dated: bool) -> None:
    """A new identifier for each row already here (one statement per table, many parameters)."""
    connection = op.get_bind()
    columns = ", ".join(key)
    rows = connection.execute(sa.text(f"SELECT {columns} FROM {table}")).all()  # noqa: S608
    if not rows:
        return
    where = " AND ".join(f"{column} = :{column}" for column in key)
    sets = "case_identifier = :case_identifier" + (", changed_at = :changed_at" if dated else "")
    now = datetime.now(UTC)
    statement = sa.text(f"UPDATE {table} SET {sets} WHERE {where}")  # noqa: S608
    if dated:
        statement = statement.bindparams(sa.bindparam("changed_at", type_=sa.DateTime(True)))
    connection.execute(
        statement,
        [
            dict(zip(key, row, strict=True))
            | {"case_identifier": str(uuid.uuid4())}
            | ({"changed_at": now} if dated else {})
            for row in rows
        ],
    )


def downgrade() -> None:
    for table, _, dated in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_case_identifier"), type_="unique")
            batch_op.drop_column("case_identifier")
            if dated:
                batch_op.drop_column("changed_at")
    op.drop_table("framework_document")
