"""The competency framework, job profiles, and append-only competency evidence."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civicladder.db import UTCDateTime, db, enum_column, utcnow
from civicladder.enums import LabelledEnum
from civicladder.languages import N_
from people.models import Employee, JobProfile

LEVEL_CHECK = "level BETWEEN 1 AND 5"


class EvidenceSource(LabelledEnum):
    HIRING_ASSESSMENT = "hiring_assessment", N_("Hiring assessment")
    COURSE_COMPLETION = "course_completion", N_("Course completion")
    MANAGER_VALIDATION = "manager_validation", N_("Manager validation")
    IMPORTED = "imported", N_("Imported")


def new_case_identifier() -> str:
    """A CASE identifier for something made here (imported items keep the one they came with)."""
    return str(uuid.uuid4())


def case_identifier_column() -> Mapped[str]:
    return mapped_column(sa.String(36), unique=True, default=new_case_identifier)


class FrameworkDocument(db.Model):
    """The framework as one CASE document: its identifier, title and creator, kept from the
    first framework imported (until then, the city's own; see `competencies.case`)."""

    __tablename__ = "framework_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_identifier: Mapped[str] = case_identifier_column()
    title: Mapped[str] = mapped_column(sa.String(300))
    creator: Mapped[str] = mapped_column(sa.String(300))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CompetencyCategory(db.Model):
    __tablename__ = "competency_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    case_identifier: Mapped[str] = case_identifier_column()
    # When it last changed, as CASE's lastChangeDateTime says (kept from an imported package).
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    competencies: Mapped[list[Competency]] = relationship(
        back_populates="category", order_by="Competency.code"
    )

    def __str__(self) -> str:
        return self.name


class Competency(db.Model):
    __tablename__ = "competency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competency_category.id", ondelete="RESTRICT"), index=True
    )
    case_identifier: Mapped[str] = case_identifier_column()
    # Its scale's descriptors included: they share the competency's lastChangeDateTime.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    category: Mapped[CompetencyCategory] = relationship(back_populates="competencies")
    descriptors: Mapped[list[ProficiencyDescriptor]] = relationship(
        back_populates="competency",
        order_by="ProficiencyDescriptor.level",
        cascade="all, delete-orphan",
    )

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProficiencyDescriptor(db.Model):
    """What a competency looks like in behaviour at one step of the shared 5-step scale."""

    __tablename__ = "proficiency_descriptor"
    __table_args__ = (sa.CheckConstraint(LEVEL_CHECK, name="level_range"),)

    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competency.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int] = mapped_column(primary_key=True)
    descriptor: Mapped[str] = mapped_column(sa.Text)
    case_identifier: Mapped[str] = case_identifier_column()

    competency: Mapped[Competency] = relationship(back_populates="descriptors")


class JobProfileRequirement(db.Model):
    """What a job profile (a people record) requires: a competency at a minimum level."""

    __tablename__ = "job_profile_requirement"
    __table_args__ = (
        sa.CheckConstraint("min_level BETWEEN 1 AND 5", name="min_level_range"),
        sa.CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),
    )

    job_profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("job_profile.id", ondelete="CASCADE"), primary_key=True
    )
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competency.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    min_level: Mapped[int]
    weight: Mapped[int]

    job_profile: Mapped[JobProfile] = relationship()
    competency: Mapped[Competency] = relationship()


class CompetencyEvidence(db.Model):
    """Append-only: an employee showed a competency at a level; levels are derived from these."""

    __tablename__ = "competency_evidence"
    __table_args__ = (
        sa.CheckConstraint(LEVEL_CHECK, name="level_range"),
        sa.Index("ix_competency_evidence_employee_competency", "employee_id", "competency_id"),
    )

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id", ondelete="CASCADE"))
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competency.id", ondelete="RESTRICT"), index=True
    )
    level: Mapped[int]
    source: Mapped[EvidenceSource] = mapped_column(enum_column(EvidenceSource, "evidence_source"))
    observed_on: Mapped[date] = mapped_column(sa.Date)
    expires_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    verified_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    employee: Mapped[Employee] = relationship()
    competency: Mapped[Competency] = relationship()
    verified_by = relationship("User", foreign_keys=[verified_by_id])
    withdrawal: Mapped[CompetencyEvidenceWithdrawal | None] = relationship(viewonly=True)


class CompetencyEvidenceWithdrawal(db.Model):
    """Evidence taken back (a corrected course result, a mistake): the evidence row stays as it
    was recorded, and this record says it no longer counts, since when, who decided and why."""

    __tablename__ = "competency_evidence_withdrawal"

    evidence_id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        sa.ForeignKey("competency_evidence.id", ondelete="CASCADE"),
        primary_key=True,
    )
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(sa.Text)

    evidence: Mapped[CompetencyEvidence] = relationship()


@event.listens_for(CompetencyEvidence, "before_update")
@event.listens_for(CompetencyEvidenceWithdrawal, "before_update")
def _evidence_is_append_only(mapper, connection, target):
    raise RuntimeError("competency evidence is append-only; record new evidence instead")
