"""Eligible lists: the qualified candidates a completed round leaves, kept for later vacancies.

One `EligibleList` per completed round (for the round's job profile, until it expires) and one
`EligibleListEntry` per candidate on it, with the category and place the ranking gave them.
Whether a candidate is still available comes from their application (an offer, a hire, a
withdrawal) and from the entry's removal; nothing is typed over.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civicladder.db import UTCDateTime, db, enum_column, utcnow
from hiring.models import Application, HiringRound
from hiring.rules import Category
from people.models import JobProfile

# How long a round's list lasts unless HR sets another length on the round.
DEFAULT_MONTHS = 12
LONGEST_MONTHS = 48


class EligibleList(db.Model):
    __tablename__ = "eligible_list"
    __table_args__ = (
        sa.CheckConstraint("expires_on >= established_on", name="dates_in_order"),
        # HR reads a job profile's lists, latest expiry first.
        sa.Index("ix_eligible_list_profile_expires_on", "job_profile_id", "expires_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hiring_round.id", ondelete="RESTRICT"), unique=True
    )
    job_profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("job_profile.id", ondelete="RESTRICT")
    )
    established_on: Mapped[date] = mapped_column(sa.Date)
    # The last day offers are made from the list; after it the list is kept for the record.
    expires_on: Mapped[date] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[HiringRound] = relationship()
    job_profile: Mapped[JobProfile] = relationship()

    def is_active(self, today: date) -> bool:
        return today <= self.expires_on

    def __str__(self) -> str:
        return f"Eligible list of {self.round.title}"


class EligibleListEntry(db.Model):
    """A candidate on a list: their category and place (1 is first) as the round ranked them,
    whether veterans' preference applied to them, and their removal if they asked for it."""

    __tablename__ = "eligible_list_entry"
    __table_args__ = (
        sa.UniqueConstraint("list_id", "position"),
        sa.CheckConstraint("position >= 1", name="position_positive"),
    )

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE"), primary_key=True
    )
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("eligible_list.id", ondelete="CASCADE"))
    position: Mapped[int]
    category: Mapped[Category] = mapped_column(enum_column(Category, "eligible_category"))
    preference: Mapped[bool] = mapped_column(default=False)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removal_reason: Mapped[str | None] = mapped_column(sa.Text)

    application: Mapped[Application] = relationship()
    eligible_list: Mapped[EligibleList] = relationship()

    @property
    def candidate_code(self) -> str:
        return self.application.candidate_code

    def __str__(self) -> str:
        return f"Eligible list entry of {self.application.candidate_code}"
