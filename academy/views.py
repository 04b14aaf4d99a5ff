"""Academy pages: the catalog, courses, sessions, seat requests, approvals, rosters, results."""

from __future__ import annotations

from datetime import UTC

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from academy import completion, enrolment, exports, queries, records, services
from academy.forms import (
    CapacityForm,
    CatalogFilterForm,
    CourseForm,
    DeclineForm,
    RatingForm,
    ResultForm,
    SessionForm,
    WithdrawForm,
)
from academy.models import RESULT_STATUSES, DeliveryMode, EnrollmentStatus
from academy.rules import MIN_GROUP
from civicladder import clock, querying
from civicladder.access import SIGNED_IN, Role, public, requires
from civicladder.db import db
from civicladder.errors import DomainError, Invalid, NotFound
from civicladder.forms import ConfirmForm, attach_error
from civicladder.layout import page_number
from competencies import queries as competency_queries
from people import queries as people_queries
from people.models import Employee

bp = Blueprint("academy", __name__)


def instructor_of_session(user, view_args) -> bool:
    """The signed-in person teaches the session in the address."""
    session_id = view_args.get("session_id")
    own = people_queries.own_employee_id(user)
    return session_id is not None and queries.instructs(own, session_id)


# --- the catalog and courses -----------------------------------------------------------------


@bp.get("/academy")
@requires(SIGNED_IN)
def catalog():
    form = CatalogFilterForm(request.args)
    form.competency.choices = [(0, "Any competency")] + [
        (c.id, f"{c.code} {c.name}") for c in competency_queries.competencies()
    ]
    form.category.choices = [(0, "Any category")] + [
        (c.id, c.name) for c in competency_queries.categories()
    ]
    filters = {}
    if form.validate():
        filters = {
            "text": form.q.data,
            "competency_id": form.competency.data or None,
            "category_id": form.category.data or None,
            "delivery_mode": form.mode.data or None,
            "from_date": form.from_date.data,
        }
    page = db.paginate(
        queries.catalog_statement(**filters),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    own = people_queries.own_employee_id(current_user)
    entries = queries.catalog_entries(list(page.items), own)
    status = 422 if form.errors else 200
    return render_template("academy/catalog.html", form=form, page=page, entries=entries), status


@bp.get("/academy/courses/<int:course_id>")
@requires(SIGNED_IN)
def course(course_id: int):
    found = queries.get_course(course_id)
    own = people_queries.own_employee_id(current_user)
    (entry,) = queries.catalog_entries([found], own)
    return render_template(
        "academy/course.html",
        entry=entry,
        course=found,
        sessions=queries.course_sessions(found.id),
    )


# --- sessions and seats ----------------------------------------------------------------------


@bp.get("/academy/sessions/<int:session_id>")
@requires(SIGNED_IN)
def session(session_id: int):
    found = queries.get_session(session_id)
    own = people_queries.own_employee_id(current_user)
    mine = queries.own_enrollment(found.id, own)
    return render_template(
        "academy/session.html",
        s=found,
        mine=mine,
        position=queries.waitlist_position(mine) if mine else None,
        counts=queries.status_counts(found.id),
        unmet=queries.unmet_prerequisites(found.course, own) if own and not mine else [],
        may_see_roster=current_user.has_role(Role.HR) or (own and found.instructor_id == own),
        form=ConfirmForm(),
        capacity_form=CapacityForm(capacity=found.capacity),
        rating_form=RatingForm(),
        Status=EnrollmentStatus,
        now=clock.now(),
    )


@bp.post("/academy/sessions/<int:session_id>/request")
@requires(Role.EMPLOYEE)
def request_seat(session_id: int):
    found = queries.get_session(session_id)
    employee = people_queries.own_employee(current_user)
    if employee is None:
        raise Invalid("Your account is not linked to an employee record, so it cannot enrol.")
    enrollment = enrolment.request_seat(current_user, found, employee)
    messages = {
        EnrollmentStatus.ENROLLED: "You have a seat in this session.",
        EnrollmentStatus.WAITLISTED: "The session is full: you are on the waitlist.",
        EnrollmentStatus.REQUESTED: "Your request has gone to your manager for approval.",
    }
    flash(messages[enrollment.status], "success")
    return redirect(url_for("academy.session", session_id=found.id))


@bp.route("/academy/enrollments/<int:enrollment_id>/withdraw", methods=["GET", "POST"])
@requires(SIGNED_IN)
def withdraw(enrollment_id: int):
    """A confirmation page first: a seat given up goes at once to the next person waiting."""
    enrollment = enrolment.get_enrollment(enrollment_id)
    enrolment.check_may_withdraw(current_user, enrollment)
    form = WithdrawForm()
    if form.validate_on_submit():
        enrolment.withdraw(current_user, enrollment, form.reason.data)
        flash("You have withdrawn from the session.", "success")
        return redirect(url_for("academy.session", session_id=enrollment.session_id))
    status = 422 if form.errors else 200
    return render_template("academy/withdraw.html", e=enrollment, form=form), status


@bp.post("/academy/sessions/<int:session_id>/capacity")
@requires(Role.HR)
def set_capacity(session_id: int):
    found = queries.get_session(session_id)
    form = CapacityForm()
    if not form.validate_on_submit():
        raise Invalid(next(iter(form.errors.values()))[0])
    services.set_capacity(current_user, found, form.capacity.data)
    flash(f"The session now has {form.capacity.data} seats.", "success")
    return redirect(url_for("academy.session", session_id=found.id))


# --- manager approvals -----------------------------------------------------------------------


@bp.get("/academy/approvals")
@requires(Role.MANAGER)
def approvals():
    own = people_queries.own_employee_id(current_user)
    waiting = queries.approval_queue(own) if own else []
    return render_template(
        "academy/approvals.html", waiting=waiting, form=ConfirmForm(), decline_form=DeclineForm()
    )


@bp.post("/academy/enrollments/<int:enrollment_id>/approve")
@requires(Role.MANAGER)
def approve(enrollment_id: int):
    enrollment = enrolment.get_enrollment(enrollment_id)
    enrolment.approve(current_user, enrollment)
    flash(f"Approved {enrollment.employee.full_name}'s request.", "success")
    return redirect(url_for("academy.approvals"))


@bp.post("/academy/enrollments/<int:enrollment_id>/decline")
@requires(Role.MANAGER)
def decline(enrollment_id: int):
    enrollment = enrolment.get_enrollment(enrollment_id)
    form = DeclineForm()
    reason = form.reason.data if form.validate_on_submit() else ""
    enrolment.decline(current_user, enrollment, reason or "")
    flash(f"Declined {enrollment.employee.full_name}'s request.", "success")
    return redirect(url_for("academy.approvals"))


# --- roster and results ----------------------------------------------------------------------


@bp.get("/academy/sessions/<int:session_id>/roster")
@requires(Role.HR, instructor_of_session)
def roster(session_id: int):
    found = queries.get_session(session_id)
    return render_template(
        "academy/roster.html",
        s=found,
        roster=queries.roster(found.id),
        form=ResultForm(),
        started=found.starts_at <= clock.now(),
        Status=EnrollmentStatus,
        results=RESULT_STATUSES,
        ratings=records.rating_summary(session_id=found.id),
        comments=records.rating_comments(found.id),
        min_group=MIN_GROUP,
    )


@bp.post("/academy/sessions/<int:session_id>/enrollments/<int:enrollment_id>/result")
@requires(Role.HR, instructor_of_session)
def record_result(session_id: int, enrollment_id: int):
    enrollment = enrolment.get_enrollment(enrollment_id)
    if enrollment.session_id != session_id:
        raise NotFound("There is no such participant in this session.")
    form = ResultForm()
    if not form.validate_on_submit():
        raise Invalid(next(iter(form.errors.values()))[0])
    result = EnrollmentStatus(form.result.data)
    completion.record_result(current_user, enrollment, result, form.score.data)
    flash(f"{enrollment.employee.full_name}: {result.label.lower()}.", "success")
    return redirect(url_for("academy.roster", session_id=session_id))


# --- certificates and verification -----------------------------------------------------------


@bp.get("/academy/certificates/<int:certificate_id>")
@requires(SIGNED_IN)
def certificate(certificate_id: int):
    found = records.visible_certificate(current_user, certificate_id)
    return render_template(
        "academy/certificate.html", c=found, verify_url=exports.verification_url(found)
    )


@bp.get("/academy/certificates/<int:certificate_id>/pdf")
@requires(SIGNED_IN)
def certificate_pdf(certificate_id: int):
    found = records.visible_certificate(current_user, certificate_id)
    response = make_response(exports.certificate_pdf(found))
    response.mimetype = "application/pdf"
    filename = f"certificate-{found.code}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/verify")
@public
def verify():
    code = (request.args.get("code") or "").strip()[:40]
    found = records.certificate_by_code(code) if code else None
    status = 404 if code and found is None else 200
    return render_template("academy/verify.html", code=code, c=found), status


# --- an employee's training record -----------------------------------------------------------


@bp.get("/academy/my-training")
@requires(Role.EMPLOYEE)
def my_training():
    employee = people_queries.own_employee(current_user)
    if employee is None:
        raise NotFound("Your account is not linked to an employee record.")
    rows = queries.enrollments_of(employee.id)
    now = clock.now()
    return render_template(
        "academy/my_training.html",
        employee=employee,
        upcoming=[e for e in rows if e.session.starts_at > now],
        history=[e for e in rows if e.session.starts_at <= now],
        certificates=records.certificates_of(employee.id),
        expiring=records.expiring_evidence(Employee.id == employee.id),
        rated=records.rated_enrollment_ids([e.id for e in rows]),
        rating_form=RatingForm(),
        Status=EnrollmentStatus,
    )


@bp.post("/academy/enrollments/<int:enrollment_id>/rating")
@requires(Role.EMPLOYEE)
def rate(enrollment_id: int):
    enrollment = enrolment.get_enrollment(enrollment_id)
    form = RatingForm()
    if not form.validate_on_submit():
        raise Invalid("Choose a rating from 1 to 5.")
    completion.rate(current_user, enrollment, form.rating.data, form.comment.data or "")
    flash("Thank you: your rating was recorded.", "success")
    return redirect(url_for("academy.my_training"))


@bp.get("/academy/sessions/<int:session_id>/calendar.ics")
@requires(SIGNED_IN)
def session_calendar(session_id: int):
    found = queries.get_session(session_id)
    response = make_response(exports.session_ics(found))
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = f'attachment; filename="session-{found.id}.ics"'
    return response


@bp.get("/academy/export.csv")
@requires(Role.HR)
def export_csv():
    response = Response(stream_with_context(exports.training_records_csv()), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="training-records.csv"'
    return response


# --- HR: courses and sessions ----------------------------------------------------------------


@bp.route("/academy/courses/new", methods=["GET", "POST"])
@requires(Role.HR)
def new_course():
    form = CourseForm()
    form.set_choices(
        [(c.id, f"{c.code} {c.name}") for c in competency_queries.competencies()],
        queries.course_choices(),
    )
    if form.validate_on_submit():
        try:
            made = services.create_course(
                current_user,
                code=form.code.data,
                title=form.title.data,
                hours=form.hours.data,
                delivery_mode=DeliveryMode(form.delivery_mode.data),
                description=form.description.data or "",
                needs_manager_approval=form.needs_manager_approval.data,
                outcomes=form.outcome_rows(),
                level_prerequisites=form.prerequisite_rows(),
                course_prerequisites=form.required_courses.data or [],
            )
        except DomainError as error:
            if error.field in ("outcomes", "prerequisites"):
                form.form_errors.append(error.message)
            else:
                attach_error(form, error)
        else:
            flash(f"Course {made.code} added. Now schedule its first session.", "success")
            return redirect(url_for("academy.new_session", course_id=made.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("academy/course_form.html", form=form), status


@bp.route("/academy/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@requires(Role.HR)
def new_session(course_id: int):
    found = queries.get_course(course_id)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            made = services.create_session(
                current_user,
                found,
                starts_at=_from_display(form.starts_at.data),
                ends_at=_from_display(form.ends_at.data),
                capacity=form.capacity.data,
                location=form.location.data or "",
                online_url=form.online_url.data or "",
                instructor=_instructor(form.instructor_number.data),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash("Session scheduled.", "success")
            return redirect(url_for("academy.session", session_id=made.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("academy/session_form.html", form=form, course=found), status


def _from_display(value):
    """A time typed in the display time zone, as an aware UTC time."""
    return value.replace(tzinfo=querying.display_zone()).astimezone(UTC)


def _instructor(number: str | None):
    if not (number or "").strip():
        return None
    found = people_queries.employee_by_number(number)
    if found is None:
        raise Invalid(f"No employee has the number {number.strip()}.", field="instructor_number")
    return found
