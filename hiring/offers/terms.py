"""An offer's terms: what HR's confirmation step starts from, and what an offer may say."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext

from civicladder import clock, querying
from civicladder.db import db
from civicladder.errors import Invalid
from hiring import posting
from hiring.models import DEFAULT_CLOSING_TIME, Application, HiringRound
from hiring.offers.models import Offer

# A candidate has this long to answer unless HR gives another deadline.
ANSWER_DAYS = 7
# The start date HR's form suggests: about four weeks on, a usual notice period.
START_DAYS = 28
LONGEST_WAIT_DAYS = 60
GRADE_MAX = 40
CONDITIONS_MAX = 4000
SALARY_MAX_CENTS = 100_000_000  # $1,000,000 a year, as on postings


@dataclass(frozen=True)
class OfferTerms:
    grade: str
    salary_cents: int | None
    starts_on: date | None
    answer_by: date | None  # the day the answer is due (until the end of that day)
    conditions: str = ""


def defaults(hiring_round: HiringRound) -> OfferTerms:
    """What HR's confirmation step starts from: the grade and conditions of the round's last
    offer (else the job profile's code), the bottom of the posted pay range, an answer within
    a week and a start about four weeks on."""
    last = db.session.scalar(
        sa.select(Offer)
        .join(Application, Application.id == Offer.application_id)
        .where(Application.round_id == hiring_round.id)
        .order_by(Offer.id.desc())
        .limit(1)
    )
    today = clock.today()
    return OfferTerms(
        grade=last.grade if last else hiring_round.job_profile.code,
        salary_cents=hiring_round.pay_min_cents or (last.salary_cents if last else None),
        starts_on=today + timedelta(days=START_DAYS),
        answer_by=today + timedelta(days=ANSWER_DAYS),
        conditions=last.conditions if last else "",
    )


def answer_due(day: date) -> datetime:
    """The last moment an answer is taken: the end of `day` in the city's time, as UTC."""
    return posting.closes_at(day, DEFAULT_CLOSING_TIME, querying.display_zone())


def checked(hiring_round: HiringRound, terms: OfferTerms) -> OfferTerms:
    """The terms as they will be kept, or Invalid naming the first field in error."""
    terms = replace(terms, grade=(terms.grade or "").strip(), conditions=terms.conditions.strip())
    if not terms.grade:
        raise Invalid(gettext("Enter the grade the job is offered at."), field="grade")
    if len(terms.grade) > GRADE_MAX:
        raise Invalid(
            gettext("Keep the grade under %(num)s characters.", num=GRADE_MAX), field="grade"
        )
    _check_salary(hiring_round, terms.salary_cents)
    today = clock.today()
    if terms.answer_by is None:
        raise Invalid(gettext("Enter the day the answer is due."), field="answer_by")
    if terms.answer_by < today:
        raise Invalid(gettext("The answer is due today or later."), field="answer_by")
    if terms.answer_by > today + timedelta(days=LONGEST_WAIT_DAYS):
        raise Invalid(
            gettext("Give the candidate at most %(num)s days to answer.", num=LONGEST_WAIT_DAYS),
            field="answer_by",
        )
    if terms.starts_on is None:
        raise Invalid(gettext("Enter the start date."), field="starts_on")
    if terms.starts_on < terms.answer_by:
        raise Invalid(
            gettext("The start date comes on or after the day the answer is due."),
            field="starts_on",
        )
    if len(terms.conditions) > CONDITIONS_MAX:
        raise Invalid(
            gettext("Keep the conditions under %(num)s characters.", num=CONDITIONS_MAX),
            field="conditions",
        )
    return terms


def _check_salary(hiring_round: HiringRound, cents: int | None) -> None:
    if cents is None or cents <= 0:
        raise Invalid(gettext("Enter the yearly salary offered."), field="salary")
    low, high = hiring_round.pay_min_cents, hiring_round.pay_max_cents
    if low is not None and high is not None and not low <= cents <= high:
        raise Invalid(
            gettext(
                "The salary is within the posted pay range, %(range)s.",
                range=posting.pay_words(hiring_round),
            ),
            field="salary",
        )
    if cents > SALARY_MAX_CENTS:
        raise Invalid(gettext("A salary is at most $1,000,000 a year."), field="salary")
