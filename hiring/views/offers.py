"""The candidate's offer, through their private status link: its letter, accepting, declining.

Each answer has its confirmation page (GET) before it is given (POST); the link is the only
way in, for anyone holding it, signed in or not.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from civicladder.access import public
from civicladder.errors import Invalid, NotFound
from civicladder.exports import attachment
from civicladder.extensions import limiter
from civicladder.forms import attach_error
from civicladder.languages import N_
from civicladder.security import token_hash
from hiring import offers
from hiring.forms import AcceptOfferForm, DeclineOfferForm
from hiring.offers import answers, letter
from hiring.views.base import bp, candidate_by_token


@bp.get("/jobs/status/<token>/offer.pdf")
@public
def offer_letter(token: str):
    application = candidate_by_token(token)
    offer = offers.offer_of(application)
    if offer is None:
        raise NotFound(gettext("There is no offer letter for this application."))
    return attachment(letter.letter_pdf(offer), "application/pdf", letter.filename(offer))


def _answer_address_limit() -> str:
    return current_app.config["OFFER_ANSWER_LIMIT_PER_ADDRESS"]


def _answer_link_limit() -> str:
    return current_app.config["OFFER_ANSWER_LIMIT_PER_LINK"]


def _answer_link_key() -> str:
    # The link's hash, never the link itself, names its counter in the shared store.
    return "status-link-answer:" + token_hash((request.view_args or {}).get("token", ""))


# Marked here, translated where the error page shows it.
TOO_MANY_ANSWERS = N_(
    "Too many answers have been sent from here, or through this status link, in a short time. "
    "Nothing was changed this time. Please wait and try again later; if you need help, contact "
    "the city's human resources office."
)


# Shared by every answer route: accepting, declining and leaving a list draw on one count.
_per_link = limiter.shared_limit(
    _answer_link_limit,
    scope="status-link-answers",
    key_func=_answer_link_key,
    methods=["POST"],
    error_message=TOO_MANY_ANSWERS,
)
_per_address = limiter.shared_limit(
    _answer_address_limit,
    scope="status-link-answers-address",
    methods=["POST"],
    error_message=TOO_MANY_ANSWERS,
)


def answer_limits(view):
    """A candidate's answers through their status link send mail: every POST counts, per
    client address and per link, whichever answer it is."""
    return _per_address(_per_link(view))


@bp.route("/jobs/status/<token>/offer/accept", methods=["GET", "POST"])
@public
@answer_limits
def accept_offer(token: str):
    application = candidate_by_token(token)
    offer = answers.answerable(application)
    form = AcceptOfferForm()
    if form.validate_on_submit():
        answers.accept(application)
        flash(
            gettext(
                "You have accepted the offer. HR has been told and will be in touch about your "
                "first day."
            ),
            "success",
        )
        return redirect(url_for("hiring.status", token=token, _anchor="offer-heading"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "hiring/accept_offer.html", application=application, offer=offer, form=form, token=token
    ), status


@bp.route("/jobs/status/<token>/offer/decline", methods=["GET", "POST"])
@public
@answer_limits
def decline_offer(token: str):
    application = candidate_by_token(token)
    offer = answers.answerable(application)
    form = DeclineOfferForm()
    if form.validate_on_submit():
        try:
            answers.decline(application, form.reason.data)
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(gettext("You have declined the offer. HR has been told. Thank you."), "success")
            return redirect(url_for("hiring.status", token=token, _anchor="offer-heading"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "hiring/decline_offer.html", application=application, offer=offer, form=form, token=token
    ), status
