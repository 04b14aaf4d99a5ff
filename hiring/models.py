"""Hiring rounds, their rubric, questions and panel; applications, assessments and scores.

A candidate's identity (name, email, employee link) lives on `Application`; assessors reach
an application only through `Assessment` rows, by candidate code. Voluntary demographic
self-identification is a table of its own (`DemographicResponse`) that no assessor query reads.
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civicladder.db import UTCDateTime, db, enum_column, utcnow
from civicladder.enums import LabelledEnum
from civicladder.files import StoredFile
from civicladder.languages import N_
from civicladder.lifecycle import Lifecycle
from civicladder.models import User
from competencies.models import Competency
from people.models import Department, Employee, JobProfile

SCORE_CHECK = "score BETWEEN 1 AND 5"

# Voluntary self-identification: stored value -> the words a candidate and HR read.
SEX_GROUPS = {"female": N_("Female"), "male": N_("Male"), "another": N_("Another identity")}
ETHNICITY_GROUPS = {
    "american_indian": N_("American Indian or Alaska Native"),
    "asian": N_("Asian"),
    "black": N_("Black or African American"),
    "hispanic": N_("Hispanic or Latino"),
    "pacific_islander": N_("Native Hawaiian or Other Pacific Islander"),
    "white": N_("White"),
    "two_or_more": N_("Two or more"),
}


class WorkSchedule(LabelledEnum):
    FULL_TIME = "full_time", N_("Full time")
    PART_TIME = "part_time", N_("Part time")


# A posting closes at this time of day (the city's own time) unless HR sets another.
DEFAULT_CLOSING_TIME = time(23, 59)


class RoundStatus(LabelledEnum):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for applications"
    CLOSED = "closed", "Closed to applications"
    ASSESSING = "assessing", "Under assessment"
    RANKED = "ranked", "Ranked"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"

    @property
    def words(self) -> str:
        """The label in the reader's language. Its words agree with a round (in Spanish, la
        convocatoria: "Terminada", where a course's "Completed" is not), hence the context."""
        return {
            "draft": pgettext("hiring round", "Draft"),
            "open": pgettext("hiring round", "Open for applications"),
            "closed": pgettext("hiring round", "Closed to applications"),
            "assessing": pgettext("hiring round", "Under assessment"),
            "ranked": pgettext("hiring round", "Ranked"),
            "completed": pgettext("hiring round", "Completed"),
            "cancelled": pgettext("hiring round", "Cancelled"),
        }[self.value]


ROUND = Lifecycle(
    "hiring_round",
    {
        RoundStatus.DRAFT: {RoundStatus.OPEN, RoundStatus.CANCELLED},
        RoundStatus.OPEN: {RoundStatus.CLOSED, RoundStatus.CANCELLED},
        RoundStatus.CLOSED: {RoundStatus.ASSESSING, RoundStatus.CANCELLED},
        RoundStatus.ASSESSING: {RoundStatus.RANKED, RoundStatus.CANCELLED},
        RoundStatus.RANKED: {RoundStatus.COMPLETED, RoundStatus.CANCELLED},
    },
    reason_required={RoundStatus.CANCELLED},
)


class ApplicationStatus(LabelledEnum):
    SUBMITTED = "submitted", N_("Submitted")
    SCREENED_IN = "screened_in", N_("Screened in")
    SCREENED_OUT = "screened_out", N_("Screened out")
    ASSESSED = "assessed", N_("Assessed")
    SHORTLISTED = "shortlisted", N_("Shortlisted")
    OFFERED = "offered", N_("Offered")
    HIRED = "hired", N_("Hired")
    DECLINED = "declined", N_("Offer declined")
    WITHDRAWN = "withdrawn", N_("Withdrawn")


_OPEN_TO_WITHDRAW = {ApplicationStatus.WITHDRAWN}
APPLICATION = Lifecycle(
    "application",
    {
        ApplicationStatus.SUBMITTED: {
            ApplicationStatus.SCREENED_IN,
            ApplicationStatus.SCREENED_OUT,
            *_OPEN_TO_WITHDRAW,
        },
        # A screening decision may be corrected until assessment starts.
        ApplicationStatus.SCREENED_IN: {
            ApplicationStatus.ASSESSED,
            ApplicationStatus.SCREENED_OUT,
            *_OPEN_TO_WITHDRAW,
        },
        ApplicationStatus.SCREENED_OUT: {ApplicationStatus.SCREENED_IN},
        ApplicationStatus.ASSESSED: {ApplicationStatus.SHORTLISTED, *_OPEN_TO_WITHDRAW},
        ApplicationStatus.SHORTLISTED: {ApplicationStatus.OFFERED, *_OPEN_TO_WITHDRAW},
        ApplicationStatus.OFFERED: {
            ApplicationStatus.HIRED,
            ApplicationStatus.DECLINED,
            *_OPEN_TO_WITHDRAW,
        },
    },
    reason_required={ApplicationStatus.SCREENED_OUT},
)


class HiringRound(db.Model):
    __tablename__ = "hiring_round"
    __table_args__ = (
        sa.CheckConstraint("openings >= 1", name="openings_positive"),
        sa.CheckConstraint("closes_on >= opens_on", name="dates_in_order"),
        # Category thresholds in hundredths of a point on the 1-5 scale, best first.
        sa.CheckConstraint(
            "best_qualified_from >= well_qualified_from "
            "AND well_qualified_from >= qualified_from "
            "AND qualified_from >= 100 AND best_qualified_from <= 500",
            name="thresholds_in_order",
        ),
        sa.CheckConstraint(
            "pay_min_cents >= 0 AND pay_max_cents >= pay_min_cents", name="pay_range_in_order"
        ),
        sa.CheckConstraint("weekly_hours BETWEEN 1 AND 80", name="weekly_hours_range"),
        sa.CheckConstraint("process_weeks BETWEEN 1 AND 52", name="process_weeks_range"),
        sa.CheckConstraint("eligible_months BETWEEN 1 AND 48", name="eligible_months_range"),
        # The public jobs page reads open rounds by closing date.
        sa.Index("ix_hiring_round_status_closes_on", "status", "closes_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("job_profile.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    openings: Mapped[int] = mapped_column(default=1)
    opens_on: Mapped[date] = mapped_column(sa.Date)
    closes_on: Mapped[date] = mapped_column(sa.Date, index=True)
    status: Mapped[RoundStatus] = mapped_column(
        enum_column(RoundStatus, "round_status"), default=RoundStatus.DRAFT, index=True
    )
    best_qualified_from: Mapped[int] = mapped_column(default=400)
    well_qualified_from: Mapped[int] = mapped_column(default=325)
    qualified_from: Mapped[int] = mapped_column(default=250)
    # Category rating with veterans' preference (as in OPM's): preference-eligible candidates
    # are listed ahead of others within their category.
    veterans_preference: Mapped[bool] = mapped_column(default=False)
    # How long the eligible list left when the round completes lasts (hiring.eligible).
    eligible_months: Mapped[int] = mapped_column(default=12, server_default="12")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The hash of the one-time token of the form that created the round: a second submission
    # of the same form finds this round instead of making another.
    form_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    # The posting: what a job seeker looks for first (hiring.posting renders it, with the
    # product's own statements on equal opportunity, privacy and accommodation).
    agency_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("department.id", ondelete="RESTRICT"), index=True
    )
    work_location: Mapped[str] = mapped_column(sa.String(200), default="")
    schedule: Mapped[WorkSchedule] = mapped_column(
        enum_column(WorkSchedule, "work_schedule"), default=WorkSchedule.FULL_TIME
    )
    weekly_hours: Mapped[int | None]
    # Yearly pay, in cents.
    pay_min_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    pay_max_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    duties: Mapped[str] = mapped_column(sa.Text, default="")
    working_conditions: Mapped[str] = mapped_column(sa.Text, default="")
    # About how many weeks from the closing date to offers.
    process_weeks: Mapped[int | None]
    # In the city's own time zone (DISPLAY_TIMEZONE), on the closing date.
    closing_time: Mapped[time] = mapped_column(sa.Time, default=DEFAULT_CLOSING_TIME)
    accommodation_contact: Mapped[str] = mapped_column(sa.String(200), default="")

    job_profile: Mapped[JobProfile] = relationship()
    agency: Mapped[Department | None] = relationship()
    questions: Mapped[list[RoundQuestion]] = relationship(
        back_populates="round", order_by="RoundQuestion.position", cascade="all, delete-orphan"
    )
    rubric: Mapped[list[RubricItem]] = relationship(
        back_populates="round", order_by="RubricItem.position", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.title


class RoundQuestion(db.Model):
    """A competency-based question every candidate of the round answers."""

    __tablename__ = "round_question"
    __table_args__ = (sa.UniqueConstraint("round_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("hiring_round.id", ondelete="CASCADE"))
    position: Mapped[int]
    prompt: Mapped[str] = mapped_column(sa.Text)
    competency_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("competency.id", ondelete="RESTRICT"), index=True
    )

    round: Mapped[HiringRound] = relationship(back_populates="questions")
    competency: Mapped[Competency | None] = relationship()


class RubricItem(db.Model):
    """A competency the round scores, its weight and minimum level, copied at opening."""

    __tablename__ = "rubric_item"
    __table_args__ = (
        sa.CheckConstraint("min_level BETWEEN 1 AND 5", name="min_level_range"),
        sa.CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),
    )

    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hiring_round.id", ondelete="CASCADE"), primary_key=True
    )
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competency.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int]
    min_level: Mapped[int]
    weight: Mapped[int]

    round: Mapped[HiringRound] = relationship(back_populates="rubric")
    competency: Mapped[Competency] = relationship()


class PanelMember(db.Model):
    """An assessor on a round's panel (any person with an account)."""

    __tablename__ = "panel_member"

    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hiring_round.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class Application(db.Model):
    __tablename__ = "application"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "email"),
        sa.Index("ix_application_round_status", "round_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("hiring_round.id", ondelete="CASCADE"))
    # What assessors know the candidate by.
    candidate_code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    employee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL"), index=True
    )
    work_sample: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus, "application_status"), default=ApplicationStatus.SUBMITTED
    )
    status_token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    screen_reason: Mapped[str] = mapped_column(sa.Text, default="")
    preference_eligible: Mapped[bool] = mapped_column(default=False)
    # The language the candidate applied in: their status page's and every email's to them.
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    # HR's written reason given with the offer; required when the offer passes over a
    # preference-eligible candidate of the same category.
    offer_justification: Mapped[str | None] = mapped_column(sa.Text)
    # The optional file (hiring.files), cleaned, in the file store.
    file_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("stored_file.id", ondelete="RESTRICT"), index=True
    )
    # Before the file store: the random key of a file in the instance folder. Set on
    # applications whose file `flask files import-disk` has not yet moved (and on those it
    # moved, until their files on disk are removed with --remove).
    file_key: Mapped[str | None] = mapped_column(sa.String(32))
    file_name: Mapped[str | None] = mapped_column(sa.String(100))
    file_type: Mapped[str | None] = mapped_column(sa.String(40))
    file_size: Mapped[int | None]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the retention period ended: name, contact, answers and file are gone.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[HiringRound] = relationship()
    employee: Mapped[Employee | None] = relationship()
    file: Mapped[StoredFile | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return f"Application {self.candidate_code}"


class Answer(db.Model):
    __tablename__ = "application_answer"

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("round_question.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    text: Mapped[str] = mapped_column(sa.Text)

    application: Mapped[Application] = relationship(back_populates="answers")
    question: Mapped[RoundQuestion] = relationship()


class DemographicResponse(db.Model):
    """Voluntary self-identification, apart from the application: aggregates only."""

    __tablename__ = "demographic_response"

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE"), primary_key=True
    )
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hiring_round.id", ondelete="CASCADE"), index=True
    )
    sex: Mapped[str | None] = mapped_column(sa.String(40))
    ethnicity: Mapped[str | None] = mapped_column(sa.String(60))


class Assessment(db.Model):
    """One assessor's assignment to an application, and once submitted, their scores."""

    __tablename__ = "assessment"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "assessor_id"),
        sa.Index("ix_assessment_assessor_round", "assessor_id", "round_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    # The round is the application's; kept here so an assessor's queue is one indexed lookup,
    # and so is the ranked list's read of a round's scores.
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hiring_round.id", ondelete="CASCADE"), index=True
    )
    assessor_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="RESTRICT"))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship()
    assessor: Mapped[User] = relationship()
    scores: Mapped[list[Score]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )


class Score(db.Model):
    __tablename__ = "assessment_score"
    __table_args__ = (sa.CheckConstraint(SCORE_CHECK, name="score_range"),)

    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competency.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    score: Mapped[int]

    assessment: Mapped[Assessment] = relationship(back_populates="scores")


class ConsensusScore(db.Model):
    """HR's settled score for a competency on which the assessors' scores spread 2 or more."""

    __tablename__ = "consensus_score"
    __table_args__ = (sa.CheckConstraint(SCORE_CHECK, name="score_range"),)

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE"), primary_key=True
    )
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competency.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    score: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
