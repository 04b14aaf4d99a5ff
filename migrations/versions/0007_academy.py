"""The academy: courses with their outcomes and prerequisites, sessions with a seat counter
that never passes capacity, enrolments (one per person and session), certificates, ratings.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Copied from academy.models as they stand at this revision.
DELIVERY_MODES = ("in_person", "online", "blended")
ENROLLMENT_STATUSES = (
    "requested",
    "approved",
    "enrolled",
    "waitlisted",
    "attended",
    "completed",
    "failed",
    "no_show",
    "withdrawn",
    "declined",
)


def upgrade():
    op.create_table(
        "course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column(
            "delivery_mode",
            sa.Enum(
                *DELIVERY_MODES,
                name="delivery_mode",
                native_enum=False,
                create_constraint=True,
                length=9,
            ),
            nullable=False,
        ),
        sa.Column("needs_manager_approval", sa.Boolean(), nullable=False),
        sa.CheckConstraint("hours BETWEEN 1 AND 1000", name=op.f("ck_course_hours_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course")),
        sa.UniqueConstraint("code", name=op.f("uq_course_code")),
    )
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_delivery_mode"), ["delivery_mode"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_course_title"), ["title"], unique=False)

    op.create_table(
        "course_course_prerequisite",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("required_course_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "course_id <> required_course_id", name=op.f("ck_course_course_prerequisite_not_itself")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_course_course_prerequisite_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["required_course_id"],
            ["course.id"],
            name=op.f("fk_course_course_prerequisite_required_course_id_course"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "course_id", "required_course_id", name=op.f("pk_course_course_prerequisite")
        ),
    )
    with op.batch_alter_table("course_course_prerequisite", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_course_prerequisite_required_course_id"),
            ["required_course_id"],
            unique=False,
        )

    op.create_table(
        "course_level_prerequisite",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.Column("min_level", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "min_level BETWEEN 1 AND 5", name=op.f("ck_course_level_prerequisite_min_level_range")
        ),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competency.id"],
            name=op.f("fk_course_level_prerequisite_competency_id_competency"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_course_level_prerequisite_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "course_id", "competency_id", name=op.f("pk_course_level_prerequisite")
        ),
    )
    with op.batch_alter_table("course_level_prerequisite", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_level_prerequisite_competency_id"),
            ["competency_id"],
            unique=False,
        )

    op.create_table(
        "course_outcome",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("validity_months", sa.Integer(), nullable=True),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name=op.f("ck_course_outcome_level_range")),
        sa.CheckConstraint(
            "validity_months IS NULL OR validity_months > 0",
            name=op.f("ck_course_outcome_validity"),
        ),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competency.id"],
            name=op.f("fk_course_outcome_competency_id_competency"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_course_outcome_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("course_id", "competency_id", name=op.f("pk_course_outcome")),
    )
    with op.batch_alter_table("course_outcome", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_outcome_competency_id"), ["competency_id"], unique=False
        )

    op.create_table(
        "course_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("online_url", sa.String(length=500), nullable=False),
        sa.Column("instructor_id", sa.Integer(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("enrolled", sa.Integer(), nullable=False),
        sa.Column("arrivals", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "capacity BETWEEN 1 AND 10000", name=op.f("ck_course_session_capacity_range")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_course_session_ends_after_start")),
        sa.CheckConstraint("enrolled <= capacity", name=op.f("ck_course_session_within_capacity")),
        sa.CheckConstraint("enrolled >= 0", name=op.f("ck_course_session_enrolled_not_negative")),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_course_session_course_id_course"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["instructor_id"],
            ["employee.id"],
            name=op.f("fk_course_session_instructor_id_employee"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_session")),
    )
    with op.batch_alter_table("course_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_session_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_course_session_instructor_id"), ["instructor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_course_session_starts_at"), ["starts_at"], unique=False
        )

    op.create_table(
        "enrollment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                *ENROLLMENT_STATUSES,
                name="enrollment_status",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("arrival", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("result_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_enrollment_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_enrollment_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_session.id"],
            name=op.f("fk_enrollment_session_id_course_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment")),
        sa.UniqueConstraint(
            "session_id", "employee_id", name=op.f("uq_enrollment_session_id_employee_id")
        ),
    )
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrollment_decided_by_id"), ["decided_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enrollment_employee_id"), ["employee_id"], unique=False
        )
        batch_op.create_index(
            "ix_enrollment_session_status_arrival",
            ["session_id", "status", "arrival"],
            unique=False,
        )

    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
            name=op.f("fk_certificate_enrollment_id_enrollment"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate")),
        sa.UniqueConstraint("code", name=op.f("uq_certificate_code")),
        sa.UniqueConstraint("enrollment_id", name=op.f("uq_certificate_enrollment_id")),
    )
    op.create_table(
        "session_rating",
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_session_rating_rating_range")),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
            name=op.f("fk_session_rating_enrollment_id_enrollment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_session.id"],
            name=op.f("fk_session_rating_session_id_course_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enrollment_id", name=op.f("pk_session_rating")),
    )
    with op.batch_alter_table("session_rating", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_rating_session_id"), ["session_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("session_rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_rating_session_id"))

    op.drop_table("session_rating")
    op.drop_table("certificate")
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollment_session_status_arrival")
        batch_op.drop_index(batch_op.f("ix_enrollment_employee_id"))
        batch_op.drop_index(batch_op.f("ix_enrollment_decided_by_id"))

    op.drop_table("enrollment")
    with op.batch_alter_table("course_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_session_starts_at"))
        batch_op.drop_index(batch_op.f("ix_course_session_instructor_id"))
        batch_op.drop_index(batch_op.f("ix_course_session_course_id"))

    op.drop_table("course_session")
    with op.batch_alter_table("course_outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_outcome_competency_id"))

    op.drop_table("course_outcome")
    with op.batch_alter_table("course_level_prerequisite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_level_prerequisite_competency_id"))

    op.drop_table("course_level_prerequisite")
    with op.batch_alter_table("course_course_prerequisite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_course_prerequisite_required_course_id"))

    op.drop_table("course_course_prerequisite")
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_title"))
        batch_op.drop_index(batch_op.f("ix_course_delivery_mode"))

    op.drop_table("course")
