"""Certificates and their verification, the training record, ratings, calendar and CSV files."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from academy import (
    calendar,
    certificates,
    completion,
    credentials,
    enrolment,
    exports,
    queries,
    records,
)
from academy.exports import TRAINING_EXPORT
from academy.forms import RatingForm, RevokeForm
from academy.models import EnrollmentStatus
from academy.views import bp
from civicladder import clock, export_jobs
from civicladder import credentials as signed_credentials
from civicladder.access import SIGNED_IN, Role, public, requires
from civicladder.caching import kept_page
from civicladder.errors import Invalid, NotFound
from civicladder.exports import attachment
from people import queries as people_queries
from people.models import Employee

# --- certificates and verification -----------------------------------------------------------


@bp.get("/academy/certificates/<int:certificate_id>")
@requires(SIGNED_IN)
def certificate(certificate_id: int):
    found = records.visible_certificate(current_user, certificate_id)
    return render_template(
        "academy/certificate.html",
        c=found,
        state=certificates.state(found),
        verify_url=exports.verification_url(found),
        may_revoke=current_user.has_role(Role.HR),
        may_download=records.may_download(current_user, found),
    )


@bp.get("/academy/certificates/<int:certificate_id>/pdf")
@requires(SIGNED_IN)
def certificate_pdf(certificate_id: int):
    found = records.visible_certificate(current_user, certificate_id)
    return attachment(
        exports.certificate_pdf(found), "application/pdf", f"certificate-{found.code}.pdf"
    )


@bp.get("/academy/certificates/<int:certificate_id>/credential.jwt")
@requires(SIGNED_IN)
def certificate_credential(certificate_id: int):
    """The certificate as a signed Open Badges 3.0 credential, for its holder (and HR)."""
    found = records.own_certificate(current_user, certificate_id)
    return attachment(
        credentials.signed(found), signed_credentials.MEDIA_TYPE, credentials.filename(found)
    )


@bp.route("/academy/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@requires(Role.HR)
def revoke_certificate(certificate_id: int):
    """A confirmation page first: a revoked certificate stays revoked."""
    found = records.visible_certificate(current_user, certificate_id)
    form = RevokeForm()
    if form.validate_on_submit():
        certificates.revoke(current_user, found, form.reason.data)
        flash(
            gettext("Certificate %(code)s is revoked; its holder has been told.", code=found.code),
            "success",
        )
        return redirect(url_for("academy.certificate", certificate_id=found.id))
    status = 422 if form.errors else 200
    return render_template("academy/revoke.html", c=found, form=form), status


@bp.get("/verify")
@public
def verify():
    code = (request.args.get("code") or "").strip()[:40]
    found = records.certificate_by_code(code) if code else None
    status = 404 if code and found is None else 200
    state = certificates.state(found) if found else None
    return render_template("academy/verify.html", code=code, c=found, state=state), status


# --- an employee's training record -----------------------------------------------------------


@bp.get("/academy/my-training")
@requires(Role.EMPLOYEE)
@kept_page
def my_training():
    employee = people_queries.own_employee(current_user)
    if employee is None:
        raise NotFound(gettext("Your account is not linked to an employee record."))
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
        raise Invalid(gettext("Choose a rating from 1 to 5."))
    completion.rate(current_user, enrollment, form.rating.data, form.comment.data or "")
    flash(gettext("Thank you: your rating was recorded."), "success")
    return redirect(url_for("academy.my_training"))


@bp.get("/academy/sessions/<int:session_id>/calendar.ics")
@requires(SIGNED_IN)
def session_calendar(session_id: int):
    """The session's calendar file for the person asking: the event, or its cancellation once
    the session is cancelled or their place is given up."""
    found = queries.get_session(session_id)
    mine = queries.own_enrollment(found.id, people_queries.own_employee_id(current_user))
    return attachment(
        calendar.session_ics(found, mine), "text/calendar", calendar.filename(found, mine)
    )


@bp.post("/academy/export")
@requires(Role.HR)
def export():
    """Everyone's training records, written by a job (a city's run to hundreds of megabytes)."""
    run = export_jobs.request_export(current_user, TRAINING_EXPORT)
    flash(
        gettext("The training records are being exported: this page links to the file when ready.")
    )
    return redirect(url_for("jobs.show", run_id=run.id))
