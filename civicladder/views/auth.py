"""Sign-in and sign-out, changing one's own password, and one-time password links."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from civicladder import identity, languages, oidc, services, user_sessions
from civicladder.access import SIGNED_IN, public, requires
from civicladder.db import write_transaction
from civicladder.errors import DomainError, Invalid
from civicladder.extensions import limiter, signin_account_key, signin_refused
from civicladder.forms import (
    ChangePasswordForm,
    ConfirmForm,
    NewPasswordForm,
    SignInForm,
    attach_error,
)
from civicladder.security import safe_next

bp = Blueprint("auth", __name__)


def _account_limit() -> str:
    return current_app.config["SIGNIN_LIMIT_PER_ACCOUNT"]


def _address_limit() -> str:
    return current_app.config["SIGNIN_LIMIT_PER_ADDRESS"]


@bp.route("/sign-in", methods=["GET", "POST"])
@public
# Only refused attempts count, per address (against guessing across many accounts) and per
# account and address together (so a stranger's guesses never lock the owner out).
@limiter.limit(_address_limit, methods=["POST"], deduct_when=signin_refused)
@limiter.limit(
    _account_limit, key_func=signin_account_key, methods=["POST"], deduct_when=signin_refused
)
def sign_in():
    next_path = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for("home.index"))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            if user is not None:
                user_sessions.sign_in(user)
                return redirect(next_path or url_for("home.index"))
            form.password.errors.append(gettext("The email address or password is not correct."))
    status = 422 if form.errors else 200
    return render_template(
        "account/sign_in.html",
        form=form,
        next=next_path,
        provider=oidc.button_label(),
        passwords_for_everyone=services.password_sign_in_for_everyone(),
    ), status


# The ID token a provider sign-in was made with, kept for RP-initiated logout (its hint).
_ID_TOKEN_KEY = "oidc_id_token"  # noqa: S105 (a session key, not a secret)
# A longer one would crowd the session cookie's 4 KB; sign-out then goes without the hint.
_ID_TOKEN_KEPT_BELOW = 2000
# The page a person was on their way to when sent to sign in, kept while they are at the provider.
_NEXT_KEY = "oidc_next"


@bp.get("/sign-in/oidc")
@public
def sign_in_oidc():
    """Send the browser to the city's identity provider."""
    next_path = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for("home.index"))
    session[_NEXT_KEY] = next_path
    return oidc.start()


@bp.get(oidc.CALLBACK_PATH)
@public
# Only refused answers count against the address (a whole office may sign in from one).
@limiter.limit(_address_limit, deduct_when=lambda response: response.status_code >= 400)
def oidc_callback():
    """Where the provider sends the browser back: check its answer and sign the person in."""
    vouched = oidc.finish()
    # A GET that writes (the sign-in, perhaps a first account): on SQLite its transaction
    # begins as a writer's, or a concurrent sign-in's commit would make it fail.
    with write_transaction():
        user = identity.authenticate(vouched.claims, current_app.config["OIDC_EMAIL_CLAIM"])
    next_path = safe_next(session.get(_NEXT_KEY))
    user_sessions.sign_in(user)
    kept = len(vouched.id_token) < _ID_TOKEN_KEPT_BELOW
    session[_ID_TOKEN_KEY] = vouched.id_token if kept else ""
    return redirect(next_path or url_for("home.index"))


@bp.post("/sign-out")
@requires(SIGNED_IN)
def sign_out():
    services.record_sign_out(current_user)
    id_token = session.get(_ID_TOKEN_KEY)
    user_sessions.sign_out()
    flash(gettext("You have signed out."), "info")
    back = current_app.config["PUBLIC_URL"] + "/sign-in"
    provider_logout = oidc.logout_url(back, id_token) if id_token is not None else None
    return redirect(provider_logout or url_for("auth.sign_in"))


@bp.post("/language")
@public
def choose_language():
    """The language switch in the header and footer: this browser's pages are in the chosen
    language from now on, and a signed-in person's account keeps it (for their email too)."""
    language = request.form.get("lang", "")
    if current_user.is_authenticated:
        services.set_language(current_user, language)
    elif language not in languages.LANGUAGES:
        raise Invalid(gettext("Choose one of the languages offered."))
    session[languages.SESSION_KEY] = language
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(SIGNED_IN)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            # Every session of the account ends; this browser carries on in a new one.
            user_sessions.end_all(user)
            user_sessions.sign_in(user)
            flash(
                gettext("Your password has been changed. Other sessions have been signed out."),
                "success",
            )
            return redirect(url_for("home.index"))
    status = 422 if form.errors else 200
    return render_template("account/change_password.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_address_limit, methods=["POST"])
def reset_password(token: str):
    services.find_reset(token)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.new_password.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(gettext("Your password has been set. You can now sign in."), "success")
            return redirect(url_for("auth.sign_in"))
    status = 422 if form.errors else 200
    return render_template("account/reset_password.html", form=form, token=token), status


@bp.post("/notifications/read")
@requires(SIGNED_IN)
def mark_notifications_read():
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("home.index"))
    services.mark_notifications_read(current_user)
    flash(gettext("Notifications marked as read."), "info")
    return redirect(url_for("home.index"))
