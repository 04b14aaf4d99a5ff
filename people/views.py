"""People pages: the workforce directory, employee profiles, roster import, users and roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from civicladder import audit, exports
from civicladder import services as shell_services
from civicladder.access import SIGNED_IN, Role, requires
from civicladder.db import db
from civicladder.errors import DomainError, Invalid, render_error
from civicladder.forms import (
    ROLE_DESCRIPTIONS,
    ConfirmedReasonForm,
    ConfirmForm,
    RolesForm,
    UserForm,
    attach_error,
)
from civicladder.layout import page_number
from civicladder.models import AuditEvent
from civicladder.panels import Panel, build_panels
from people import figures, queries, roster, services
from people.forms import (
    DirectoryFilterForm,
    EmployeeForm,
    RepUnitsForm,
    RosterCommitForm,
    RosterUploadForm,
)
from people.models import BargainingUnit, Department, Employee, EmployeeStatus
from people.slots import EMPLOYEE_PROFILE

bp = Blueprint("people", __name__)


# --- workforce directory and profiles -------------------------------------------------------


NO_JOB_PROFILE = -1  # the directory's job profile filter: people without one

# The directory's sortable columns: ?sort=<key>, and ?sort=-<key> for the reverse order.
SORTS = {
    "name": (Employee.last_name, Employee.first_name),
    "number": (Employee.employee_number,),
    "department": (Department.path,),
    "status": (Employee.status,),
}


@bp.get("/people")
@requires(Role.HR, Role.MANAGER)
def directory():
    form, stmt, sort = _directory_query()
    page = db.paginate(
        stmt, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    status = 422 if form.errors else 200
    return render_template("people/directory.html", form=form, page=page, sort=sort), status


@bp.get("/people.csv")
@requires(Role.HR, Role.MANAGER)
def directory_csv():
    """The workforce list as it is filtered now, every page of it, as a CSV file."""
    form, stmt, _ = _directory_query()
    if form.errors:
        raise Invalid("The filters could not be read. Correct them on the workforce page.")

    def rows():
        for e in db.session.scalars(stmt.execution_options(yield_per=500)):
            yield (
                e.employee_number,
                e.last_name,
                e.first_name,
                e.email,
                e.job_profile.title if e.job_profile else "",
                e.department.path,
                e.bargaining_unit.name if e.bargaining_unit else "",
                e.status.label,
                e.hire_date,
            )

    header = [
        "Employee number",
        "Last name",
        "First name",
        "Email",
        "Job profile",
        "Department",
        "Bargaining unit",
        "Status",
        "Hire date",
    ]
    return exports.csv_response("workforce.csv", header, rows)


def _directory_query():
    form = DirectoryFilterForm(request.args)
    _directory_choices(form)
    filters = {}
    valid = form.validate()
    if valid:
        filters = {
            "text": _name_order(form.q.data),
            "department_id": form.department.data or None,
            "bargaining_unit_id": form.bargaining_unit.data or None,
            "job_profile_id": form.job_profile.data if (form.job_profile.data or 0) > 0 else None,
            "status": form.status.data or None,
        }
    stmt = queries.directory_statement(current_user, **filters)
    if form.job_profile.data == NO_JOB_PROFILE:
        stmt = stmt.where(Employee.job_profile_id.is_(None))
    own_id = queries.own_employee_id(current_user)
    if own_id is not None and not queries.sees_everyone(current_user):
        # A manager's workforce is the people in their line: the count leaves them out.
        stmt = stmt.where(Employee.id != own_id)
    sort = (form.sort.data if valid else None) or "name"
    key = sort.removeprefix("-")
    if sort != "name":
        columns = SORTS[key]
        if key == "department":
            stmt = stmt.join(Department, Department.id == Employee.department_id)
        ordered = [c.desc() if sort.startswith("-") else c for c in columns]
        stmt = stmt.order_by(None).order_by(*ordered, Employee.id)
    return form, stmt, sort


def _name_order(text: str | None) -> str | None:
    """ "Hernandez, Grace" searches as "Grace Hernandez", the order the index holds."""
    if not text or "," not in text:
        return text or None
    last, _, first = text.partition(",")
    return f"{first.strip()} {last.strip()}".strip() or None


def _directory_choices(form: DirectoryFilterForm) -> None:
    chosen = form.department.data
    if not isinstance(chosen, int) or not 0 < chosen < 2**31:
        chosen = None  # junk in the address: the choices say what is valid
    form.department.choices = [(0, "Any department")] + queries.department_choices(chosen)
    form.bargaining_unit.choices = [(0, "Any bargaining unit")] + [
        (u.id, u.name) for u in queries.bargaining_units()
    ]
    form.job_profile.choices = [
        (0, "Any job profile"),
        (NO_JOB_PROFILE, "No job profile"),
    ] + queries.job_profile_choices()


@bp.get("/people/<int:employee_id>")
@requires(SIGNED_IN)
def profile(employee_id: int):
    employee = queries.get_visible_employee(current_user, employee_id)
    # Names are links only where the reader may open the page behind them.
    manager_linked = employee.manager_id is not None and queries.can_view(
        current_user, employee.manager_id
    )
    return render_template(
        "people/profile.html",
        employee=employee,
        panels=build_panels(EMPLOYEE_PROFILE, current_user, employee),
        direct_reports=queries.direct_reports(employee.id),
        manager_linked=manager_linked,
        reports_linked=queries.sees_everyone(current_user) or current_user.has_role(Role.MANAGER),
    )


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
    form.bargaining_unit.choices = [(0, "Not represented")] + [
        (u.id, u.name) for u in queries.bargaining_units()
    ]
    form.job_profile.choices = [(0, "No job profile")] + queries.job_profile_choices()
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
            flash(f"{employee.full_name}'s record is saved.", "success")
            return redirect(url_for("people.profile", employee_id=employee.id))
    status = 422 if form.errors else 200
    return render_template("people/employee_form.html", form=form, employee=employee), status


def _department(path: str) -> Department:
    found = queries.department_by_path(path)
    if found is None:
        raise Invalid(
            f"There is no department {path.strip()}. Departments are added by roster import.",
            field="department",
        )
    return found


def _manager(employee_number: str | None) -> Employee | None:
    if not employee_number or not employee_number.strip():
        return None
    found = queries.employee_by_number(employee_number)
    if found is None:
        raise Invalid(
            f"There is no employee with number {employee_number.strip()}.", field="manager"
        )
    return found


# --- accounts for imported employees (HR) ----------------------------------------------------

# Invitations go out this many at a time, so one request stays short whatever the roster's size.
INVITE_BATCH = 200


@bp.route("/people/accounts", methods=["GET", "POST"])
@requires(Role.HR)
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
        flash(f"{_count(len(invited), 'invitation')} sent.", "success")
        return redirect(url_for("people.invite_employees"))
    page = db.paginate(
        queries.uninvited_statement(),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "people/invite_employees.html",
        page=page,
        form=form,
        batch=min(page.total or 0, INVITE_BATCH),
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
    """Invite a person: the account, its employee link, and an email with a one-time link."""
    form = UserForm()
    form.units.choices = [(u.id, u.name) for u in queries.bargaining_units()]
    if form.validate_on_submit():
        roles = {Role(value) for value in form.roles.data or []}
        try:
            user, link = services.invite_user(
                current_user,
                email=form.email.data,
                full_name=form.full_name.data,
                roles=roles,
                employee=_employee(form.employee_number.data),
                link_for=lambda token: url_for("auth.reset_password", token=token, _external=True),
            )
            if Role.UNION_REP in roles and form.units.data:
                services.set_rep_units(current_user, user, set(form.units.data))
        except DomainError as error:
            attach_error(form, error)
        else:
            return _link_page(user, link, invited=True)
    status = 422 if form.errors or form.form_errors else 200
    page = render_template("people/user_new.html", form=form, role_descriptions=ROLE_DESCRIPTIONS)
    return page, status


def _link_page(target, link: str, invited: bool = False):
    """The one-time link, shown once on this response only: the token itself is never stored."""
    return render_template(
        "people/reset_link.html",
        target=target,
        link=link,
        invited=invited,
        hours=current_app.config["PASSWORD_RESET_HOURS"],
    )


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
        confirm_form=ConfirmForm(),
        history=audit.entries(history, audit.ADMIN_DETAIL_TYPES),
        role_descriptions=ROLE_DESCRIPTIONS,
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


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@requires(Role.ADMIN)
def deactivate(user_id: int):
    return _set_active(user_id, active=False)


@bp.route("/admin/users/<int:user_id>/reactivate", methods=["GET", "POST"])
@requires(Role.ADMIN)
def reactivate(user_id: int):
    return _set_active(user_id, active=True)


def _set_active(user_id: int, active: bool):
    """A page saying what will happen, with its own required reason; then the change."""
    target = shell_services.get_user(user_id)
    form = ConfirmedReasonForm()
    if form.validate_on_submit() and form.is_confirmed:
        shell_services.set_active(current_user, target, active, form.reason.data)
        message = "can sign in again" if active else "can no longer sign in"
        flash(f"{target.email} {message}.", "success")
        return redirect(url_for("people.user", user_id=user_id))
    status = 422 if form.errors or (form.is_submitted() and not form.is_confirmed) else 200
    page = render_template("people/confirm_active.html", target=target, form=form, active=active)
    return page, status


@bp.post("/admin/users/<int:user_id>/reset-link")
@requires(Role.ADMIN)
def reset_link(user_id: int):
    target = shell_services.get_user(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise Invalid("The request could not be read. Reload the page and try again.")
    token = shell_services.issue_reset_link(current_user, target)
    return _link_page(target, url_for("auth.reset_password", token=token, _external=True))


# --- home-page panels -----------------------------------------------------------------------


@dataclass(frozen=True)
class TeamPanel(Panel):
    """A manager's team in numbers; the people themselves are in the competencies grid."""

    template: ClassVar[str] = "people/_team_panel.html"
    direct_count: int
    line_count: int


@dataclass(frozen=True)
class WorkforcePanel(Panel):
    template: ClassVar[str] = "people/_workforce_panel.html"
    summary: dict


@dataclass(frozen=True)
class UnitFigures:
    unit: BargainingUnit
    members: figures.Figure
    by_job: list[figures.Figure]


@dataclass(frozen=True)
class UnionPanel(Panel):
    """A union rep's units in aggregate: members, and members by job profile; no individuals."""

    template: ClassVar[str] = "people/_union_panel.html"
    units: list[UnitFigures]
    as_of: datetime
    minimum: int


def team_panel(user) -> TeamPanel | None:
    own = queries.own_employee(user)
    if not user.has_role(Role.MANAGER) or own is None:
        return None
    return TeamPanel(
        direct_count=queries.direct_report_count(own.id),
        line_count=queries.reporting_line_count(own.id, own.line_path),
    )


def workforce_panel(user) -> WorkforcePanel | None:
    if not user.has_role(Role.HR):
        return None
    return WorkforcePanel(summary=queries.workforce_summary())


def union_panel(user) -> UnionPanel | None:
    if not user.has_role(Role.UNION_REP):
        return None
    minimum = current_app.config["SMALL_GROUP_MINIMUM"]
    units = queries.rep_units(user)
    ids = [unit.id for unit in units]
    members, as_of = figures.unit_figures(ids, "members")
    by_job, _ = figures.unit_figures(ids, "job")
    shown = [
        UnitFigures(
            unit,
            figures.Figure(unit.name, sum(n for _, n in members[unit.id]), minimum),
            figures.breakdown(by_job[unit.id], minimum, "Other job profiles, together"),
        )
        for unit in units
    ]
    return UnionPanel(units=shown, as_of=as_of, minimum=minimum)


def own_profile_values(user) -> dict | None:
    """The navigation's "My profile" link: only for people with an employee record."""
    own_id = queries.own_employee_id(user)
    return None if own_id is None else {"employee_id": own_id}
