"""Hiring: rounds with their questions, rubric and panel; applications with answers and
voluntary self-identification (a table apart); assessments with scores; consensus scores.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Copied from hiring.models, so later edits there never change this revision.
ROUND_STATUSES = ("draft", "open", "closed", "assessing", "ranked", "completed", "cancelled")
APPLICATION_STATUSES = (
    "submitted",
    "screened_in",
    "screened_out",
    "assessed",
    "shortlisted",
    "offered",
    "hired",
    "declined",
    "withdrawn",
)


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True)


def upgrade():
    op.create_table(
        "hiring_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_profile_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("openings", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("status", _enum(ROUND_STATUSES, "round_status"), nullable=False),
        sa.Column("best_qualified_from", sa.Integer(), nullable=False),
        sa.Column("well_qualified_from", sa.Integer(), nullable=False),
        sa.Column("qualified_from", sa.Integer(), nullable=False),
        sa.Column("veterans_preference", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "best_qualified_from >= well_qualified_from AND well_qualified_from >= qualified_from AND qualified_from >= 100 AND best_qualified_from <= 500",
            name=op.f("ck_hiring_round_thresholds_in_order"),
        ),
        sa.CheckConstraint("closes_on >= opens_on", name=op.f("ck_hiring_round_dates_in_order")),
        sa.CheckConstraint("openings >= 1", name=op.f("ck_hiring_round_openings_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_hiring_round_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_profile_id"],
            ["job_profile.id"],
            name=op.f("fk_hiring_round_job_profile_id_job_profile"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hiring_round")),
    )
    with op.batch_alter_table("hiring_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hiring_round_closes_on"), ["closes_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hiring_round_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_hiring_round_job_profile_id"), ["job_profile_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hiring_round_status"), ["status"], unique=False)

    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("candidate_code", sa.String(length=12), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("work_sample", sa.Text(), nullable=False),
        sa.Column("status", _enum(APPLICATION_STATUSES, "application_status"), nullable=False),
        sa.Column("status_token_hash", sa.String(length=64), nullable=False),
        sa.Column("screen_reason", sa.Text(), nullable=False),
        sa.Column("preference_eligible", sa.Boolean(), nullable=False),
        sa.Column("file_key", sa.String(length=32), nullable=True),
        sa.Column("file_name", sa.String(length=100), nullable=True),
        sa.Column("file_type", sa.String(length=40), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_application_employee_id_employee"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["hiring_round.id"],
            name=op.f("fk_application_round_id_hiring_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
        sa.UniqueConstraint("candidate_code", name=op.f("uq_application_candidate_code")),
        sa.UniqueConstraint("round_id", "email", name=op.f("uq_application_round_id_email")),
        sa.UniqueConstraint("status_token_hash", name=op.f("uq_application_status_token_hash")),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_employee_id"), ["employee_id"], unique=False
        )
        batch_op.create_index("ix_application_round_status", ["round_id", "status"], unique=False)

    op.create_table(
        "panel_member",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["hiring_round.id"],
            name=op.f("fk_panel_member_round_id_hiring_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_panel_member_user_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("round_id", "user_id", name=op.f("pk_panel_member")),
    )
    with op.batch_alter_table("panel_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "round_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competency.id"],
            name=op.f("fk_round_question_competency_id_competency"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["hiring_round.id"],
            name=op.f("fk_round_question_round_id_hiring_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_question")),
        sa.UniqueConstraint(
            "round_id", "position", name=op.f("uq_round_question_round_id_position")
        ),
    )
    with op.batch_alter_table("round_question", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_round_question_competency_id"), ["competency_id"], unique=False
        )

    op.create_table(
        "rubric_item",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("min_level", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "min_level BETWEEN 1 AND 5", name=op.f("ck_rubric_item_min_level_range")
        ),
        sa.CheckConstraint("weight BETWEEN 1 AND 100", name=op.f("ck_rubric_item_weight_range")),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competency.id"],
            name=op.f("fk_rubric_item_competency_id_competency"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["hiring_round.id"],
            name=op.f("fk_rubric_item_round_id_hiring_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "competency_id", name=op.f("pk_rubric_item")),
    )
    with op.batch_alter_table("rubric_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rubric_item_competency_id"), ["competency_id"], unique=False
        )

    op.create_table(
        "application_answer",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_answer_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["round_question.id"],
            name=op.f("fk_application_answer_question_id_round_question"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "application_id", "question_id", name=op.f("pk_application_answer")
        ),
    )
    with op.batch_alter_table("application_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_answer_question_id"), ["question_id"], unique=False
        )

    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("assessor_id", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_assessment_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assessor_id"],
            ["user_account.id"],
            name=op.f("fk_assessment_assessor_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["hiring_round.id"],
            name=op.f("fk_assessment_round_id_hiring_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint(
            "application_id", "assessor_id", name=op.f("uq_assessment_application_id_assessor_id")
        ),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            "ix_assessment_assessor_round", ["assessor_id", "round_id"], unique=False
        )

    op.create_table(
        "consensus_score",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_consensus_score_score_range")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_consensus_score_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competency.id"],
            name=op.f("fk_consensus_score_competency_id_competency"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_consensus_score_recorded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("application_id", "competency_id", name=op.f("pk_consensus_score")),
    )
    with op.batch_alter_table("consensus_score", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consensus_score_competency_id"), ["competency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consensus_score_recorded_by_id"), ["recorded_by_id"], unique=False
        )

    op.create_table(
        "demographic_response",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("sex", sa.String(length=40), nullable=True),
        sa.Column("ethnicity", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_demographic_response_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["hiring_round.id"],
            name=op.f("fk_demographic_response_round_id_hiring_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_demographic_response")),
    )
    with op.batch_alter_table("demographic_response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_demographic_response_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "assessment_score",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_assessment_score_score_range")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_assessment_score_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competency.id"],
            name=op.f("fk_assessment_score_competency_id_competency"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "competency_id", name=op.f("pk_assessment_score")),
    )
    with op.batch_alter_table("assessment_score", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_score_competency_id"), ["competency_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("assessment_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_score_competency_id"))

    op.drop_table("assessment_score")
    with op.batch_alter_table("demographic_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_demographic_response_round_id"))

    op.drop_table("demographic_response")
    with op.batch_alter_table("consensus_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consensus_score_recorded_by_id"))
        batch_op.drop_index(batch_op.f("ix_consensus_score_competency_id"))

    op.drop_table("consensus_score")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_assessor_round")
        batch_op.drop_index(batch_op.f("ix_assessment_application_id"))

    op.drop_table("assessment")
    with op.batch_alter_table("application_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_answer_question_id"))

    op.drop_table("application_answer")
    with op.batch_alter_table("rubric_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rubric_item_competency_id"))

    op.drop_table("rubric_item")
    with op.batch_alter_table("round_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_question_competency_id"))

    op.drop_table("round_question")
    with op.batch_alter_table("panel_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_member_user_id"))

    op.drop_table("panel_member")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("ix_application_round_status")
        batch_op.drop_index(batch_op.f("ix_application_employee_id"))

    op.drop_table("application")
    with op.batch_alter_table("hiring_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hiring_round_status"))
        batch_op.drop_index(batch_op.f("ix_hiring_round_job_profile_id"))
        batch_op.drop_index(batch_op.f("ix_hiring_round_created_by_id"))
        batch_op.drop_index(batch_op.f("ix_hiring_round_closes_on"))

    op.drop_table("hiring_round")
