"""Name search in the workforce directory uses a trigram index on PostgreSQL.

A person types part of a name; `first_name || ' ' || last_name ILIKE '%...%'` can use a GIN
index of trigrams (pg_trgm) instead of reading every employee. SQLite has no such index
and keeps scanning, which is fine at the sizes it serves. The index lives only in the
database (names ending in _trgm; see civicladder.db.include_in_schema_comparison), since the models cannot say
"PostgreSQL only" in a way the schema comparison understands.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEX = "ix_employee_full_name_trgm"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # pg_trgm is a trusted extension: the database's owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        f"CREATE INDEX {INDEX} ON employee "
        "USING gin ((first_name || ' ' || last_name) gin_trgm_ops)"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
