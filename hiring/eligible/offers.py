"""Offers from an eligible list, for a vacancy after the round completed, without a new round.

Category rating holds as it does in the round: the offer goes to the highest category with
candidates still available on the list, and passing over a preference-eligible candidate of
the same category needs a written justification. The offer itself is the round's online offer
(terms, letter, answer by a deadline, lapse), and its acceptance leads to the hire.
"""

from __future__ import annotations

from flask_babel import gettext

from civicladder import clock
from civicladder.access import Role, require_role
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, Invalid, NotFound
from civicladder.layout import format_date
from civicladder.models import User
from hiring import offers, rules
from hiring.eligible import queries
from hiring.eligible.models import EligibleList, EligibleListEntry
from hiring.models import Application, ApplicationStatus
from hiring.offers.models import Offer
from hiring.offers.terms import OfferTerms
from hiring.services import move_application

VACANCY_MAX = 200
FROM_THE_LIST = "Taken from the eligible list."


def checks(places: list[queries.Place]) -> dict[int, rules.OfferCheck]:
    """What category rating says about offering each candidate on the list (its places, in
    order) a vacancy."""
    available = {place.application_id for place in places if place.available}
    return rules.offer_checks(places, available)


def check_offer(
    actor: User | None,
    listed: EligibleList,
    application: Application,
    justification: str = "",
    vacancy: str = "",
) -> tuple[EligibleList, str, str]:
    """Every rule an offer from the list must meet (raising the first it breaks), without
    making it. Returns the list (locked) and the justification and vacancy as they will be
    kept."""
    require_role(actor, Role.HR)
    # The list's lock: two offers (or an offer and a candidate leaving) take turns.
    listed = locked_get(EligibleList, listed.id, gettext("There is no such eligible list."))
    if not listed.is_active(clock.today()):
        raise Conflict(
            gettext(
                "This eligible list expired on %(day)s. It is kept for the record and makes no "
                "more offers: open a new round for the vacancy.",
                day=format_date(listed.expires_on),
            )
        )
    entry = db.session.get(EligibleListEntry, application.id, populate_existing=True)
    if entry is None or entry.list_id != listed.id:
        raise NotFound(gettext("This candidate is not on this eligible list."))
    db.session.refresh(application)
    if entry.removed_at is not None:
        raise Conflict(gettext("This candidate asked to be taken off the list."))
    if application.status not in queries.AVAILABLE:
        raise Conflict(
            gettext(
                "%(code)s is no longer available: their application is %(status)s.",
                code=application.candidate_code,
                status=gettext(application.status.label).lower(),
            )
        )
    vacancy = (vacancy or "").strip()
    justification = (justification or "").strip()
    if len(vacancy) > VACANCY_MAX:
        raise Invalid(
            gettext("Keep the vacancy under %(num)s characters.", num=VACANCY_MAX),
            field="vacancy",
        )
    if len(justification) > offers.JUSTIFICATION_MAX:
        raise Invalid(
            gettext(
                "Keep the justification under %(num)s characters.", num=offers.JUSTIFICATION_MAX
            ),
            field="justification",
        )
    check = checks(queries.places(listed.id))[application.id]
    offers.check_category_rating(check)
    if check.needs_justification and not justification:
        raise Invalid(offers.passed_over_words(check), field="justification")
    return listed, justification, vacancy


def make_offer(
    actor: User | None,
    listed: EligibleList,
    application: Application,
    *,
    vacancy: str,
    justification: str = "",
    terms: OfferTerms | None = None,
) -> Offer:
    """Offer a candidate on the list the vacancy HR names, on these terms; the candidate is
    emailed and answers on their status page by the deadline, as for an offer in the round."""
    listed, justification, vacancy = check_offer(actor, listed, application, justification, vacancy)
    if not vacancy:
        raise Invalid(
            gettext("Name the vacancy this offer fills: its position number, unit or location."),
            field="vacancy",
        )
    if application.status == ApplicationStatus.ASSESSED:
        move_application(actor, application, ApplicationStatus.SHORTLISTED, FROM_THE_LIST)
    return offers.record_offer(
        actor,
        application,
        justification,
        terms,
        eligible_list_id=listed.id,
        vacancy=vacancy,
    )
