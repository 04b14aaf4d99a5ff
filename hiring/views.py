"""Hiring pages: public jobs and applications, HR's rounds, assessors' blind scoring."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from civicladder import clock
from civicladder.access import SIGNED_IN, Role, public, requires
from civicladder.db import db
from civicladder.enums import choices
from civicladder.errors import Conflict, DomainError, Invalid, NotFound
from civicladder.forms import attach_error
from civicladder.layout import page_number
from civicladder.models import User
from civicladder.panels import Panel
from competencies import queries as competency_queries
from hiring import assessment as scoring
from hiring import exports, files, offers, queries, ranking, rules, services
from hiring.forms import (
    ApplicationForm,
    ConsensusForm,
    HireForm,
    PanelForm,
    QuestionForm,
    RoundForm,
    RoundMoveForm,
    ScreenForm,
    ThirdAssessorForm,
    answers_from,
)
from hiring.models import APPLICATION, ROUND, ApplicationStatus, RoundStatus
from people import queries as people_queries

bp = Blueprint("hiring", __name__)


def assessor_of_round(user, view_args: dict) -> bool:
    """A named access rule: the person sits on the panel of the round in the address."""
    round_id = view_args.get("round_id")
    return round_id is not None and queries.is_assessor_of(user.id, round_id)


@bp.app_context_processor
def _hiring_helpers():
    return {"format_score": rules.format_score}


# --- public: jobs, applying, the status link ----------------------------------------------------


@bp.get("/jobs")
@public
def jobs():
    page = db.paginate(
        queries.open_rounds_statement(),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template("hiring/jobs.html", page=page)


def _public_round(round_id: int):
    hiring_round = queries.round_with_details(round_id)
    if hiring_round is None or hiring_round.status == RoundStatus.DRAFT:
        raise NotFound("There is no such job opening.")
    return hiring_round


@bp.route("/jobs/<int:round_id>", methods=["GET", "POST"])
@public
def job(round_id: int):
    hiring_round = _public_round(round_id)
    taking = queries.is_taking_applications(hiring_round)
    form = ApplicationForm()
    answers = answers_from(request.form, hiring_round.questions)
    answer_errors: dict[int, str] = {}
    if taking and form.validate_on_submit():
        try:
            _, token = services.submit_application(
                hiring_round,
                full_name=form.full_name.data,
                email=form.email.data,
                answers=answers,
                work_sample=form.work_sample.data or "",
                sex=form.sex.data or None,
                ethnicity=form.ethnicity.data or None,
                upload=_upload(form),
                preference_eligible=bool(form.preference_eligible.data),
            )
        except DomainError as error:
            if error.field and error.field.startswith("answer_"):
                answer_errors[int(error.field.removeprefix("answer_"))] = error.message
                form.form_errors.append(error.message)
            else:
                attach_error(form, error)
        else:
            flash("Your application is in. Keep this page's address: it is your status link.")
            return redirect(url_for("hiring.status", token=token))
    elif request.method == "POST" and not taking:
        form.form_errors.append("This round is not taking applications.")
    if request.method == "POST":
        for question in hiring_round.questions:
            if not answers.get(question.id, "").strip():
                answer_errors.setdefault(question.id, "Answer this question.")
    status = 422 if form.errors or form.form_errors else 200
    if request.method == "POST" and not taking:
        status = 409
    page = render_template(
        "hiring/job.html",
        round=hiring_round,
        taking=taking,
        form=form,
        answers=answers,
        answer_errors=answer_errors,
        own_employee=people_queries.own_employee(current_user)
        if current_user.is_authenticated
        else None,
    )
    return page, status


def _upload(form) -> files.Upload | None:
    storage = form.upload.data
    if not storage or not getattr(storage, "filename", ""):
        return None
    # One byte past the limit is enough to refuse it, without reading more of the request.
    return files.Upload(storage.stream.read(files.MAX_BYTES + 1), storage.filename)


@bp.post("/jobs/<int:round_id>/apply-as-employee")
@requires(Role.EMPLOYEE)
def apply_as_employee(round_id: int):
    hiring_round = _public_round(round_id)
    _, token = services.apply_internal(current_user, hiring_round)
    flash("Your application is in. Keep this page's address: it is your status link.")
    return redirect(url_for("hiring.status", token=token))


@bp.get("/jobs/status/<token>")
@public
def status(token: str):
    application = services.application_by_token(token)
    can_withdraw = APPLICATION.can_move(application.status, ApplicationStatus.WITHDRAWN)
    return render_template(
        "hiring/status.html", application=application, token=token, can_withdraw=can_withdraw
    )


@bp.route("/jobs/status/<token>/withdraw", methods=["GET", "POST"])
@public
def withdraw(token: str):
    if request.method == "GET":
        application = services.application_by_token(token)
        return render_template("hiring/withdraw.html", application=application, token=token)
    services.withdraw(token)
    flash("Your application is withdrawn.", "success")
    return redirect(url_for("hiring.status", token=token))


# --- HR: rounds -------------------------------------------------------------------------------


@bp.get("/hiring/rounds")
@requires(Role.HR)
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
    if request.method == "GET" and (profile := request.args.get("job_profile", type=int)):
        form.job_profile_id.data = profile
    if form.validate_on_submit():
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
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(f"Draft round {hiring_round.title} created.", "success")
            return redirect(url_for("hiring.round_page", round_id=hiring_round.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("hiring/round_form.html", form=form), status


def _round_page(hiring_round, **forms):
    question_form = forms.get("question_form") or QuestionForm(formdata=None)
    question_form.competency_id.choices = [(0, "(none)")] + [
        (c.id, f"{c.code} {c.name}") for c in competency_queries.competencies()
    ]
    status_filter = request.args.get("status") or None
    try:
        wanted = ApplicationStatus(status_filter) if status_filter else None
    except ValueError:
        wanted = None
    text = (request.args.get("q") or "").strip()[:100]
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
        status_choices=choices(ApplicationStatus),
        question_form=question_form,
        panel_form=forms.get("panel_form") or PanelForm(formdata=None),
        move_form=RoundMoveForm(formdata=None),
        next_states=sorted(ROUND.next_states(hiring_round.status), key=list(RoundStatus).index),
        revealed=revealed,
        min_assessors=rules.MIN_ASSESSORS,
    )


def _get_round(round_id: int):
    hiring_round = queries.round_with_details(round_id)
    if hiring_round is None:
        raise NotFound("There is no such hiring round.")
    return hiring_round


@bp.get("/hiring/rounds/<int:round_id>")
@requires(Role.HR)
def round_page(round_id: int):
    return _round_page(_get_round(round_id))


@bp.post("/hiring/rounds/<int:round_id>/questions")
@requires(Role.HR)
def add_question(round_id: int):
    hiring_round = _get_round(round_id)
    form = QuestionForm()
    form.competency_id.choices = [(0, "(none)")] + [
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
            flash("Question added.", "success")
            return redirect(url_for("hiring.round_page", round_id=round_id, _anchor="questions"))
    return _round_page(hiring_round, question_form=form), 422


@bp.post("/hiring/rounds/<int:round_id>/panel")
@requires(Role.HR)
def add_assessor(round_id: int):
    hiring_round = _get_round(round_id)
    form = PanelForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(sa.select(User).where(User.email == email))
        try:
            if user is None:
                raise Invalid(f"There is no account with the address {email}.", field="email")
            services.add_panel_member(current_user, hiring_round, user)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(f"{user.full_name} added to the panel.", "success")
            return redirect(url_for("hiring.round_page", round_id=round_id, _anchor="panel"))
    return _round_page(hiring_round, panel_form=form), 422


_MOVES = {
    RoundStatus.OPEN: (services.open_round, "The round is open for applications."),
    RoundStatus.CLOSED: (services.close_round, "The round is closed to applications."),
    RoundStatus.ASSESSING: (services.start_assessment, "Assessment has started."),
    RoundStatus.RANKED: (offers.lock_ranking, "The ranking is locked; names are now shown."),
    RoundStatus.COMPLETED: (offers.complete_round, "The round is completed."),
}


@bp.post("/hiring/rounds/<int:round_id>/move")
@requires(Role.HR)
def move_round(round_id: int):
    hiring_round = _get_round(round_id)
    form = RoundMoveForm()
    if not form.validate_on_submit():
        raise Invalid("Choose what to do with the round.")
    try:
        target = RoundStatus(form.to.data)
    except ValueError:
        raise Invalid("Choose what to do with the round.") from None
    if target == RoundStatus.CANCELLED:
        services.cancel_round(current_user, hiring_round, form.reason.data or "")
        message = "The round is cancelled."
    elif target in _MOVES:
        action, message = _MOVES[target]
        action(current_user, hiring_round)
    else:
        raise Invalid("Choose what to do with the round.")
    flash(message, "success")
    return redirect(url_for("hiring.round_page", round_id=round_id))


# --- HR: one application ------------------------------------------------------------------------


def _application_page(application, status_code=200, **forms):
    hiring_round = queries.round_with_details(application.round_id)
    scores, complete = scoring.score_table(application.id)
    flagged = rules.flagged_competencies(scores) if complete else set()
    levels = []
    if application.employee_id is not None:
        levels = competency_queries.current_levels(application.employee_id)
    third = forms.get("third_form") or ThirdAssessorForm(formdata=None)
    third.assessor_id.choices = [(u.id, u.full_name) for u in queries.panel(hiring_round.id)]
    page = render_template(
        "hiring/application.html",
        application=application,
        round=hiring_round,
        answers=sorted(application.answers, key=lambda a: a.question.position),
        scores=scores,
        complete=complete,
        flagged=flagged,
        consensus=scoring.consensus_for(application.id),
        levels=levels,
        screen_form=forms.get("screen_form") or ScreenForm(formdata=None),
        consensus_form=ConsensusForm(formdata=None),
        third_form=third,
        revealed=ranking.names_revealed(hiring_round),
        can_screen=hiring_round.status in services.SCREENING
        and application.status
        in {
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.SCREENED_IN,
            ApplicationStatus.SCREENED_OUT,
        },
    )
    return page, status_code


@bp.get("/hiring/applications/<int:application_id>")
@requires(Role.HR)
def application(application_id: int):
    return _application_page(services.get_application(application_id))


@bp.get("/hiring/applications/<int:application_id>/file")
@requires(Role.HR)
def application_file(application_id: int):
    application = services.get_application(application_id)
    if not application.file_key:
        raise NotFound("This application has no file.")
    return send_file(
        files.path_for(application.file_key),
        mimetype=application.file_type,
        as_attachment=True,
        download_name=application.file_name,
    )


@bp.post("/hiring/applications/<int:application_id>/screen")
@requires(Role.HR)
def screen(application_id: int):
    application = services.get_application(application_id)
    form = ScreenForm()
    if form.validate_on_submit():
        try:
            services.screen(
                current_user, application, form.decision.data == "in", form.reason.data or ""
            )
        except DomainError as error:
            if isinstance(error, Invalid):
                attach_error(form, error)
            else:
                raise
        else:
            flash(f"{application.candidate_code}: {application.status.label.lower()}.", "success")
            return redirect(url_for("hiring.round_page", round_id=application.round_id))
    return _application_page(application, 422, screen_form=form)


@bp.post("/hiring/applications/<int:application_id>/consensus")
@requires(Role.HR)
def consensus(application_id: int):
    application = services.get_application(application_id)
    form = ConsensusForm()
    if not form.validate_on_submit():
        raise Invalid("Choose a consensus score and give the reason.")
    try:
        competency_id = int(form.competency_id.data)
    except ValueError:
        raise Invalid("Choose a competency of the rubric.") from None
    scoring.record_consensus(
        current_user, application, competency_id, int(form.score.data), form.reason.data
    )
    flash("Consensus score recorded.", "success")
    return redirect(url_for("hiring.application", application_id=application_id))


@bp.post("/hiring/applications/<int:application_id>/assessors")
@requires(Role.HR)
def add_application_assessor(application_id: int):
    application = services.get_application(application_id)
    form = ThirdAssessorForm()
    form.assessor_id.choices = [(u.id, u.full_name) for u in queries.panel(application.round_id)]
    if not form.validate_on_submit():
        raise Invalid("Choose an assessor from the round's panel.")
    user = db.session.get(User, form.assessor_id.data)
    scoring.add_third_assessor(current_user, application, user)
    flash(f"{user.full_name} will also assess {application.candidate_code}.", "success")
    return redirect(url_for("hiring.application", application_id=application_id))


@bp.get("/hiring/rounds/<int:round_id>/ranking")
@requires(Role.HR)
def ranked_list(round_id: int):
    hiring_round = _get_round(round_id)
    return render_template(
        "hiring/ranking.html",
        round=hiring_round,
        rows=ranking.ranked_list(hiring_round),
        revealed=ranking.names_revealed(hiring_round),
        tie_rule=rules.TIE_RULE,
        S=ApplicationStatus,
    )


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/hiring/rounds/<int:round_id>/ranking.csv")
@requires(Role.HR)
def ranked_list_csv(round_id: int):
    return _csv(exports.ranked_csv(_get_round(round_id)), f"round-{round_id}-ranking.csv")


@bp.get("/hiring/rounds/<int:round_id>/decisions.csv")
@requires(Role.HR)
def decisions_csv(round_id: int):
    return _csv(exports.decisions_csv(_get_round(round_id)), f"round-{round_id}-decisions.csv")


_DECISIONS = {
    ApplicationStatus.SHORTLISTED: (offers.shortlist, "shortlisted"),
    ApplicationStatus.OFFERED: (offers.make_offer, "offered the job"),
    ApplicationStatus.DECLINED: (offers.record_decline, "recorded as declining the offer"),
}


@bp.post("/hiring/applications/<int:application_id>/decision")
@requires(Role.HR)
def decide(application_id: int):
    application = services.get_application(application_id)
    try:
        target = ApplicationStatus(request.form.get("to", ""))
        action, words = _DECISIONS[target]
    except (ValueError, KeyError):
        raise Invalid("Choose shortlist, offer or decline.") from None
    action(current_user, application)
    flash(f"{application.candidate_code} {words}.", "success")
    return redirect(url_for("hiring.ranked_list", round_id=application.round_id))


@bp.route("/hiring/applications/<int:application_id>/hire", methods=["GET", "POST"])
@requires(Role.HR)
def hire(application_id: int):
    application = services.get_application(application_id)
    if application.status != ApplicationStatus.OFFERED:
        raise Conflict("Only a candidate who was offered the job can be hired.")
    form = HireForm()
    form.bargaining_unit_id.choices = [(0, "Not represented")] + [
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
            flash(f"{employee.full_name} is hired.", "success")
            return redirect(url_for("hiring.ranked_list", round_id=application.round_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("hiring/hire.html", form=form, application=application), status


@bp.get("/hiring/rounds/<int:round_id>/adverse-impact")
@requires(Role.HR)
def adverse_impact(round_id: int):
    hiring_round = _get_round(round_id)
    return render_template(
        "hiring/adverse_impact.html",
        round=hiring_round,
        tables=ranking.adverse_impact_report(round_id),
        note=ranking.NOTE,
        four_fifths=rules.FOUR_FIFTHS,
    )


# --- assessors ----------------------------------------------------------------------------------


@bp.get("/assess")
@requires(SIGNED_IN)
def assess_rounds():
    return render_template(
        "hiring/assess_rounds.html", rounds=queries.rounds_for_assessor(current_user.id)
    )


@bp.get("/assess/rounds/<int:round_id>")
@requires(assessor_of_round)
def queue(round_id: int):
    hiring_round = services.get_round(round_id)
    page = db.paginate(
        queries.assessor_queue_statement(current_user.id, round_id),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "hiring/queue.html", round=hiring_round, page=page, items=queries.queue_items(page.items)
    )


@bp.route("/assess/rounds/<int:round_id>/<int:assessment_id>", methods=["GET", "POST"])
@requires(assessor_of_round)
def score(round_id: int, assessment_id: int):
    assessment = scoring.get_assessment_for(current_user, round_id, assessment_id)
    hiring_round = queries.round_with_details(round_id)
    errors: list[str] = []
    entered: dict[int, int] = {}
    notes = ""
    if request.method == "POST":
        for item in hiring_round.rubric:
            entered[item.competency_id] = request.form.get(f"score_{item.competency_id}", type=int)
        notes = (request.form.get("notes") or "")[:8000]
        try:
            scoring.submit_scores(current_user, assessment, entered, notes)
        except Invalid as error:
            errors.append(error.message)
        else:
            flash(f"Scores for {assessment.application.candidate_code} submitted.", "success")
            return redirect(url_for("hiring.queue", round_id=round_id))
    page = render_template(
        "hiring/score.html",
        round=hiring_round,
        assessment=assessment,
        blind=queries.blind_application(assessment.application_id),
        own=queries.own_scores(assessment.id) if assessment.submitted_at else entered,
        others=queries.other_scores(assessment),
        errors=errors,
        notes=notes or assessment.notes,
    )
    return page, (422 if errors else 200)


# --- panels -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessorPanel(Panel):
    template: ClassVar[str] = "hiring/_assessor_panel.html"
    rounds: list


def assessor_panel(user) -> AssessorPanel | None:
    rounds = [r for r in queries.rounds_for_assessor(user.id) if r.to_score]
    return AssessorPanel(rounds=rounds) if rounds else None
