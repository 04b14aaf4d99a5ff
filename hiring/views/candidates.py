"""Public pages: the jobs list, applying without an account, the private status link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

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
from civicladder.access import Role, public, requires
from civicladder.caching import kept_page
from civicladder.db import db
from civicladder.errors import DomainError, Forbidden, NotFound
from civicladder.extensions import limiter
from civicladder.forms import attach_error
from civicladder.languages import N_
from civicladder.layout import page_number
from civicladder.panels import Panel
from hiring import files, offers, posting, queries, services
from hiring.eligible import queries as eligible_queries
from hiring.forms import (
    ApplicationForm,
    JobSearchForm,
    StatusLinkForm,
    answers_from,
)
from hiring.models import APPLICATION, ApplicationStatus, RoundStatus, WorkSchedule
from hiring.offers import answers
from hiring.views.base import bp, candidate_by_token
from people import queries as people_queries

# --- public: jobs, applying, the status link ----------------------------------------------------


@bp.get("/jobs")
@public
@kept_page
def jobs():
    form = JobSearchForm(request.args)
    form.offer(*queries.job_filter_choices())
    search = queries.JobSearch()
    if form.validate():
        search = queries.JobSearch(
            text=(form.q.data or "").strip() or None,
            agency_id=form.agency.data or None,
            location=form.location.data or None,
            schedule=WorkSchedule(form.schedule.data) if form.schedule.data else None,
            min_pay_cents=form.min_pay.data * 100 if form.min_pay.data is not None else None,
            closes_by=form.closes_by.data,
            sort=form.sort.data or "closing",
        )
    page = db.paginate(
        queries.job_search_statement(search),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "hiring/jobs.html",
        page=page,
        form=form,
        link_form=StatusLinkForm(formdata=None),
        searched=bool(request.args.to_dict(flat=True).keys() - {"page", "sort"}),
    ), 422 if form.errors else 200


def _public_round(round_id: int):
    hiring_round = queries.round_with_details(round_id)
    if hiring_round is None or hiring_round.status == RoundStatus.DRAFT:
        raise NotFound(gettext("There is no such job opening."))
    return hiring_round


def _address_limit() -> str:
    return current_app.config["APPLICATION_LIMIT_PER_ADDRESS"]


def _email_limit() -> str:
    return current_app.config["APPLICATION_LIMIT_PER_EMAIL"]


def _email_key() -> str:
    return "application-email:" + (request.form.get("email") or "").strip().lower()


def _accepted(response) -> bool:
    return response.status_code == 302


# The rate limits' refusals: marked here, translated where the error page shows them.
TOO_MANY = N_(
    "Too many applications have been sent from here, or with this email address, in a short "
    "time. Nothing was sent this time. Please wait and try again later; if you need help, "
    "contact the city's human resources office."
)


@bp.route("/jobs/<int:round_id>", methods=["GET", "POST"])
@public
# The form stores files and sends mail: every attempt counts per client address, and accepted
# applications per email address (so correcting a mistake in the form costs nothing there).
@limiter.limit(_address_limit, methods=["POST"], error_message=TOO_MANY)
@limiter.limit(
    _email_limit,
    key_func=_email_key,
    methods=["POST"],
    deduct_when=_accepted,
    error_message=TOO_MANY,
)
@kept_page
def job(round_id: int):
    return _application_form(round_id, internal=False)


@bp.post("/jobs/<int:round_id>/apply-as-employee")
@requires(Role.EMPLOYEE)
def apply_as_employee(round_id: int):
    return _application_form(round_id, internal=True)


def _application_form(round_id: int, *, internal: bool):
    """The job page and its application form, the same for everyone; a signed-in employee's
    starts with the name and address of their record and goes in linked to it."""
    hiring_round = _public_round(round_id)
    taking = queries.is_taking_applications(hiring_round)
    own_employee = (
        people_queries.own_employee(current_user) if current_user.is_authenticated else None
    )
    if internal and own_employee is None:
        raise Forbidden(
            gettext("Only employees with a record in the city's workforce can apply this way.")
        )
    form = ApplicationForm()
    if request.method == "GET" and own_employee is not None:
        form.full_name.data = own_employee.full_name
        form.email.data = own_employee.email or current_user.email
    answers = answers_from(request.form, hiring_round.questions)
    answer_errors: dict[int, str] = {}
    if taking and form.validate_on_submit():
        try:
            _, token = _submit(hiring_round, form, answers, internal)
        except DomainError as error:
            if error.field and error.field.startswith("answer_"):
                answer_errors[int(error.field.removeprefix("answer_"))] = error.message
            else:
                attach_error(form, error)
        else:
            flash(
                gettext(
                    "Your application is in. We have emailed you the link to this page: it is "
                    "your private status link."
                ),
                "success",
            )
            return redirect(url_for("hiring.status", token=token))
    elif request.method == "POST" and not taking:
        form.form_errors.append(gettext("This round is not taking applications."))
    if request.method == "POST":
        for question in hiring_round.questions:
            if not answers.get(question.id, "").strip():
                answer_errors.setdefault(question.id, gettext("Answer this question."))
    status = 422 if form.errors or form.form_errors or answer_errors else 200
    if request.method == "POST" and not taking:
        status = 409
    page = render_template(
        "hiring/job.html",
        round=hiring_round,
        taking=taking,
        form=form,
        answers=answers,
        answer_errors=answer_errors,
        # The error summary lists the questions in error too, in the order of the form.
        summary_extra=[
            (
                f"answer_{q.id}",
                gettext("Question %(number)s: %(error)s", number=n, error=answer_errors[q.id]),
            )
            for n, q in enumerate(hiring_round.questions, start=1)
            if q.id in answer_errors
        ],
        own_employee=own_employee,
        **_posting(hiring_round, taking),
    )
    return page, status


def _posting(hiring_round, taking: bool) -> dict:
    """What the posting shows besides the round itself; JSON-LD only while it is open."""
    skills = posting.requirement_skills(hiring_round.rubric)
    closes = queries.closing_moment(hiring_round)
    ld = None
    if taking:
        ld = posting.job_posting_ld(
            hiring_round,
            url=posting.public_url(url_for("hiring.job", round_id=hiring_round.id)),
            organisation=current_app.config["CITY_NAME"],
            country=current_app.config["CITY_COUNTRY"],
            skills=skills,
            valid_through=closes,
        )
    return {
        "skills": skills,
        "closes_at": closes,
        "pay": posting.pay_words(hiring_round),
        "schedule": posting.schedule_words(hiring_round),
        "posting_ld": ld,
    }


def _submit(hiring_round, form, answers: dict[int, str], internal: bool):
    details = {
        "full_name": form.full_name.data,
        "email": form.email.data,
        "answers": answers,
        "work_sample": form.work_sample.data or "",
        "sex": form.sex.data or None,
        "ethnicity": form.ethnicity.data or None,
        "upload": _upload(form),
        "preference_eligible": bool(form.preference_eligible.data),
    }
    if internal:
        return services.apply_internal(current_user, hiring_round, **details)
    return services.submit_application(hiring_round, **details)


def _upload(form) -> files.Upload | None:
    storage = form.upload.data
    if not storage or not getattr(storage, "filename", ""):
        return None
    # One byte past the limit is enough to refuse it, without reading more of the request.
    return files.Upload(storage.stream.read(files.MAX_BYTES + 1), storage.filename)


@bp.get("/jobs/status/<token>")
@public
def status(token: str):
    application = candidate_by_token(token)
    can_withdraw = APPLICATION.can_move(application.status, ApplicationStatus.WITHDRAWN)
    offer = offers.offer_of(application)
    entry = eligible_queries.entry_of(application.id)
    return render_template(
        "hiring/status.html",
        entry=entry,
        today=clock.today(),
        on_list=entry is not None
        and entry.removed_at is None
        and entry.eligible_list.is_active(clock.today())
        and application.status in eligible_queries.AVAILABLE,
        application=application,
        token=token,
        can_withdraw=can_withdraw,
        offer=offer,
        offer_closed=answers.why_closed(application, offer) if offer is not None else None,
        link=posting.public_url(url_for("hiring.status", token=token)),
        closes_at=queries.closing_moment(application.round),
    )


@bp.route("/jobs/status/<token>/withdraw", methods=["GET", "POST"])
@public
def withdraw(token: str):
    if request.method == "GET":
        application = candidate_by_token(token)
        return render_template("hiring/withdraw.html", application=application, token=token)
    services.withdraw(token)
    flash(gettext("Your application is withdrawn."), "success")
    return redirect(url_for("hiring.status", token=token))


def _link_address_limit() -> str:
    return current_app.config["STATUS_LINK_LIMIT_PER_ADDRESS"]


def _link_email_limit() -> str:
    return current_app.config["STATUS_LINK_LIMIT_PER_EMAIL"]


def _link_email_key() -> str:
    return "status-link-email:" + (request.form.get("email") or "").strip().lower()


LINKS_SENT = N_(
    "If %(email)s has applications under way with us, we have emailed a new status link for each "
    "to that address. Any link sent before no longer works. Nothing arriving? Check your spam "
    "folder, or the address you applied with."
)
TOO_MANY_LINKS = N_(
    "Too many links have been asked for from here, or for this email address, in a short time. "
    "Nothing was sent this time. Please wait and try again later; if you need help, contact the "
    "city's human resources office."
)


@bp.post("/jobs/status-links")
@public
# It sends mail: every request counts, per client address and per address asked for (applied
# with or not, so the limit says nothing about who applied).
@limiter.limit(_link_address_limit, error_message=TOO_MANY_LINKS)
@limiter.limit(_link_email_limit, key_func=_link_email_key, error_message=TOO_MANY_LINKS)
def status_links():
    form = StatusLinkForm()
    if form.validate_on_submit():
        try:
            services.resend_status_links(form.email.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(gettext(LINKS_SENT, email=form.email.data.strip().lower()), "info")
            return redirect(url_for("hiring.jobs", _anchor="status-link-heading"))
    page = db.paginate(
        queries.open_rounds_statement(),
        page=1,
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    search = JobSearchForm(formdata=None)
    search.offer(*queries.job_filter_choices())
    page = render_template(
        "hiring/jobs.html", page=page, form=search, link_form=form, searched=False
    )
    return page, 422


@dataclass(frozen=True)
class JobsPanel(Panel):
    template: ClassVar[str] = "hiring/_jobs_panel.html"
    openings: int


def jobs_panel(user) -> JobsPanel | None:
    """The home page's way to the jobs page, with how many postings take applications now."""
    count = queries.open_posting_count()
    return JobsPanel(openings=count) if count else None
