"""The link between a user account and an employee moves to the people side.

`user_account.employee_id` pointed from the shell up to people. The same link is now
`employee.user_id`, owned by the people package; every existing link is carried over.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("employee") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_unique_constraint(batch.f("uq_employee_user_id"), ["user_id"])
        batch.create_foreign_key(
            batch.f("fk_employee_user_id_user_account"),
            "user_account",
            ["user_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE employee SET user_id = (SELECT u.id FROM user_account u "
        "WHERE u.employee_id = employee.id)"
    )
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint(batch.f("uq_user_account_employee_id"), type_="unique")
        batch.drop_constraint(batch.f("fk_user_account_employee_id_employee"), type_="foreignkey")
        batch.drop_column("employee_id")


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("employee_id", sa.Integer(), nullable=True))
        batch.create_unique_constraint(batch.f("uq_user_account_employee_id"), ["employee_id"])
        batch.create_foreign_key(
            batch.f("fk_user_account_employee_id_employee"),
            "employee",
            ["employee_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE user_account SET employee_id = (SELECT e.id FROM employee e "
        "WHERE e.user_id = user_account.id)"
    )
    with op.batch_alter_table("employee") as batch:
        batch.drop_constraint(batch.f("uq_employee_user_id"), type_="unique")
        batch.drop_constraint(batch.f("fk_employee_user_id_user_account"), type_="foreignkey")
        batch.drop_column("user_id")
