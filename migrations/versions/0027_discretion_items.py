"""A level's discretion as items (`discretion_item`): a stable key other systems ask about, the
words people read, and an optional limit with its unit. Each level's plain-language lines
become items without limits, keyed from their words; the text column goes.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

_KEY_LENGTH = 60


def _key(words: str, taken: set[str]) -> str:
    """A key made from the words (lowercase, hyphens), unique within its level."""
    base = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:_KEY_LENGTH].rstrip("-")
    base = base or "item"
    key, number = base, 2
    while key in taken:
        suffix = f"-{number}"
        key = base[: _KEY_LENGTH - len(suffix)].rstrip("-") + suffix
        number += 1
    taken.add(key)
    return key


def upgrade() -> None:
    op.create_table(
        "discretion_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("limit_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "(limit_amount IS NULL) OR (limit_amount >= 0)",
            name=op.f("ck_discretion_item_limit_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["level_id"],
            ["autonomy_level.id"],
            name=op.f("fk_discretion_item_level_id_autonomy_level"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discretion_item")),
        sa.UniqueConstraint("level_id", "key", name=op.f("uq_discretion_item_level_id_key")),
    )
    op.create_index(op.f("ix_discretion_item_key"), "discretion_item", ["key"])
    op.create_index(op.f("ix_discretion_item_level_id"), "discretion_item", ["level_id"])

    connection = op.get_bind()
    items = []
    for level_id, text in connection.execute(
        sa.text("SELECT id, discretion FROM autonomy_level ORDER BY id")
    ):
        taken: set[str] = set()
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
        for position, line in enumerate(lines, start=1):
            items.append(
                {
                    "level_id": level_id,
                    "position": position,
                    "key": _key(line, taken),
                    "words": line,
                    "unit": "",
                }
            )
    if items:
        connection.execute(
            sa.text(
                "INSERT INTO discretion_item (level_id, position, key, words, unit) "
                "VALUES (:level_id, :position, :key, :words, :unit)"
            ),
            items,
        )
    with op.batch_alter_table("autonomy_level") as batch:
        batch.drop_column("discretion")


def downgrade() -> None:
    with op.batch_alter_table("autonomy_level") as batch:
        batch.add_column(sa.Column("discretion", sa.Text(), nullable=False, server_default=""))
    connection = op.get_bind()
    lines: dict[int, list[str]] = {}
    for level_id, words in connection.execute(
        sa.text("SELECT level_id, words FROM discretion_item ORDER BY level_id, position")
    ):
        lines.setdefault(level_id, []).append(words)
    for level_id, words in lines.items():
        connection.execute(
            sa.text("UPDATE autonomy_level SET discretion = :text WHERE id = :id"),
            {"text": "\n".join(words), "id": level_id},
        )
    op.drop_index(op.f("ix_discretion_item_level_id"), table_name="discretion_item")
    op.drop_index(op.f("ix_discretion_item_key"), table_name="discretion_item")
    op.drop_table("discretion_item")
