"""Flask extensions, created unbound and initialised by the factory."""

from __future__ import annotations

from flask import request
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
    """Rate-limit key for sign-in attempts against one account, whatever the address."""
    email = (request.form.get("email") or "").strip().lower()
    return "account:" + email


__all__ = ["db", "migrate", "csrf", "login_manager", "limiter", "signin_account_key"]
