"""After assessment: the ranked list and its CSV, decisions, hires, the adverse-impact report."""

from __future__ import annotations

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from civicladder import clock
from civicladder.access import Role, requires
from civicladder.caching import kept_page
from civicladder.errors import Conflict, DomainError, Invalid
from civicladder.exports import attachment
from civicladder.forms import attach_error
from civicladder.languages import N_
from hiring import exports, offers, posting, queries, ranking, record, rules, services
from hiring.forms import HireForm, OfferTermsForm, RecordForm
from hiring.models import ApplicationStatus
from hiring.offers import queries as offer_queries
from hiring.offers import terms as offer_terms
from hiring.views.base import bp, round_or_not_found
from people import queries as people_queries


@bp.get("/hiring/rounds/<int:round_id>/ranking")
@requires(Role.HR)
@kept_page
def ranked_list(round_id: int):
    hiring_round = round_or_not_found(round_id)
    rows = ranking.ranked_list(hiring_round)
    return render_template(
        "hiring/ranking.html",
        round=hiring_round,
        rows=rows,
        waiting=ranking.waiting(hiring_round),
        checks=ranking.offer_checks(rows),
        revealed=ranking.names_revealed(hiring_round),
        offers=offer_queries.by_application(hiring_round.id),
        tie_rule=gettext(rules.TIE_RULE),
        S=ApplicationStatus,
    )


def _csv(text: str, filename: str) -> Response:
    return attachment(text, "text/csv", filename)


@bp.get("/hiring/rounds/<int:round_id>/ranking.csv")
@requires(Role.HR)
def ranked_list_csv(round_id: int):
    return _csv(exports.ranked_csv(round_or_not_found(round_id)), f"round-{round_id}-ranking.csv")


@bp.get("/hiring/rounds/<int:round_id>/decisions.csv")
@requires(Role.HR)
def decisions_csv(round_id: int):
    return _csv(
        exports.decisions_csv(round_or_not_found(round_id)), f"round-{round_id}-decisions.csv"
    )


@bp.get("/hiring/rounds/<int:round_id>/record")
@requires(Role.HR)
def round_record(round_id: int):
    """The round's record: what the ZIP holds and a choice about personal data."""
    return _record_page(round_or_not_found(round_id), RecordForm())


@bp.post("/hiring/rounds/<int:round_id>/record")
@requires(Role.HR)
def download_round_record(round_id: int):
    """The ZIP itself (a POST: each download is recorded in the audit log)."""
    hiring_round = round_or_not_found(round_id)
    form = RecordForm()
    if not form.validate_on_submit():
        return _record_page(hiring_round, form, 422)
    made = record.round_record(current_user, hiring_round, personal=form.personal.data)
    return attachment(made.data, "application/zip", made.filename)


def _record_page(hiring_round, form: RecordForm, status: int = 200):
    return render_template(
        "hiring/record.html", round=hiring_round, form=form, files=record.FILES
    ), status


_DECISIONS = {
    ApplicationStatus.SHORTLISTED: (offers.shortlist, N_("%(code)s shortlisted.")),
    ApplicationStatus.OFFERED: (offers.make_offer, N_("%(code)s offered the job.")),
    ApplicationStatus.DECLINED: (
        offers.record_decline,
        N_("%(code)s recorded as declining the offer."),
    ),
}


@bp.post("/hiring/applications/<int:application_id>/decision")
@requires(Role.HR)
def decide(application_id: int):
    application = services.get_application(application_id)
    try:
        target = ApplicationStatus(request.form.get("to", ""))
        action, words = _DECISIONS[target]
    except (ValueError, KeyError):
        raise Invalid(gettext("Choose shortlist, offer or decline.")) from None
    if target == ApplicationStatus.OFFERED:
        return _offer(application)
    action(current_user, application)
    flash(gettext(words, code=application.candidate_code), "success")
    return redirect(url_for("hiring.ranked_list", round_id=application.round_id))


def _offer(application):
    """An offer is made to a person and cannot be taken back: HR sees whom, sets the terms
    the candidate will read, and confirms (asked only once every rule of an offer is met)."""
    justification = request.form.get("justification", "")
    if request.form.get("confirmed") != "yes":
        offers.check_offer(current_user, application, justification)
        form = OfferTermsForm(formdata=None)
        form.start_from(offer_terms.defaults(application.round))
        return _confirm_offer(application, form, justification)
    form = OfferTermsForm()
    if form.validate():
        try:
            offers.make_offer(current_user, application, justification, form.terms())
        except Invalid as error:
            attach_error(form, error)
        else:
            flash(
                gettext(
                    "%(code)s offered the job. The candidate answers on their status page by "
                    "the deadline; you will be told of their answer.",
                    code=application.candidate_code,
                ),
                "success",
            )
            return redirect(url_for("hiring.ranked_list", round_id=application.round_id))
    return _confirm_offer(application, form, justification), 422


def _confirm_offer(application, form, justification: str):
    return render_template(
        "hiring/confirm_offer.html",
        application=application,
        revealed=ranking.names_revealed(application.round),
        justification=justification,
        counts=queries.status_counts(application.round_id),
        form=form,
        pay=posting.pay_words(application.round),
    )


@bp.route("/hiring/applications/<int:application_id>/hire", methods=["GET", "POST"])
@requires(Role.HR)
def hire(application_id: int):
    application = services.get_application(application_id)
    if application.status != ApplicationStatus.OFFERED:
        raise Conflict(gettext("Only a candidate who was offered the job can be hired."))
    offers.check_accepted(application)
    form = HireForm()
    form.bargaining_unit_id.choices = [(0, gettext("Not represented"))] + [
        (u.id, u.name) for u in people_queries.bargaining_units()
    ]
    if not form.is_submitted():
        form.hire_date.data = clock.today()
    if form.validate_on_submit():
        try:
            employee = offers.hire(
                current_user,
                application,
                employee_number=form.employee_number.data or "",
                department_path=form.department.data or "",
                hire_date=form.hire_date.data,
                manager_number=form.manager_number.data or "",
                bargaining_unit_id=form.bargaining_unit_id.data or None,
            )
        except DomainError as error:
            if isinstance(error, Invalid):
                attach_error(form, error)
            else:
                raise
        else:
            flash(gettext("%(name)s is hired.", name=employee.full_name), "success")
            offer = offers.offer_of(application)
            if offer is not None and offer.eligible_list_id is not None:
                return redirect(url_for("hiring.eligible_list", list_id=offer.eligible_list_id))
            return redirect(url_for("hiring.ranked_list", round_id=application.round_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("hiring/hire.html", form=form, application=application), status


@bp.get("/hiring/rounds/<int:round_id>/adverse-impact")
@requires(Role.HR)
def adverse_impact(round_id: int):
    hiring_round = round_or_not_found(round_id)
    return render_template(
        "hiring/adverse_impact.html",
        round=hiring_round,
        tables=ranking.adverse_impact_report(round_id),
        note=gettext(ranking.NOTE, num=rules.SMALLEST_GROUP),
    )
