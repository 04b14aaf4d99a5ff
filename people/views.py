"""People pages: the workforce directory, employee profiles, roster import, users and roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from civicladder import audit
from civicladder import services as shell_services
from civicladder.access import SIGNED_IN, Role, requires
from civicladder.db import db
from civicladder.errors import DomainError, Invalid, render_error
from civicladder.forms import ConfirmForm, ReasonForm, RolesForm, UserForm, attach_error
from civicladder.layout import page_number
from civicladder.models import AuditEvent
from civicladder.panels import Panel, build_panels
from people import queries, roster, services
from people.forms import DirectoryFilterForm, RepUnitsForm, RosterCommitForm, RosterUploadForm
from people.models import BargainingUnit, Employee
from people.slots import EMPLOYEE_PROFILE

bp = Blueprint("people", __name__)


# --- workforce directory and profiles -------------------------------------------------------


@bp.get("/people")
@requires(Role.HR, Role.MANAGER)
def directory():
    form = DirectoryFilterForm(request.args)
    _directory_choices(form)
    filters = {}
    if form.validate():
        filters = {
            "text": form.q.data or None,
            "department_id": form.department.data or None,
            "bargaining_unit_id": form.bargaining_unit.data or None,
            "job_profile_id": form.job_profile.data or None,
            "status": form.status.data or None,
        }
    stmt = queries.directory_statement(current_user, **filters)
    page = db.paginate(
        stmt, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    status = 422 if form.errors else 200
    return render_template("people/directory.html", form=form, page=page), status


def _directory_choices(form: DirectoryFilterForm) -> None:
    chosen = form.department.data
    if not isinstance(chosen, int) or not 0 < chosen < 2**31:
        chosen = None  # junk in the address: the choices say what is valid
    form.department.choices = [(0, "Any department")] + queries.department_choices(chosen)
    form.bargaining_unit.choices = [(0, "Any bargaining unit")] + [
        (u.id, u.name) for u in queries.bargaining_units()
    ]
    form.job_profile.choices = [(0, "Any job profile")] + queries.job_profile_choices()


@bp.get("/people/<int:employee_id>")
@requires(SIGNED_IN)
def profile(employee_id: int):
    employee = queries.get_visible_employee(current_user, employee_id)
    return render_template(
        "people/profile.html",
        employee=employee,
        panels=build_panels(EMPLOYEE_PROFILE, current_user, employee),
        direct_reports=queries.direct_reports(employee.id),
    )


# --- roster import (HR) ---------------------------------------------------------------------

# A preview lists at most this many changes and problems; the counts always cover the file.
PREVIEW_ROWS = 500


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """A roster over the upload limit: say what the limit is and where a larger file goes."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    size = request.content_length or 0
    if not limit or size <= limit:
        return render_error(413)
    return render_error(
        413,
        f"The file is {size / 1_000_000:.1f} MB and this page accepts up to "
        f"{limit / 1_000_000:.1f} MB (a roster of about 100,000 employees). Import a larger "
        "roster, such as the whole city's, on the server with the command line: "
        "“flask people import-roster FILE” checks it and shows what it would change, and "
        "“flask people import-roster FILE --commit” imports it.",
    )


@bp.route("/people/import", methods=["GET", "POST"])
@requires(Role.HR)
def import_roster():
    form = RosterUploadForm()
    if form.validate_on_submit():
        upload = form.roster.data
        data = upload.read()
        try:
            plan = roster.plan_import(data)
        except DomainError as error:
            form.roster.errors = [*form.roster.errors, error.message]
        else:
            return _roster_preview(plan, data, _display_name(upload.filename))
    status = 422 if form.errors else 200
    return render_template("people/import.html", form=form), status


@bp.post("/people/import/commit")
@requires(Role.HR)
def commit_roster():
    form = RosterCommitForm()
    if not form.validate_on_submit():
        raise Invalid("The previewed file could not be read back. Upload the roster again.")
    filename = form.filename.data or ""
    try:
        plan = services.import_roster(
            current_user,
            form.content.data,
            expected_sha256=form.digest.data,
            expected_fingerprint=form.plan.data,
            filename=filename,
        )
    except roster.RosterRejected as rejected:
        return _roster_preview(rejected.plan, form.content.data, filename)
    flash(
        f"Roster imported: {_count(len(plan.creates), 'new employee')}, "
        f"{len(plan.updates)} updated, {plan.unchanged} unchanged, "
        f"{_count(len(plan.new_departments), 'new department')}.",
        "success",
    )
    return redirect(url_for("people.directory"))


def _roster_preview(plan: roster.RosterPlan, data: bytes, filename: str):
    commit_form = RosterCommitForm(
        formdata=None,
        data={
            "content": data,
            "digest": plan.sha256,
            "plan": plan.fingerprint,
            "filename": filename,
        },
    )
    return render_template(
        "people/import_preview.html",
        plan=plan,
        filename=filename,
        form=commit_form,
        changes=plan.first_changes(PREVIEW_ROWS),
        errors=plan.errors[:PREVIEW_ROWS],
        limit=PREVIEW_ROWS,
        labels=roster.FIELD_LABELS,
    ), 200 if plan.ok else 422


def _display_name(filename: str | None) -> str:
    """The uploaded file's own name, without any client path, short enough to carry."""
    return (filename or "").replace("\\", "/").rsplit("/", 1)[-1][:200]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --- user accounts (admin) ------------------------------------------------------------------


@bp.get("/admin/users")
@requires(Role.ADMIN)
def users():
    text = (request.args.get("q") or "").strip()
    page = db.paginate(
        queries.users_statement(text),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template("people/users.html", page=page, q=text)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires(Role.ADMIN)
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        try:
            employee = _employee(form.employee_number.data)
            user = shell_services.create_user(
                current_user,
                email=form.email.data,
                full_name=form.full_name.data,
                roles={Role(value) for value in form.roles.data or []},
            )
            if employee is not None:
                services.link_account(current_user, user, employee)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(
                f"User {user.email} created. Issue a password link so they can sign in.", "success"
            )
            return redirect(url_for("people.user", user_id=user.id))
    status = 422 if form.errors else 200
    return render_template("people/user_new.html", form=form), status


def _employee(employee_number: str | None):
    if not employee_number or not employee_number.strip():
        return None
    employee = queries.employee_by_number(employee_number)
    if employee is None:
        raise Invalid(
            f"There is no employee with number {employee_number.strip()}.", field="employee_number"
        )
    return employee


@bp.get("/admin/users/<int:user_id>")
@requires(Role.ADMIN)
def user(user_id: int):
    target = shell_services.get_user(user_id)
    units_form = RepUnitsForm(data={"units": sorted(queries.rep_unit_ids(target.id))})
    units_form.units.choices = [(u.id, u.name) for u in queries.bargaining_units()]
    history = db.session.scalars(
        audit.search_statement()
        .where(AuditEvent.object_type == "User", AuditEvent.object_id == str(user_id))
        .limit(20)
    ).all()
    return render_template(
        "people/user.html",
        target=target,
        linked_employee=queries.own_employee(target),
        roles_form=RolesForm(data={"roles": sorted(target.roles)}),
        units_form=units_form,
        reason_form=ReasonForm(),
        confirm_form=ConfirmForm(),
        history=history,
    )


@bp.post("/admin/users/<int:user_id>/roles")
@requires(Role.ADMIN)
def update_roles(user_id: int):
    target = shell_services.get_user(user_id)
    form = RolesForm()
    if not form.validate_on_submit():
        raise Invalid("The roles could not be read. Choose from the listed roles.")
    roles = {Role(value) for value in form.roles.data or []}
    shell_services.set_roles(current_user, target, roles, form.reason.data or None)
    flash("Roles updated.", "success")
    return redirect(url_for("people.user", user_id=user_id))


@bp.post("/admin/users/<int:user_id>/bargaining-units")
@requires(Role.ADMIN)
def update_rep_units(user_id: int):
    target = shell_services.get_user(user_id)
    form = RepUnitsForm()
    form.units.choices = [(u.id, u.name) for u in queries.bargaining_units()]
    if not form.validate_on_submit():
        raise Invalid("Choose bargaining units from the list.")
    services.set_rep_units(current_user, target, set(form.units.data or []))
    flash("Bargaining units updated.", "success")
    return redirect(url_for("people.user", user_id=user_id))


@bp.post("/admin/users/<int:user_id>/deactivate")
@requires(Role.ADMIN)
def deactivate(user_id: int):
    return _set_active(user_id, active=False)


@bp.post("/admin/users/<int:user_id>/reactivate")
@requires(Role.ADMIN)
def reactivate(user_id: int):
    return _set_active(user_id, active=True)


def _set_active(user_id: int, active: bool):
    target = shell_services.get_user(user_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Invalid("The reason could not be read. Reload the page and try again.")
    shell_services.set_active(current_user, target, active, form.reason.data or None)
    message = "can sign in again" if active else "can no longer sign in"
    flash(f"{target.email} {message}.", "success")
    return redirect(url_for("people.user", user_id=user_id))


@bp.post("/admin/users/<int:user_id>/reset-link")
@requires(Role.ADMIN)
def reset_link(user_id: int):
    target = shell_services.get_user(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise Invalid("The request could not be read. Reload the page and try again.")
    token = shell_services.issue_reset_link(current_user, target)
    link = url_for("auth.reset_password", token=token, _external=True)
    # Shown once, on this response only: the token itself is never stored.
    return render_template(
        "people/reset_link.html",
        target=target,
        link=link,
        hours=current_app.config["PASSWORD_RESET_HOURS"],
    )


# --- home-page panels -----------------------------------------------------------------------


@dataclass(frozen=True)
class TeamPanel(Panel):
    template: ClassVar[str] = "people/_team_panel.html"
    reports: list[Employee]
    line_count: int


@dataclass(frozen=True)
class WorkforcePanel(Panel):
    template: ClassVar[str] = "people/_workforce_panel.html"
    summary: dict


@dataclass(frozen=True)
class UnionPanel(Panel):
    template: ClassVar[str] = "people/_union_panel.html"
    units: list[tuple[BargainingUnit, int]]


def team_panel(user) -> TeamPanel | None:
    own_id = queries.own_employee_id(user)
    if not user.has_role(Role.MANAGER) or own_id is None:
        return None
    return TeamPanel(
        reports=queries.direct_reports(own_id), line_count=queries.reporting_line_count(own_id)
    )


def workforce_panel(user) -> WorkforcePanel | None:
    if not user.has_role(Role.HR):
        return None
    return WorkforcePanel(summary=queries.workforce_summary())


def union_panel(user) -> UnionPanel | None:
    if not user.has_role(Role.UNION_REP):
        return None
    return UnionPanel(units=queries.rep_units_with_headcount(user))


def own_profile_values(user) -> dict | None:
    """The navigation's "My profile" link: only for people with an employee record."""
    own_id = queries.own_employee_id(user)
    return None if own_id is None else {"employee_id": own_id}
