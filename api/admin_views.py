"""The administrator's pages for the API: the systems registered to call it, the tokens they
hold (a new token's secret is shown once), revoking a token and disabling a client."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from api import tokens
from api.forms import ClientForm, TokenForm, scope_choices
from api.scopes import SCOPES
from civicladder.access import Role, requires
from civicladder.errors import DomainError
from civicladder.forms import ConfirmedReasonForm, attach_error
from people import queries as people_queries

bp = Blueprint("api_admin", __name__, url_prefix="/admin/api-clients")


@bp.get("")
@requires(Role.ADMIN)
def clients():
    return render_template("api/clients.html", clients=tokens.clients(), now=tokens.now())


@bp.route("/new", methods=["GET", "POST"])
@requires(Role.ADMIN)
def new_client():
    form = ClientForm()
    if form.validate_on_submit():
        try:
            client = tokens.register_client(
                current_user,
                name=form.name.data,
                contact=form.contact.data,
                scopes=form.scopes.data,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(
                gettext("%(client)s is registered. Issue it a token below.", client=client.name),
                "success",
            )
            return redirect(url_for("api_admin.client", client_id=client.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("api/client_new.html", form=form, scopes=SCOPES), status


def _token_form(client) -> TokenForm:
    form = TokenForm()
    form.scopes.choices = scope_choices(client.scope_set)
    form.bargaining_unit.choices = [(0, gettext("Every unit: the whole city"))] + [
        (unit.id, unit.name) for unit in people_queries.bargaining_units()
    ]
    return form


def _client_page(client, form: TokenForm, status: int = 200):
    page = render_template(
        "api/client.html", client=client, form=form, scopes=SCOPES, now=tokens.now()
    )
    return page, status


@bp.get("/<int:client_id>")
@requires(Role.ADMIN)
def client(client_id: int):
    found = tokens.get_client(client_id)
    form = _token_form(found)
    form.scopes.data = sorted(found.scope_set)
    return _client_page(found, form)


@bp.post("/<int:client_id>/tokens")
@requires(Role.ADMIN)
def issue_token(client_id: int):
    """The new token's secret is on this answer alone: it is not kept, so it cannot be shown
    again (the page is not cached)."""
    found = tokens.get_client(client_id)
    form = _token_form(found)
    if form.validate_on_submit():
        try:
            issued = tokens.issue_token(
                current_user,
                found,
                label=form.label.data,
                scopes=form.scopes.data,
                days=form.days.data,
                bargaining_unit_id=form.bargaining_unit.data or None,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            return render_template("api/token_issued.html", client=found, issued=issued)
    return _client_page(found, form, 422)


@bp.route("/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@requires(Role.ADMIN)
def revoke_token(token_id: int):
    token = tokens.get_token(token_id)
    return _confirmed(
        "api/revoke.html",
        lambda reason: tokens.revoke_token(current_user, token, reason),
        f"Token {token.prefix}… no longer works.",
        url_for("api_admin.client", client_id=token.client_id),
        token=token,
    )


@bp.route("/<int:client_id>/disable", methods=["GET", "POST"])
@requires(Role.ADMIN)
def disable_client(client_id: int):
    found = tokens.get_client(client_id)
    return _confirmed(
        "api/disable.html",
        lambda reason: tokens.disable_client(current_user, found, reason),
        f"{found.name} is disabled: none of its tokens work.",
        url_for("api_admin.client", client_id=found.id),
        client=found,
    )


def _confirmed(template: str, act, done: str, back: str, **context):
    """A page saying what will happen, asking a reason; the change once it is confirmed."""
    form = ConfirmedReasonForm()
    if form.validate_on_submit() and form.is_confirmed:
        try:
            act(form.reason.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(done, "success")
            return redirect(back)
    status = 422 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status
