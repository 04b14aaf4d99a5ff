"""An offer's terms and the candidate's answer: one `Offer` per offered application."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civicladder.db import UTCDateTime, db, enum_column, utcnow
from civicladder.enums import LabelledEnum
from civicladder.languages import N_
from civicladder.lifecycle import Lifecycle
from hiring.eligible.models import EligibleList
from hiring.models import Application


class OfferStatus(LabelledEnum):
    PENDING = "pending", N_("Waiting for an answer")
    ACCEPTED = "accepted", N_("Accepted")
    DECLINED = "declined", N_("Declined")
    LAPSED = "lapsed", N_("Lapsed without an answer")
    WITHDRAWN = "withdrawn", N_("Withdrawn: the round was cancelled")


OFFER = Lifecycle(
    "offer",
    {
        OfferStatus.PENDING: {
            OfferStatus.ACCEPTED,
            OfferStatus.DECLINED,
            OfferStatus.LAPSED,
            OfferStatus.WITHDRAWN,
        },
        # A candidate who accepted may still back out before the hire (HR records it), and
        # the city may still cancel the round.
        OfferStatus.ACCEPTED: {OfferStatus.DECLINED, OfferStatus.WITHDRAWN},
    },
    reason_required={OfferStatus.DECLINED, OfferStatus.WITHDRAWN},
)


class Offer(db.Model):
    """What HR offered (grade, yearly salary in cents, start date, conditions) and by when the
    candidate answers; the answer, when it came, and the reason given for a decline (or for
    the city's withdrawal of the offer)."""

    __tablename__ = "job_offer"
    __table_args__ = (
        sa.CheckConstraint("salary_cents > 0", name="salary_positive"),
        # The daily run looks for offers still waiting whose deadline has passed.
        sa.Index("ix_job_offer_status_respond_by", "status", "respond_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE"), unique=True
    )
    grade: Mapped[str] = mapped_column(sa.String(40))
    salary_cents: Mapped[int] = mapped_column(sa.BigInteger)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    conditions: Mapped[str] = mapped_column(sa.Text, default="")
    # The last moment an answer is taken: the end of the day HR chose, in the city's time.
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[OfferStatus] = mapped_column(
        enum_column(OfferStatus, "offer_status"), default=OfferStatus.PENDING
    )
    made_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    # An offer from an eligible list, for a vacancy after the round completed: the list and
    # the vacancy HR named. None for an offer made within the round.
    eligible_list_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("eligible_list.id", ondelete="RESTRICT"), index=True
    )
    vacancy: Mapped[str | None] = mapped_column(sa.String(200))

    application: Mapped[Application] = relationship()
    eligible_list: Mapped[EligibleList | None] = relationship()

    def __str__(self) -> str:
        return f"Offer to {self.application.candidate_code}"
