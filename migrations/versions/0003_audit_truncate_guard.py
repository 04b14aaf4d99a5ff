"""Refuse TRUNCATE on the audit trail (PostgreSQL), as UPDATE and DELETE already are.

Row-level triggers never see TRUNCATE, so 0001's guard let `TRUNCATE audit_event` empty the
table. A statement-level BEFORE TRUNCATE trigger refuses it. SQLite has no TRUNCATE (its
`DELETE FROM` without a WHERE still fires the row triggers), so there is nothing to add there.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GUARD_FUNCTION = """
CREATE FUNCTION audit_event_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: TRUNCATE is refused';
END
$$
"""

GUARD_TRIGGER = """
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
FOR EACH STATEMENT EXECUTE FUNCTION audit_event_no_truncate()
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(GUARD_FUNCTION)
    op.execute(GUARD_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    op.execute("DROP FUNCTION IF EXISTS audit_event_no_truncate()")
