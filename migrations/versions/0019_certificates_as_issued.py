"""Certificates keep what they certified at issue (course code, title and hours, the session's
first and last day, the instructor, the levels granted) and can be revoked; competency evidence
can be withdrawn by a record of its own (the evidence row stays as it was).

Existing certificates are filled from their course and session as they stand now, the best
record there is. Their days are the session's days in the city's time zone.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

import os
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# Copied from civicladder.config, so later changes there never change this migration.
DEFAULT_DISPLAY_TIMEZONE = "America/New_York"
FROZEN = ("course_code", "course_title", "hours", "first_day", "last_day", "outcomes")


def upgrade():
    op.create_table(
        "competency_evidence_withdrawal",
        sa.Column(
            "evidence_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["competency_evidence.id"],
            name=op.f("fk_competency_evidence_withdrawal_evidence_id_competency_evidence"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["user_account.id"],
            name=op.f("fk_competency_evidence_withdrawal_withdrawn_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("evidence_id", name=op.f("pk_competency_evidence_withdrawal")),
    )
    op.create_index(
        op.f("ix_competency_evidence_withdrawal_withdrawn_by_id"),
        "competency_evidence_withdrawal",
        ["withdrawn_by_id"],
    )
    with op.batch_alter_table("certificate") as batch:
        batch.add_column(sa.Column("course_code", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("course_title", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("hours", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("first_day", sa.Date(), nullable=True))
        batch.add_column(sa.Column("last_day", sa.Date(), nullable=True))
        batch.add_column(sa.Column("instructor_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("outcomes", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("revocation_reason", sa.Text(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_certificate_revoked_by_id_user_account"),
            "user_account",
            ["revoked_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_certificate_revoked_by_id"), ["revoked_by_id"])
    _fill_from_sessions()
    with op.batch_alter_table("certificate") as batch:
        for name, kind in (
            ("course_code", sa.String(length=30)),
            ("course_title", sa.String(length=200)),
            ("hours", sa.Integer()),
            ("first_day", sa.Date()),
            ("last_day", sa.Date()),
            ("instructor_name", sa.String(length=200)),
            ("outcomes", sa.JSON()),
            ("revocation_reason", sa.Text()),
        ):
            batch.alter_column(name, existing_type=kind, nullable=False)


def _fill_from_sessions():
    """One UPDATE per session that has certificates (a city has far fewer sessions than
    certificates), with its course's outcomes as they stand."""
    bind = op.get_bind()
    zone = ZoneInfo(os.environ.get("DISPLAY_TIMEZONE") or DEFAULT_DISPLAY_TIMEZONE)
    outcomes: dict[int, list] = {}
    for course_id, code, name, level, months in bind.execute(
        sa.text(
            "SELECT o.course_id, c.code, c.name, o.level, o.validity_months "
            "FROM course_outcome o JOIN competency c ON c.id = o.competency_id "
            "ORDER BY o.course_id, o.competency_id"
        )
    ):
        outcomes.setdefault(course_id, []).append(
            {"code": code, "name": name, "level": level, "validity_months": months}
        )
    sessions = bind.execute(
        sa.text(
            "SELECT s.id, s.starts_at, s.ends_at, s.course_id, c.code, c.title, c.hours, "
            "i.first_name, i.last_name FROM course_session s "
            "JOIN course c ON c.id = s.course_id "
            "LEFT JOIN employee i ON i.id = s.instructor_id "
            "WHERE EXISTS (SELECT 1 FROM enrollment e JOIN certificate t "
            "ON t.enrollment_id = e.id WHERE e.session_id = s.id)"
        )
    ).all()
    update = sa.text(
        "UPDATE certificate SET course_code = :code, course_title = :title, hours = :hours, "
        "first_day = :first_day, last_day = :last_day, instructor_name = :instructor, "
        "outcomes = :outcomes, revocation_reason = '' "
        "WHERE enrollment_id IN (SELECT id FROM enrollment WHERE session_id = :session_id)"
    ).bindparams(sa.bindparam("outcomes", type_=sa.JSON()))
    rows = [
        {
            "session_id": sid,
            "code": code,
            "title": title,
            "hours": hours,
            "first_day": _local_day(starts_at, zone),
            "last_day": _local_day(ends_at, zone),
            "instructor": f"{first} {last}" if first is not None else "",
            "outcomes": outcomes.get(course_id, []),
        }
        for sid, starts_at, ends_at, course_id, code, title, hours, first, last in sessions
    ]
    for start in range(0, len(rows), 1000):
        bind.execute(update, rows[start : start + 1000])


def _local_day(value, zone):
    from datetime import UTC, datetime

    if isinstance(value, str):  # SQLite hands back text
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).date()


def downgrade():
    with op.batch_alter_table("certificate") as batch:
        batch.drop_index(op.f("ix_certificate_revoked_by_id"))
        batch.drop_constraint(op.f("fk_certificate_revoked_by_id_user_account"), type_="foreignkey")
        for name in (
            *FROZEN,
            "instructor_name",
            "revoked_at",
            "revoked_by_id",
            "revocation_reason",
        ):
            batch.drop_column(name)
    op.drop_index(
        op.f("ix_competency_evidence_withdrawal_withdrawn_by_id"),
        table_name="competency_evidence_withdrawal",
    )
    op.drop_table("competency_evidence_withdrawal")
