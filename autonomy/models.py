"""Autonomy tracks and their ladders of levels, grants of a level, outcome metrics and records.

A track covers job profiles: an employee's track follows from their job profile, so nothing on
the people model names it. A level is a version: editing a level that people hold retires the
old row and adds a new one, and every grant keeps pointing at the definition it was made under.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civicladder.db import UTCDateTime, db, enum_column, utcnow
from civicladder.enums import LabelledEnum
from civicladder.languages import N_
from civicladder.lifecycle import Lifecycle
from civicladder.models import User
from competencies.models import LEVEL_CHECK, Competency
from people.models import Employee, JobProfile


class AutonomyTrack(db.Model):
    """A ladder of discretion for a job family."""

    __tablename__ = "autonomy_track"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    levels: Mapped[list[AutonomyLevel]] = relationship(
        back_populates="track",
        order_by="AutonomyLevel.rank",
        primaryjoin="and_(AutonomyTrack.id == AutonomyLevel.track_id, "
        "AutonomyLevel.retired_at.is_(None))",
        viewonly=True,
    )

    def __str__(self) -> str:
        return self.name


class TrackJobProfile(db.Model):
    """A job profile whose holders climb this track (a profile is on one track at most)."""

    __tablename__ = "autonomy_track_job_profile"

    job_profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("job_profile.id", ondelete="CASCADE"), primary_key=True
    )
    track_id: Mapped[int] = mapped_column(
        sa.ForeignKey("autonomy_track.id", ondelete="CASCADE"), index=True
    )

    job_profile: Mapped[JobProfile] = relationship()


class OutcomeMetric(db.Model):
    """Something operational systems measure per person and period (e.g. first-contact rate)."""

    __tablename__ = "outcome_metric"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(40), default="")
    higher_is_better: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return self.name


class AutonomyLevel(db.Model):
    """One rung of a track, as defined from `created_at` until `retired_at` (None: current)."""

    __tablename__ = "autonomy_level"
    __table_args__ = (
        sa.UniqueConstraint("track_id", "rank", "version"),
        sa.CheckConstraint("rank >= 1", name="rank_positive"),
        sa.CheckConstraint("min_months >= 0", name="min_months_not_negative"),
        sa.CheckConstraint(
            "(outcome_metric_id IS NULL) = (outcome_threshold IS NULL)",
            name="outcome_floor_whole",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(
        sa.ForeignKey("autonomy_track.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(sa.String(120))
    # Whole months the person must have held the level below (or, for the first, been employed).
    min_months: Mapped[int] = mapped_column(default=0)
    # A second approver (the proposer's manager, or HR) must confirm a grant of this level.
    second_approval: Mapped[bool] = mapped_column(default=False)
    focused_review_days: Mapped[int] = mapped_column(default=90)
    outcome_metric_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outcome_metric.id", ondelete="RESTRICT"), index=True
    )
    outcome_threshold: Mapped[float | None]
    outcome_window_days: Mapped[int] = mapped_column(default=90)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    track: Mapped[AutonomyTrack] = relationship(back_populates="levels")
    outcome_metric: Mapped[OutcomeMetric | None] = relationship()
    requirements: Mapped[list[LevelRequirement]] = relationship(
        back_populates="level",
        cascade="all, delete-orphan",
        order_by="LevelRequirement.competency_id",
    )
    # What the level lets a person do, item by item, in the order HR lists them.
    discretion: Mapped[list[DiscretionItem]] = relationship(
        back_populates="level",
        cascade="all, delete-orphan",
        order_by="DiscretionItem.position",
    )

    def __str__(self) -> str:
        return f"{self.rank}. {self.name}"


class DiscretionItem(db.Model):
    """One thing a level lets its holder do alone: a stable key that other systems ask about
    (the discretion check), the words people read, and optionally a limit in a unit (waive a
    fee up to 250 USD). Versioned with its level: a revised level carries its own items."""

    __tablename__ = "discretion_item"
    __table_args__ = (
        sa.UniqueConstraint("level_id", "key"),
        sa.CheckConstraint(
            "(limit_amount IS NULL) OR (limit_amount >= 0)", name="limit_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(
        sa.ForeignKey("autonomy_level.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    key: Mapped[str] = mapped_column(sa.String(60), index=True)
    words: Mapped[str] = mapped_column(sa.Text)
    # Up to how much the holder may act alone; None: no limit.
    limit_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    unit: Mapped[str] = mapped_column(sa.String(20), default="")

    level: Mapped[AutonomyLevel] = relationship(back_populates="discretion")

    def describe(self) -> str:
        """The item as people read it: its words, and its limit where it has one."""
        if self.limit_amount is None:
            return self.words
        limit = format_limit(self.limit_amount, self.unit)
        return gettext("%(words)s (up to %(limit)s)", words=self.words, limit=limit)

    def __str__(self) -> str:
        return self.describe()


def format_limit(amount: Decimal, unit: str) -> str:
    """250 USD, 7.5 hours: whole numbers without decimals, thousands grouped."""
    shown = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{shown} {unit}".strip()


class LevelRequirement(db.Model):
    """A level asks for a competency at a minimum proficiency."""

    __tablename__ = "autonomy_level_requirement"
    __table_args__ = (sa.CheckConstraint(LEVEL_CHECK.replace("level", "min_level"), name="range"),)

    level_id: Mapped[int] = mapped_column(
        sa.ForeignKey("autonomy_level.id", ondelete="CASCADE"), primary_key=True
    )
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competency.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    min_level: Mapped[int]

    level: Mapped[AutonomyLevel] = relationship(back_populates="requirements")
    competency: Mapped[Competency] = relationship()


class OutcomeRecord(db.Model):
    """One employee's value of a metric for the period starting on `period_start`."""

    __tablename__ = "outcome_record"
    __table_args__ = (sa.UniqueConstraint("employee_id", "metric_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id", ondelete="CASCADE"))
    metric_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outcome_metric.id", ondelete="RESTRICT"), index=True
    )
    period_start: Mapped[date] = mapped_column(sa.Date)
    value: Mapped[float]


class GrantStatus(LabelledEnum):
    PROPOSED = "proposed", N_("Waiting for a second approver")
    ACTIVE = "active", N_("Held")
    DECLINED = "declined", N_("Declined")
    SUPERSEDED = "superseded", N_("Replaced by a later grant")
    REVOKED = "revoked", N_("Lowered")


GRANT = Lifecycle(
    "autonomy_grant",
    {
        GrantStatus.PROPOSED: {GrantStatus.ACTIVE, GrantStatus.DECLINED},
        GrantStatus.ACTIVE: {GrantStatus.SUPERSEDED, GrantStatus.REVOKED},
    },
    reason_required={GrantStatus.DECLINED, GrantStatus.REVOKED},
)


class AutonomyGrant(db.Model):
    """A level granted to (or proposed for) an employee, with who decided and why."""

    __tablename__ = "autonomy_grant"
    __table_args__ = (
        sa.Index("ix_autonomy_grant_employee_status", "employee_id", "status"),
        sa.Index("ix_autonomy_grant_status_review_on", "status", "review_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(
        sa.ForeignKey("autonomy_level.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[GrantStatus] = mapped_column(enum_column(GrantStatus, "grant_status"))
    proposed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    approved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The proposer's note; a decline's or a lowering's reason, which the employee reads.
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Granted while the evidence did not yet support the level: justified in writing, reported.
    above_evidence: Mapped[bool] = mapped_column(default=False)
    justification: Mapped[str] = mapped_column(sa.Text, default="")
    effective_on: Mapped[date] = mapped_column(sa.Date)
    review_on: Mapped[date] = mapped_column(sa.Date)
    # The last review that kept the level; empty while its first, focused review is to come.
    reviewed_on: Mapped[date | None] = mapped_column(sa.Date)
    # When the manager was told the level needs review; cleared when it is reviewed.
    review_noticed_on: Mapped[date | None] = mapped_column(sa.Date)

    employee: Mapped[Employee] = relationship()
    level: Mapped[AutonomyLevel] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])


class StoredEligibility(db.Model):
    """A person's readiness for their next level as last computed (autonomy.eligibility), for
    the pages that read it across a whole line. Never typed in: rewritten from the evidence."""

    __tablename__ = "autonomy_eligibility"

    # No foreign keys here or in StoredHeldLevel: both are rewritten whole from tables that
    # hold them, and a key check per row (a lock on the employee's row) made a city's rewrite
    # several times slower. Readers join employee and autonomy_grant, so a stray row shows
    # nowhere.
    employee_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    next_level_id: Mapped[int]
    missing: Mapped[int]
    served: Mapped[bool]
    outcome_mean: Mapped[float | None]
    ready: Mapped[bool]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StoredHeldLevel(db.Model):
    """A held level's conditions as last computed (autonomy.eligibility): how many of its
    requirements are unmet, the outcome mean in its floor's window, whether the floor is
    reached. Whether its review date has come is read from the grant, by date."""

    __tablename__ = "autonomy_held_level"

    grant_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    employee_id: Mapped[int] = mapped_column(index=True)
    missing: Mapped[int]
    outcome_mean: Mapped[float | None]
    outcome_reached: Mapped[bool]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StoredPeerStats(db.Model):
    """Everyone in one job on one metric over the supervision window, as last computed: how
    many people, the mean of their means and its spread (autonomy.supervision)."""

    __tablename__ = "autonomy_peer_stats"

    job_profile_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    metric_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    people: Mapped[int]
    mean: Mapped[float]
    spread: Mapped[float]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DiscretionCheck(db.Model):
    """One answer of the discretion check (may this person act alone under this item now?),
    kept for the outcome-based supervision: who acted under which item, how often. Written in
    batches after the answers, never one row per call."""

    __tablename__ = "discretion_check"
    __table_args__ = (
        sa.Index("ix_discretion_check_employee_checked", "employee_id", "checked_at"),
    )

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # No foreign keys: an answer is kept as it was given, whatever becomes of the caller (an
    # API client, which this package does not know), the person or the grant.
    caller_id: Mapped[int | None]
    caller: Mapped[str] = mapped_column(sa.String(120))
    employee_id: Mapped[int | None]
    employee_number: Mapped[str] = mapped_column(sa.String(40))
    item_key: Mapped[str] = mapped_column(sa.String(60))
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    allowed: Mapped[bool]
    # Why, as a code (autonomy.discretion.OUTCOMES).
    outcome: Mapped[str] = mapped_column(sa.String(30))
    grant_id: Mapped[int | None]
    level_id: Mapped[int | None]
