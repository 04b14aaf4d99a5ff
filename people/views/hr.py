"""HR's pages: an employee's record, roster import, and invitations for imported employees."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from civicladder import import_jobs, querying
from civicladder.access import Role, requires
from civicladder.caching import kept_page
from civicladder.db import db
from civicladder.errors import DomainError, Invalid, render_error
from civicladder.forms import ConfirmForm, attach_error
from civicladder.layout import window
from people import queries, roster, services
from people.forms import EmployeeForm, RosterUploadForm
from people.models import BargainingUnit, Department, Employee, EmployeeStatus
from people.views import bp


@bp.route("/people/<int:employee_id>/edit", methods=["GET", "POST"])
@requires(Role.HR)
def edit_employee(employee_id: int):
    """HR changes where an employee sits: department, manager, unit, job profile, status."""
    employee = queries.get_visible_employee(current_user, employee_id)
    form = EmployeeForm(
        data={
            "department": employee.department.path,
            "manager": employee.manager.employee_number if employee.manager else "",
            "bargaining_unit": employee.bargaining_unit_id or 0,
            "job_profile": employee.job_profile_id or 0,
            "status": employee.status.value,
        }
        if request.method == "GET"
        else None
    )
    form.bargaining_unit.choices = [(0, gettext("Not represented"))] + [
        (u.id, u.name) for u in queries.bargaining_units()
    ]
    form.job_profile.choices = [(0, gettext("No job profile"))] + queries.job_profile_choices()
    if form.validate_on_submit():
        try:
            services.update_employee(
                current_user,
                employee,
                department=_department(form.department.data),
                manager=_manager(form.manager.data),
                bargaining_unit=db.session.get(BargainingUnit, form.bargaining_unit.data)
                if form.bargaining_unit.data
                else None,
                job_profile_id=form.job_profile.data or None,
                status=EmployeeStatus(form.status.data),
                reason=form.reason.data,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            saved = gettext("%(name)s's record is saved.", name=employee.full_name)
            if employee.status == EmployeeStatus.SEPARATED:
                saved += " " + gettext(
                    "Issue their learner record from their page to hand it to them."
                )
            flash(saved, "success")
            return redirect(url_for("people.profile", employee_id=employee.id))
    status = 422 if form.errors else 200
    return render_template("people/employee_form.html", form=form, employee=employee), status


def _department(path: str) -> Department:
    found = queries.department_by_path(path)
    if found is None:
        raise Invalid(
            gettext(
                "There is no department %(path)s. Departments are added by roster import.",
                path=path.strip(),
            ),
            field="department",
        )
    return found


def _manager(employee_number: str | None) -> Employee | None:
    if not employee_number or not employee_number.strip():
        return None
    found = queries.employee_by_number(employee_number)
    if found is None:
        raise Invalid(
            gettext("There is no employee with number %(number)s.", number=employee_number.strip()),
            field="manager",
        )
    return found


# Invitations go out this many at a time, so one request stays short whatever the roster's size.
INVITE_BATCH = 200
# Employees without an account are counted this far, then said to be "more than" it.
COUNTED_UP_TO = 10_000


@bp.route("/people/accounts", methods=["GET", "POST"])
@requires(Role.HR)
@kept_page
def invite_employees():
    """Employees with an email and no account: a preview, then invitations on confirmation."""
    form = ConfirmForm()
    if form.validate_on_submit() and request.form.get("confirmed") == "yes":
        batch = list(db.session.scalars(queries.uninvited_statement().limit(INVITE_BATCH)))
        invited = services.invite_employees(
            current_user,
            batch,
            link_for=lambda token: url_for("auth.reset_password", token=token, _external=True),
        )
        flash(
            ngettext("%(num)s invitation sent.", "%(num)s invitations sent.", len(invited)),
            "success",
        )
        return redirect(url_for("people.invite_employees"))
    # A city's roster leaves hundreds of thousands without an account: the list is paged
    # without a count, and counted only as far as the page says.
    stmt = queries.uninvited_statement()
    waiting = querying.count_rows(stmt, at_most=COUNTED_UP_TO + 1)
    return render_template(
        "people/invite_employees.html",
        page=window(stmt, current_app.config["PAGE_SIZE"]),
        waiting=waiting,
        counted_up_to=COUNTED_UP_TO,
        form=form,
        batch=min(waiting, INVITE_BATCH),
    )


ROSTER = "roster"


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """A roster over the upload limit: say what the limit is and where a larger file goes."""
    limit = request.max_content_length
    size = request.content_length or 0
    if not limit or size <= limit:
        return render_error(413)
    return render_error(
        413,
        f"The file is {size / 1_000_000:.1f} MB and this page accepts up to "
        f"{limit / 1_000_000:.1f} MB. Import a larger roster, such as the whole city's, on the "
        "server with the command line: “flask people import-roster FILE” checks it and shows "
        "what it would change, and “flask people import-roster FILE --commit” imports it.",
    )


@bp.route("/people/import", methods=["GET", "POST"])
@requires(Role.HR)
def import_roster():
    """Upload a roster: a file that cannot be a roster is refused at once; otherwise it is
    kept and checked by a job, whose page shows the preview."""
    form = RosterUploadForm()
    if form.validate_on_submit():
        upload = form.roster.data
        data = upload.read()
        try:
            roster.check_readable(data)
            run = import_jobs.request_check(current_user, ROSTER, data, upload.filename)
        except DomainError as error:
            form.roster.errors = [*form.roster.errors, error.message]
        else:
            return redirect(url_for("people.roster_import", run_id=run.id), 303)
    status = 422 if form.errors else 200
    return render_template("people/import.html", form=form), status


@bp.get("/people/import/<int:run_id>")
@requires(Role.HR)
def roster_import(run_id: int):
    """An uploaded roster: being checked, its preview, being imported, or imported."""
    return render_template(
        "people/import_preview.html",
        form=ConfirmForm(),
        labels=roster.FIELD_LABELS,
        **import_jobs.page_context(ROSTER, run_id),
    )


@bp.post("/people/import/<int:run_id>/commit")
@requires(Role.HR)
def commit_roster(run_id: int):
    """HR confirms a checked roster: a job imports it, whole or not at all."""
    if not ConfirmForm().validate_on_submit():
        raise Invalid(gettext("The form has expired. Open the preview again and confirm."))
    run = import_jobs.request_write(current_user, ROSTER, run_id)
    return redirect(url_for("people.roster_import", run_id=run.id), 303)
