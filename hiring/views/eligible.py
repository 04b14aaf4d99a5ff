"""Eligible lists: HR's lists by job profile, a list in its order, offers from it for later
vacancies; and the candidate's way off a list through their status link."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from civicladder import clock
from civicladder.access import Role, public, requires
from civicladder.caching import kept_page
from civicladder.db import db
from civicladder.errors import Invalid, NotFound
from civicladder.forms import attach_error
from civicladder.layout import format_date, page_number
from hiring import posting, services
from hiring.eligible import expiry, queries
from hiring.eligible import offers as list_offers
from hiring.eligible import services as eligible_services
from hiring.forms import EligibleListFilterForm, ListExpiryForm, ListOfferForm
from hiring.models import ApplicationStatus
from hiring.offers import terms as offer_terms
from hiring.views.base import bp, candidate_by_token
from hiring.views.offers import answer_limits


@bp.get("/hiring/eligible-lists")
@requires(Role.HR)
@kept_page
def eligible_lists():
    """Every eligible list (of one job profile when chosen): those still making offers first."""
    form = EligibleListFilterForm(request.args)
    form.job_profile.choices = [
        (0, gettext("Every job profile")),
        *queries.job_profiles_with_lists(),
    ]
    valid = form.validate()
    profile = (form.job_profile.data or None) if valid else None
    today = clock.today()
    page = db.paginate(
        queries.lists_statement(profile, today),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "hiring/eligible_lists.html",
        page=page,
        counts=queries.counts([listed.id for listed in page.items]),
        form=form,
        today=today,
        categories=queries.LISTED,
    ), 200 if valid else 422


def _list_or_not_found(list_id: int):
    listed = queries.get_list(list_id)
    if listed is None:
        raise NotFound(gettext("There is no such eligible list."))
    return listed


@bp.get("/hiring/eligible-lists/<int:list_id>")
@requires(Role.HR)
@kept_page
def eligible_list(list_id: int):
    return _list_page(_list_or_not_found(list_id))


def _list_page(listed, expiry_form=None, status: int = 200):
    places = queries.places(listed.id)
    return render_template(
        "hiring/eligible_list.html",
        listed=listed,
        places=places,
        checks=list_offers.checks(places),
        offers=queries.offers_of(listed.id),
        active=listed.is_active(clock.today()),
        expiry_form=expiry_form or ListExpiryForm(formdata=None),
        changes=queries.expiry_changes(listed.id),
        latest=expiry.latest_expiry(listed),
        longest=expiry.LONGEST_MONTHS,
        S=ApplicationStatus,
        taken_off=eligible_services.TAKEN_OFF,
    ), status


@bp.post("/hiring/eligible-lists/<int:list_id>/expiry")
@requires(Role.HR)
def change_list_expiry(list_id: int):
    """HR gives the list a new last day: the list's page asks for it and the reason, a page of
    its own confirms it (a shorter list ends candidates' standing sooner), then it is made."""
    listed = _list_or_not_found(list_id)
    form = ListExpiryForm()
    if not form.validate():
        return _list_page(listed, form, 422)
    wanted = {
        "reason": form.reason.data,
        "months": form.months.data,
        "expires_on": form.expires_on.data,
    }
    try:
        if request.form.get("confirmed") != "yes":
            change = expiry.check_change(current_user, listed, **wanted)
            return render_template(
                "hiring/confirm_list_expiry.html", listed=listed, change=change, form=form
            )
        change = expiry.change_expiry(current_user, listed, **wanted)
    except Invalid as error:
        attach_error(form, error)
        return _list_page(listed, form, 422)
    flash(
        ngettext(
            "The list now ends on %(day)s. %(num)d candidate still on it was emailed the change.",
            "The list now ends on %(day)s. %(num)d candidates still on it were emailed the change.",
            change.candidates,
            day=format_date(change.new),
        ),
        "success",
    )
    return redirect(url_for("hiring.eligible_list", list_id=list_id))


@bp.post("/hiring/eligible-lists/<int:list_id>/offer")
@requires(Role.HR)
def offer_from_list(list_id: int):
    """An offer from the list is made to a person and cannot be taken back: HR sees whom,
    names the vacancy, sets the terms and confirms (asked only once the list's rules allow it)."""
    listed = _list_or_not_found(list_id)
    application_id = request.form.get("application_id", type=int)
    if application_id is None:
        raise Invalid(gettext("Choose a candidate on the list."))
    application = services.get_application(application_id)
    justification = request.form.get("justification", "")
    if request.form.get("confirmed") != "yes":
        list_offers.check_offer(current_user, listed, application, justification)
        form = ListOfferForm(formdata=None)
        form.start_from(offer_terms.defaults(application.round))
        return _confirm(listed, application, form, justification)
    form = ListOfferForm()
    if form.validate():
        try:
            list_offers.make_offer(
                current_user,
                listed,
                application,
                vacancy=form.vacancy.data,
                justification=justification,
                terms=form.terms(),
            )
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(
                gettext(
                    "%(name)s (%(code)s) offered the vacancy. The candidate answers on their "
                    "status page by the deadline; you will be told of their answer.",
                    name=application.full_name,
                    code=application.candidate_code,
                ),
                "success",
            )
            return redirect(url_for("hiring.eligible_list", list_id=list_id))
    return _confirm(listed, application, form, justification), 422


def _confirm(listed, application, form, justification: str):
    return render_template(
        "hiring/confirm_list_offer.html",
        listed=listed,
        application=application,
        justification=justification,
        form=form,
        pay=posting.pay_words(application.round),
    )


@bp.route("/jobs/status/<token>/eligible-list/leave", methods=["GET", "POST"])
@public
@answer_limits
def leave_eligible_list(token: str):
    application = candidate_by_token(token)
    if request.method == "GET":
        entry = queries.entry_of(application.id)
        if entry is None:
            raise NotFound(gettext("This application is not on an eligible list."))
        return render_template(
            "hiring/leave_eligible_list.html", application=application, entry=entry, token=token
        )
    eligible_services.leave(application)
    flash(
        gettext("You are off the eligible list: the city will make you no offers from it."),
        "success",
    )
    return redirect(url_for("hiring.status", token=token))
