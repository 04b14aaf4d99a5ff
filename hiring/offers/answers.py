"""The candidate's answer to an offer, on their status page: accept, or decline with a reason,
by the deadline; and the daily run that lapses offers left unanswered.

The candidate has no account: they act through their private status link, so these services
take the application the link found. HR hears of every answer and lapse (the officer who made
the offer and the round's owner, or every HR officer when neither has an active account), and
the candidate gets a copy by email.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import joinedload

from civicladder import clock, notify
from civicladder.access import Role
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, Invalid, NotFound
from civicladder.languages import N_, written_in
from civicladder.layout import format_date, format_datetime
from civicladder.lifecycle import move
from civicladder.models import User, UserRole
from hiring import posting
from hiring.models import Application, ApplicationStatus, HiringRound, RoundStatus
from hiring.offers.models import OFFER, Offer, OfferStatus
from hiring.services import move_application

REASON_MAX = 2000
STATUS_LINK_HELP = N_(
    "Open your private status link (in the email we sent when you applied) to see it. Lost "
    "the link? Ask for it again on the jobs page."
)


# --- the candidate -----------------------------------------------------------------------------


def accept(application: Application) -> Offer:
    """The candidate accepts the offer; HR then records the hire."""
    offer = answerable(application, lock=True)
    move(OFFER, offer, OfferStatus.ACCEPTED, None)
    offer.answered_at = clock.now()
    title = application.round.title
    _tell_hr(
        offer,
        _l("Offer accepted: %(name)s, %(title)s", name=application.full_name, title=title),
        _l(
            "%(name)s (%(code)s) accepted the offer for %(title)s. Record the hire from the "
            "%(list)s.",
            name=application.full_name,
            code=application.candidate_code,
            title=title,
            list=_where(offer),
        ),
    )
    with written_in(application.locale):
        notify.email(
            application.email,
            gettext("You accepted the offer for %(title)s", title=title),
            gettext(
                "Thank you: we have your acceptance of the offer for %(title)s, starting on "
                "%(day)s. HR will be in touch about your first day.",
                title=title,
                day=format_date(offer.starts_on),
            ),
        )
    return offer


def decline(application: Application, reason: str) -> Offer:
    """The candidate declines the offer, saying why; the opening goes to the next candidate."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Tell us why you are declining the offer.", field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(f"Keep your reason under {REASON_MAX} characters.", field="reason")
    offer = answerable(application, lock=True)
    move(OFFER, offer, OfferStatus.DECLINED, None, reason=reason)
    offer.answered_at = clock.now()
    offer.decline_reason = reason
    move_application(None, application, ApplicationStatus.DECLINED, reason)
    title = application.round.title
    _tell_hr(
        offer,
        _l("Offer declined: %(name)s, %(title)s", name=application.full_name, title=title),
        _l(
            "%(name)s (%(code)s) declined the offer for %(title)s. Their reason: %(reason)s"
            "\n\nThe opening is free: offer it to the next candidate on the %(list)s.",
            name=application.full_name,
            code=application.candidate_code,
            title=title,
            reason=reason,
            list=_where(offer),
        ),
    )
    with written_in(application.locale):
        notify.email(
            application.email,
            gettext("You declined the offer for %(title)s", title=title),
            gettext(
                "We have your answer: you declined the offer for %(title)s. Thank you for your "
                "interest in working for the city.",
                title=title,
            ),
        )
    return offer


def close(actor: User | None, application: Application, reason: str) -> Offer | None:
    """An offer still open (or accepted) closed as declined, for an answer given another way:
    HR records a decline, or the candidate withdraws the application."""
    found = db.session.scalar(sa.select(Offer.id).where(Offer.application_id == application.id))
    if found is None:
        return None
    offer = locked_get(Offer, found)
    if not OFFER.can_move(offer.status, OfferStatus.DECLINED):
        return offer
    move(OFFER, offer, OfferStatus.DECLINED, actor, reason=reason)
    offer.answered_at = clock.now()
    offer.decline_reason = reason
    return offer


def withdrawn(application: Application) -> None:
    """The candidate withdrew while under offer: the offer closes and HR hears of it."""
    offer = close(None, application, "The candidate withdrew the application.")
    if offer is None:
        return
    title = application.round.title
    _tell_hr(
        offer,
        _l(
            "Application withdrawn under offer: %(name)s, %(title)s",
            name=application.full_name,
            title=title,
        ),
        _l(
            "%(name)s (%(code)s) withdrew their application for %(title)s while under offer. "
            "The opening is free: offer it to the next candidate on the %(list)s.",
            name=application.full_name,
            code=application.candidate_code,
            title=title,
            list=_where(offer),
        ),
    )


def answerable(application: Application, *, lock: bool = False) -> Offer:
    """The offer if it still takes an answer (locked, for a service about to answer it);
    else a Conflict that says why."""
    found = db.session.scalar(sa.select(Offer.id).where(Offer.application_id == application.id))
    if found is None:
        raise NotFound("There is no offer to answer on this application.")
    offer = locked_get(Offer, found) if lock else db.session.get(Offer, found)
    problem = why_closed(application, offer)
    if problem is not None:
        raise Conflict(problem)
    return offer


def why_closed(application: Application, offer: Offer) -> str | None:
    """Why the offer takes no answer now, in the candidate's words; None while it does."""
    if offer.status == OfferStatus.ACCEPTED:
        return "You have already accepted this offer."
    if offer.status == OfferStatus.WITHDRAWN:
        return (
            "The city withdrew this offer: the hiring round was cancelled. Contact the city's "
            "human resources office if you have questions."
        )
    if offer.status != OfferStatus.PENDING:
        return f"This offer no longer takes an answer: it is {offer.status.label.lower()}."
    if application.status != ApplicationStatus.OFFERED:
        return "This application is no longer under offer."
    if application.round.status != _answered_in(offer):
        # Offers are made in a ranked round, or from the eligible list of a completed one; a
        # round cancelled since takes no answers.
        return (
            f"This hiring round is {application.round.status.label.lower()}, so the offer "
            "can no longer be accepted or declined. Contact the city's human resources office."
        )
    if is_past_due(offer):
        return (
            f"The deadline to answer this offer was {_moment(offer.respond_by)}, and it has "
            "passed, so the offer has lapsed. If you still want the job, contact the city's "
            "human resources office."
        )
    return None


def _answered_in(offer: Offer) -> RoundStatus:
    """The status the offer's round has while the offer takes answers."""
    return RoundStatus.COMPLETED if offer.eligible_list_id is not None else RoundStatus.RANKED


def is_past_due(offer: Offer, now: datetime | None = None) -> bool:
    return (now or clock.now()) > offer.respond_by


# --- the city withdraws ------------------------------------------------------------------------


def withdraw_for_cancelled_round(actor: User | None, hiring_round: HiringRound, reason: str) -> int:
    """Every offer of the round still open (waiting, or accepted and not hired on) is withdrawn
    with the round's cancellation, and its candidate told; returns how many."""
    found = db.session.scalars(
        sa.select(Offer)
        .join(Application, Application.id == Offer.application_id)
        .where(
            Application.round_id == hiring_round.id,
            Offer.status.in_([OfferStatus.PENDING, OfferStatus.ACCEPTED]),
        )
        .options(joinedload(Offer.application))
        .order_by(Offer.id)
        .with_for_update(of=Offer)
    ).all()
    why = f"The hiring round was cancelled: {reason.strip()}"
    for offer in found:
        move(OFFER, offer, OfferStatus.WITHDRAWN, actor, reason=why)
        offer.answered_at = clock.now()
        offer.decline_reason = why
        application = offer.application
        with written_in(application.locale):
            words = {
                "title": hiring_round.title,
                "code": application.candidate_code,
                "reason": reason.strip(),
            }
            notify.email(
                application.email,
                gettext("Your offer for %(title)s is withdrawn", **words),
                gettext(
                    "We are sorry to tell you that the city has cancelled the hiring round for "
                    "%(title)s, so the offer made to you (%(code)s) is withdrawn. The reason "
                    "given: %(reason)s",
                    **words,
                )
                + "\n\n"
                + gettext(
                    "If you have questions, contact the city's human resources office. The "
                    "city's other open jobs are on its jobs page."
                ),
                link=url_for("hiring.jobs"),
            )
    return len(found)


# --- lapsing -----------------------------------------------------------------------------------


def lapse_overdue(actor: User | None = None) -> int:
    """Every offer still waiting past its deadline lapses (counted as a decline, so the
    opening goes to the next candidate in order); HR and the candidate are told. Returns
    how many lapsed."""
    now = clock.now()
    overdue = db.session.scalars(
        sa.select(Offer)
        .join(Application, Application.id == Offer.application_id)
        .join(HiringRound, HiringRound.id == Application.round_id)
        .where(
            Offer.status == OfferStatus.PENDING,
            Offer.respond_by < now,
            Application.status == ApplicationStatus.OFFERED,
            sa.or_(
                sa.and_(HiringRound.status == RoundStatus.RANKED, Offer.eligible_list_id.is_(None)),
                sa.and_(
                    HiringRound.status == RoundStatus.COMPLETED,
                    Offer.eligible_list_id.is_not(None),
                ),
            ),
        )
        .options(joinedload(Offer.application).joinedload(Application.round))
        .order_by(Offer.respond_by, Offer.id)
    ).all()
    lapsed = 0
    for offer in overdue:
        # Locked and read again: the candidate may have answered since the list was read.
        offer = locked_get(Offer, offer.id)
        if offer.status != OfferStatus.PENDING or not is_past_due(offer, now):
            continue
        _lapse(actor, offer)
        lapsed += 1
    return lapsed


def _lapse(actor: User | None, offer: Offer) -> None:
    application = offer.application
    due = _moment(offer.respond_by)
    reason = f"No answer by the deadline, {due}."
    move(OFFER, offer, OfferStatus.LAPSED, actor, reason=reason)
    move_application(actor, application, ApplicationStatus.DECLINED, reason)
    title = application.round.title
    _tell_hr(
        offer,
        _l("Offer lapsed: %(name)s, %(title)s", name=application.full_name, title=title),
        _l(
            "%(name)s (%(code)s) did not answer the offer for %(title)s by %(due)s; it has "
            "lapsed and counts as declined. The opening is free: offer it to the next "
            "candidate on the %(list)s.",
            name=application.full_name,
            code=application.candidate_code,
            title=title,
            # Written when the notice is, in its reader's language.
            due=LazyString(_moment, offer.respond_by),
            list=_where(offer),
        ),
    )
    with written_in(application.locale):
        notify.email(
            application.email,
            gettext("Your offer for %(title)s has lapsed", title=title),
            gettext(
                "We had no answer to our offer for %(title)s by %(due)s, so the offer has "
                "lapsed. If you still want the job, contact the city's human resources office.",
                title=title,
                due=_moment(offer.respond_by),
            ),
        )


# --- telling people ----------------------------------------------------------------------------


def tell_candidate_of_offer(offer: Offer) -> None:
    application = offer.application
    title = application.round.title
    with written_in(application.locale):
        job = title
        if offer.vacancy:
            job = gettext(
                "%(title)s (%(vacancy)s), from the round's eligible list",
                title=title,
                vacancy=offer.vacancy,
            )
        notify.email(
            application.email,
            gettext("Job offer: %(title)s", title=title),
            gettext(
                "We would like to offer you the job of %(job)s, at %(pay)s a year, starting "
                "on %(day)s. The offer, its conditions and its letter are on your status page, "
                "where you accept or decline it by %(due)s.",
                job=job,
                pay=posting.dollars(offer.salary_cents),
                day=format_date(offer.starts_on),
                due=_moment(offer.respond_by),
            )
            + " "
            + gettext(STATUS_LINK_HELP),
            link=url_for("hiring.jobs", _anchor="status-link-heading"),
        )


def _tell_hr(offer: Offer, subject: LazyString, body: LazyString) -> None:
    """The officer who made the offer and the round's owner; every HR officer if neither
    has an active account. Each reads it in their own language (lazy words, written by the
    notice)."""
    application = offer.application
    named = {offer.made_by_id, application.round.created_by_id} - {None}
    people = (
        list(db.session.scalars(sa.select(User).where(User.id.in_(named), User.active)))
        if named
        else []
    )
    if not people:
        people = list(
            db.session.scalars(
                sa.select(User)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == Role.HR, User.active)
                .order_by(User.id)
            )
        )
    if offer.eligible_list_id is not None:
        link = url_for("hiring.eligible_list", list_id=offer.eligible_list_id)
    else:
        link = url_for("hiring.ranked_list", round_id=application.round_id)
    for person in people:
        notify.notify(person, subject, body, link)


def _where(offer: Offer) -> LazyString:
    return _l("eligible list") if offer.eligible_list_id is not None else _l("ranked list")


def _moment(value: datetime) -> str:
    return format_datetime(value)
