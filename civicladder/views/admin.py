"""Administration in the shell: the audit log and the email outbox (users live in people)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from civicladder import audit, caching, layout, oidc, services
from civicladder.access import Role, requires
from civicladder.db import db
from civicladder.errors import DomainError
from civicladder.forms import AuditSearchForm, PasswordSignInForm, attach_error, choice_list
from civicladder.layout import page_number
from civicladder.models import AuditEvent, OutboxMessage, OutboxStatus, User
from civicladder.navigation import ADMIN_TASKS, NavLink, links_for
from civicladder.panels import Panel

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/audit")
@requires(Role.ADMIN)
@caching.kept_page
def audit_log():
    form = AuditSearchForm(request.args)
    form.action.choices = [("", gettext("Any action")), *layout.action_choices()]
    chosen = form.action.data
    if chosen and chosen not in dict(form.action.choices):
        form.action.choices.append((chosen, layout.action_words(chosen)))
    filters = {}
    if form.validate():
        filters = {
            "actor": form.actor.data or None,
            "object_text": form.object.data or None,
            "action": form.action.data or None,
            "date_from": form.date_from.data,
            "date_to": form.date_to.data,
        }
    stmt = audit.search_statement(**filters, detail_types=audit.ADMIN_DETAIL_TYPES)
    page = db.paginate(stmt, page=page_number(), per_page=50, error_out=False)
    status = 422 if form.errors else 200
    shown = audit.entries(page.items, audit.ADMIN_DETAIL_TYPES)
    return render_template("admin/audit.html", form=form, page=page, entries=shown), status


@bp.get("/outbox")
@requires(Role.ADMIN)
def outbox():
    """Who was written to, about what, and whether it went: never what the message said.

    Messages tell people about their own records (competency evidence, decisions about them);
    the administrator runs delivery, and the recipient reads the text in their notices.
    """
    stmt = sa.select(OutboxMessage).order_by(
        OutboxMessage.created_at.desc(), OutboxMessage.id.desc()
    )
    page = db.paginate(stmt, page=page_number(), per_page=50, error_out=False)
    mail_configured = bool(current_app.config.get("MAIL_URL"))
    return render_template("admin/outbox.html", page=page, mail_configured=mail_configured)


@bp.route("/sign-in", methods=["GET", "POST"])
@requires(Role.ADMIN)
def sign_in_settings():
    """Who may sign in with a password. The page says what a change does before it is made;
    its post is the confirmation."""
    candidates = services.break_glass_candidates()
    form = PasswordSignInForm()
    form.break_glass.choices = choice_list(
        (user.id, f"{user.full_name} ({user.email})") for user in candidates
    )
    everyone = services.password_sign_in_for_everyone()
    if not form.is_submitted():
        form.everyone.data = "yes" if everyone else "no"
        form.break_glass.data = [user.id for user in candidates if user.break_glass]
    elif form.validate():
        try:
            services.set_password_sign_in(
                current_user,
                form.everyone.data == "yes",
                set(form.break_glass.data or []),
                form.reason.data,
                provider=oidc.enabled(),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(gettext("Who may sign in with a password is saved."), "success")
            return redirect(url_for("admin.sign_in_settings"))
    status = 422 if form.errors else 200
    return render_template(
        "admin/sign_in.html",
        form=form,
        everyone=everyone,
        provider=oidc.button_label(),
        no_password=[user for user in candidates if not user.password_hash],
    ), status


QUIET_ACTIONS = ("user.signed_in", "user.signed_out", "notification.read")


@dataclass(frozen=True)
class AdminPanel(Panel):
    template: ClassVar[str] = "admin/_admin_panel.html"
    counts: dict[str, int]
    recent: list[AuditEvent]
    tasks: list[NavLink]  # the packages' administration pages (ADMIN_TASKS), with the shell's


def admin_panel(user) -> AdminPanel | None:
    if not user.has_role(Role.ADMIN):
        return None
    counts = {
        "users": db.session.scalar(sa.select(sa.func.count(User.id)).where(User.active.is_(True))),
        "queued_mail": db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(
                OutboxMessage.status == OutboxStatus.QUEUED
            )
        ),
    }
    # Sign-ins would crowd out the changes an administrator looks here for.
    changes = audit.search_statement().where(AuditEvent.action.not_in(QUIET_ACTIONS))
    events = db.session.scalars(changes.limit(8)).all()
    return AdminPanel(
        counts=counts,
        recent=audit.entries(events, audit.ADMIN_DETAIL_TYPES),
        tasks=links_for(user, ADMIN_TASKS),
    )
