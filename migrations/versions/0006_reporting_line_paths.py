"""Reporting lines as materialised paths: employee.line_path, filled from the manager links.

"/1/39/512/" is employee 512 under 39 under 1; a manager's whole line is one prefix of an
indexed column instead of a recursive walk per request (see people/lines.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FILL = """
    WITH RECURSIVE tree(id, path) AS (
        SELECT id, '/' || CAST(id AS VARCHAR(20)) || '/'
        FROM employee WHERE manager_id IS NULL
        UNION ALL
        SELECT e.id, tree.path || CAST(e.id AS VARCHAR(20)) || '/'
        FROM employee e JOIN tree ON e.manager_id = tree.id
    )
    UPDATE employee SET line_path = tree.path FROM tree WHERE employee.id = tree.id
"""


def upgrade():
    with op.batch_alter_table("employee") as batch:
        batch.add_column(sa.Column("line_path", sa.String(length=400), nullable=True))
    op.execute(FILL)
    op.create_index(
        "ix_employee_line_path",
        "employee",
        ["line_path"],
        postgresql_ops={"line_path": "text_pattern_ops"},
    )


def downgrade():
    op.drop_index("ix_employee_line_path", table_name="employee")
    with op.batch_alter_table("employee") as batch:
        batch.drop_column("line_path")
