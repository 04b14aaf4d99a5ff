"""HR's rounds: the list, a new round from a job profile, questions, panel and moves."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    current_app,
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
from civicladder.db import db
from civicladder.enums import choices
from civicladder.errors import DomainError, Invalid
from civicladder.forms import attach_error
from civicladder.languages import N_
from civicladder.layout import format_date, page_number
from civicladder.models import User
from civicladder.security import new_token
from competencies import queries as competency_queries
from hiring import offers, queries, ranking, rules, services, stages
from hiring.eligible import queries as eligible_queries
from hiring.eligible.models import DEFAULT_MONTHS
from hiring.forms import (
    ApplicationFilterForm,
    CopyPostingForm,
    PanelForm,
    PostingForm,
    QuestionForm,
    RoundForm,
    RoundMoveForm,
)
from hiring.models import ROUND, ApplicationStatus, RoundStatus
from hiring.offers import queries as offer_queries
from hiring.views.base import bp, round_or_not_found
from people import queries as people_queries
from people.models import JobProfile

# --- HR: rounds -------------------------------------------------------------------------------


@bp.get("/hiring/rounds")
@requires(Role.HR)
@kept_page
def rounds():
    page = db.paginate(
        queries.rounds_statement(),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    counts = queries.application_counts([r.id for r in page.items])
    return render_template("hiring/rounds.html", page=page, counts=counts)


@bp.route("/hiring/rounds/new", methods=["GET", "POST"])
@requires(Role.HR)
def new_round():
    form = RoundForm()
    form.job_profile_id.choices = people_queries.job_profile_choices()
    form.agency_id.choices = [("", gettext("(not stated)")), *people_queries.department_choices()]
    copy = CopyPostingForm(request.args)
    copy.job_profile.choices = form.job_profile_id.choices
    if request.method == "GET":
        form.form_token.data = new_token()
        if copy.validate() and copy.job_profile.data:
            profile = copy.job_profile.data
            form.job_profile_id.data = profile
            form.start_from(queries.posting_defaults(profile), db.session.get(JobProfile, profile))
        elif copy.errors:
            return render_template("hiring/round_form.html", form=form, copy=copy), 422
    if form.validate_on_submit():
        if done := services.round_created_by_form(form.form_token.data):
            flash(
                gettext(
                    "This form was already sent, and made the round %(title)s.", title=done.title
                ),
                "info",
            )
            return redirect(url_for("hiring.round_page", round_id=done.id))
        try:
            hiring_round = services.create_round(
                current_user,
                job_profile_id=form.job_profile_id.data,
                title=form.title.data,
                description=form.description.data or "",
                openings=form.openings.data,
                opens_on=form.opens_on.data,
                closes_on=form.closes_on.data,
                thresholds=form.thresholds(),
                veterans_preference=form.veterans_preference.data,
                eligible_months=form.eligible_months.data or DEFAULT_MONTHS,
                form_token=form.form_token.data or None,
                posting=form.posting(),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(gettext("Draft round %(title)s created.", title=hiring_round.title), "success")
            return redirect(url_for("hiring.round_page", round_id=hiring_round.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("hiring/round_form.html", form=form, copy=copy), status


@bp.route("/hiring/rounds/<int:round_id>/posting", methods=["GET", "POST"])
@requires(Role.HR)
def edit_posting(round_id: int):
    hiring_round = round_or_not_found(round_id)
    form = PostingForm()
    form.agency_id.choices = [("", gettext("(not stated)")), *people_queries.department_choices()]
    status = 200
    if request.method == "GET":
        form.start_from(hiring_round, hiring_round.job_profile)
    elif form.validate_on_submit():
        try:
            services.update_posting(current_user, hiring_round, form.posting())
        except DomainError as error:
            attach_error(form, error)
            status = error.status
        else:
            flash(gettext("The posting is saved."), "success")
            return redirect(url_for("hiring.round_page", round_id=round_id))
    if status == 200 and (form.errors or form.form_errors):
        status = 422
    return render_template("hiring/posting_form.html", form=form, round=hiring_round), status


def _round_page(hiring_round, status: int = 200, **forms):
    question_form = forms.get("question_form") or QuestionForm(formdata=None)
    question_form.competency_id.choices = [(0, gettext("(none)"))] + [
        (c.id, f"{c.code} {c.name}") for c in competency_queries.competencies()
    ]
    filter_form = ApplicationFilterForm(request.args)
    wanted, text = None, ""
    if filter_form.validate():
        wanted = ApplicationStatus(filter_form.status.data) if filter_form.status.data else None
        text = (filter_form.q.data or "").strip()[:100]
    revealed = ranking.names_revealed(hiring_round)
    page = db.paginate(
        queries.applications_statement(hiring_round.id, wanted, text, names_too=revealed),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    progress = queries.assessment_progress([a.id for a in page.items])
    return render_template(
        "hiring/round.html",
        round=hiring_round,
        panel=queries.panel(hiring_round.id),
        counts=queries.status_counts(hiring_round.id),
        page=page,
        progress=progress,
        status_filter=wanted,
        q=text,
        filter_form=filter_form,
        status_choices=choices(ApplicationStatus),
        question_form=question_form,
        panel_form=forms.get("panel_form") or PanelForm(formdata=None),
        move_form=RoundMoveForm(formdata=None),
        next_states=sorted(ROUND.next_states(hiring_round.status), key=list(RoundStatus).index),
        revealed=revealed,
        min_assessors=rules.MIN_ASSESSORS,
        stage_waits=stages.round_waits(hiring_round.id)
        if hiring_round.status != RoundStatus.DRAFT
        else [],
        wait_words=stages.wait_words,
        offers=offer_queries.of_round(hiring_round.id),
        eligible_list=eligible_queries.round_list(hiring_round.id)
        if hiring_round.status == RoundStatus.COMPLETED
        else None,
    ), 422 if filter_form.errors else status


@bp.get("/hiring/rounds/<int:round_id>")
@requires(Role.HR)
@kept_page
def round_page(round_id: int):
    return _round_page(round_or_not_found(round_id))


@bp.post("/hiring/rounds/<int:round_id>/questions")
@requires(Role.HR)
def add_question(round_id: int):
    hiring_round = round_or_not_found(round_id)
    form = QuestionForm()
    form.competency_id.choices = [(0, gettext("(none)"))] + [
        (c.id, c.code) for c in competency_queries.competencies()
    ]
    if form.validate_on_submit():
        try:
            services.add_question(
                current_user, hiring_round, form.prompt.data, form.competency_id.data or None
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(gettext("Question added."), "success")
            return redirect(url_for("hiring.round_page", round_id=round_id, _anchor="questions"))
    return _round_page(hiring_round, 422, question_form=form)


@bp.post("/hiring/rounds/<int:round_id>/panel")
@requires(Role.HR)
def add_assessor(round_id: int):
    hiring_round = round_or_not_found(round_id)
    form = PanelForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(sa.select(User).where(User.email == email))
        try:
            if user is None:
                raise Invalid(
                    gettext("There is no account with the address %(email)s.", email=email),
                    field="email",
                )
            services.add_panel_member(current_user, hiring_round, user)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(gettext("%(name)s added to the panel.", name=user.full_name), "success")
            return redirect(url_for("hiring.round_page", round_id=round_id, _anchor="panel"))
    return _round_page(hiring_round, 422, panel_form=form)


_MOVES = {
    RoundStatus.OPEN: (services.open_round, N_("The round is open for applications.")),
    RoundStatus.CLOSED: (services.close_round, N_("The round is closed to applications.")),
    RoundStatus.ASSESSING: (services.start_assessment, N_("Assessment has started.")),
    RoundStatus.RANKED: (offers.lock_ranking, N_("The ranking is locked; names are now shown.")),
}


def _completed_words(hiring_round) -> str:
    listed = eligible_queries.round_list(hiring_round.id)
    if listed is None:
        return gettext(
            "The round is completed. No qualified candidate was left for an eligible list."
        )
    return gettext(
        "The round is completed. Its remaining qualified candidates are on an eligible list "
        "until %(day)s.",
        day=format_date(listed.expires_on),
    )


def _confirm_move(hiring_round, target: RoundStatus, form, status: int = 200):
    page = render_template(
        "hiring/confirm_move.html",
        round=hiring_round,
        target=target,
        form=form,
        counts=queries.status_counts(hiring_round.id),
        today=clock.today(),
        list_expires=rules.add_months(clock.today(), hiring_round.eligible_months),
    )
    return page, status


def _asks_confirmation(hiring_round, target: RoundStatus) -> bool:
    """Moves that cannot be taken back are confirmed on a page of their own first: locking the
    ranking (names are shown), completing or cancelling the round, and closing it to
    applications before its closing day."""
    if target in (RoundStatus.RANKED, RoundStatus.COMPLETED, RoundStatus.CANCELLED):
        return True
    return target == RoundStatus.CLOSED and clock.today() < hiring_round.closes_on


@bp.post("/hiring/rounds/<int:round_id>/move")
@requires(Role.HR)
def move_round(round_id: int):
    hiring_round = round_or_not_found(round_id)
    form = RoundMoveForm()
    if not form.validate_on_submit():
        raise Invalid(gettext("Choose what to do with the round."))
    try:
        target = RoundStatus(form.to.data)
    except ValueError:
        raise Invalid(gettext("Choose what to do with the round.")) from None
    if request.form.get("confirmed") != "yes" and _asks_confirmation(hiring_round, target):
        return _confirm_move(hiring_round, target, form)
    if target == RoundStatus.CANCELLED:
        try:
            services.cancel_round(current_user, hiring_round, form.reason.data or "")
        except Invalid as error:  # no reason given: said on the confirmation, kept as typed
            attach_error(form, error)
            return _confirm_move(hiring_round, target, form, 422)
        message = gettext("The round is cancelled.")
    elif target == RoundStatus.COMPLETED:
        offers.complete_round(current_user, hiring_round)
        message = _completed_words(hiring_round)
        if unfilled := offers.unfilled(hiring_round):
            flash(
                gettext(
                    "%(unfilled)s of %(openings)s opening(s) are left unfilled by this round: "
                    "offer them from an eligible list for the job profile, or open a new round.",
                    unfilled=unfilled,
                    openings=hiring_round.openings,
                ),
                "warning",
            )
    elif target in _MOVES:
        action, message = _MOVES[target]
        action(current_user, hiring_round)
        message = gettext(message)
    else:
        raise Invalid(gettext("Choose what to do with the round."))
    flash(message, "success")
    return redirect(url_for("hiring.round_page", round_id=round_id))
