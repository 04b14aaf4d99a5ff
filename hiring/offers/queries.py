"""The read side of offers: a round's offers for HR's pages, in one query."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from civicladder.db import db
from hiring.models import Application
from hiring.offers.models import Offer


def of_round(round_id: int) -> list[Offer]:
    """Every offer the round made, oldest first, each with its application."""
    return list(
        db.session.scalars(
            sa.select(Offer)
            .join(Application, Application.id == Offer.application_id)
            .where(Application.round_id == round_id)
            .options(contains_eager(Offer.application))
            .order_by(Offer.made_at, Offer.id)
        )
    )


def by_application(round_id: int) -> dict[int, Offer]:
    return {offer.application_id: offer for offer in of_round(round_id)}
