"""The administrator's pages: user accounts, their roles, the bargaining units a union
representative speaks for, sign-in on and off, and one-time links."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from civicladder import audit
from civicladder import services as shell_services
from civicladder.access import Role, requires
from civicladder.caching import kept_page
from civicladder.db import db
from civicladder.errors import DomainError, Invalid
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
from people import queries, services
from people.forms import RepUnitsForm
from people.views import bp


@bp.get("/admin/users")
@requires(Role.ADMIN)
@kept_page
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
            gettext("There is no employee with number %(number)s.", number=employee_number.strip()),
            field="employee_number",
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
        raise Invalid(gettext("The roles could not be read. Choose from the listed roles."))
    roles = {Role(value) for value in form.roles.data or []}
    shell_services.set_roles(current_user, target, roles, form.reason.data or None)
    flash(gettext("Roles updated."), "success")
    return redirect(url_for("people.user", user_id=user_id))


@bp.post("/admin/users/<int:user_id>/bargaining-units")
@requires(Role.ADMIN)
def update_rep_units(user_id: int):
    target = shell_services.get_user(user_id)
    form = RepUnitsForm()
    form.units.choices = [(u.id, u.name) for u in queries.bargaining_units()]
    if not form.validate_on_submit():
        raise Invalid(gettext("Choose bargaining units from the list."))
    services.set_rep_units(current_user, target, set(form.units.data or []))
    flash(gettext("Bargaining units updated."), "success")
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
        message = (
            gettext("%(email)s can sign in again.", email=target.email)
            if active
            else gettext("%(email)s can no longer sign in.", email=target.email)
        )
        flash(message, "success")
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
        raise Invalid(gettext("The request could not be read. Reload the page and try again."))
    token = shell_services.issue_reset_link(current_user, target)
    return _link_page(target, url_for("auth.reset_password", token=token, _external=True))
