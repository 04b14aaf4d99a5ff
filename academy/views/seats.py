"""Sessions and seats: requests, withdrawals, capacity, approvals, the roster and results."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user

from academy import calendar, completion, enrolment, queries, records, services
from academy.forms import (
    CapacityForm,
    CorrectionForm,
    DeclineForm,
    RatingForm,
    ResultForm,
    WithdrawForm,
)
from academy.models import RESULT_STATUSES, EnrollmentStatus
from academy.rules import MIN_GROUP
from academy.views import bp, instructor_of_session
from civicladder import clock
from civicladder.access import SIGNED_IN, Role, requires
from civicladder.caching import kept_page
from civicladder.errors import Invalid, NotFound
from civicladder.forms import ConfirmForm
from people import queries as people_queries

# --- sessions and seats ----------------------------------------------------------------------


@bp.get("/academy/sessions/<int:session_id>")
@requires(SIGNED_IN)
@kept_page
def session(session_id: int):
    found = queries.get_session(session_id)
    own = people_queries.own_employee_id(current_user)
    mine = queries.own_enrollment(found.id, own)
    return render_template(
        "academy/session.html",
        s=found,
        mine=mine,
        calendar_cancels=calendar.is_cancellation(found, mine),
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
        raise Invalid(
            gettext("Your account is not linked to an employee record, so it cannot enrol.")
        )
    enrollment = enrolment.request_seat(current_user, found, employee)
    messages = {
        EnrollmentStatus.ENROLLED: gettext("You have a seat in this session."),
        EnrollmentStatus.WAITLISTED: gettext("The session is full: you are on the waitlist."),
        EnrollmentStatus.REQUESTED: gettext("Your request has gone to your manager for approval."),
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
        flash(gettext("You have withdrawn from the session."), "success")
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
    flash(
        ngettext(
            "The session now has %(num)s seat.",
            "The session now has %(num)s seats.",
            form.capacity.data,
        ),
        "success",
    )
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
    flash(gettext("Approved %(name)s's request.", name=enrollment.employee.full_name), "success")
    return redirect(url_for("academy.approvals"))


@bp.post("/academy/enrollments/<int:enrollment_id>/decline")
@requires(Role.MANAGER)
def decline(enrollment_id: int):
    enrollment = enrolment.get_enrollment(enrollment_id)
    form = DeclineForm()
    reason = form.reason.data if form.validate_on_submit() else ""
    enrolment.decline(current_user, enrollment, reason or "")
    flash(gettext("Declined %(name)s's request.", name=enrollment.employee.full_name), "success")
    return redirect(url_for("academy.approvals"))


# --- roster and results ----------------------------------------------------------------------


@bp.get("/academy/sessions/<int:session_id>/roster")
@requires(Role.HR, instructor_of_session)
@kept_page
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
        raise NotFound(gettext("There is no such participant in this session."))
    form = ResultForm()
    if not form.validate_on_submit():
        raise Invalid(next(iter(form.errors.values()))[0])
    result = EnrollmentStatus(form.result.data)
    completion.record_result(current_user, enrollment, result, form.score.data)
    flash(
        gettext(
            "%(name)s: %(result)s.",
            name=enrollment.employee.full_name,
            result=gettext(result.label).lower(),
        ),
        "success",
    )
    return redirect(url_for("academy.roster", session_id=session_id))


@bp.route(
    "/academy/sessions/<int:session_id>/enrollments/<int:enrollment_id>/correct",
    methods=["GET", "POST"],
)
@requires(Role.HR, instructor_of_session)
def correct_result(session_id: int, enrollment_id: int):
    """A confirmation page first: correcting a completion revokes its certificate."""
    enrollment = enrolment.get_enrollment(enrollment_id)
    if enrollment.session_id != session_id:
        raise NotFound(gettext("There is no such participant in this session."))
    form = CorrectionForm()
    if form.validate_on_submit():
        result = EnrollmentStatus(form.result.data)
        completion.correct_result(
            current_user, enrollment, result, form.reason.data, form.score.data
        )
        flash(
            gettext(
                "%(name)s: corrected to %(result)s.",
                name=enrollment.employee.full_name,
                result=gettext(result.label).lower(),
            ),
            "success",
        )
        return redirect(url_for("academy.roster", session_id=session_id))
    status = 422 if form.errors else 200
    return render_template("academy/correct.html", e=enrollment, form=form), status
