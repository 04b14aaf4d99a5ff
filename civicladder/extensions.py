"""Flask extensions, created unbound and initialised by the factory."""

from __future__ import annotations

from flask import Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from civicladder.db import db

migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def signin_account_key() -> str:
    """Rate-limit key for sign-in attempts at one account from one address.

    Keyed on both, so guesses from elsewhere never use up the owner's attempts.
    """
    email = (request.form.get("email") or "").strip().lower()
    return f"account:{email}|from:{get_remote_address()}"


def signin_refused(response: Response) -> bool:
    """Whether a sign-in attempt counts toward the limits: only refused ones do."""
    return response.status_code == 422


__all__ = [
    "db",
    "migrate",
    "csrf",
    "login_manager",
    "limiter",
    "signin_account_key",
    "signin_refused",
]
