"""Sign-in sessions kept on the server: started at sign-in, checked each request, ended at sign-out.

The browser's cookie holds only a random token under Flask-Login's `_user_id` key; the server
keeps the token's SHA-256. Ending the row ends the session, whoever holds a copy of the cookie.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app, g, request, session
from flask_login import login_user, logout_user
from sqlalchemy.orm import joinedload

from civicladder import clock, languages
from civicladder.db import db
from civicladder.extensions import login_manager
from civicladder.models import User, UserSession
from civicladder.security import new_token, token_hash

# Flask-Login keeps the signed-in identity under this key and hands it to the user loader.
SESSION_KEY = "_user_id"
# Ended and expired rows are kept this long (for the account's own records), then deleted.
KEEP_OLD_SESSIONS = timedelta(days=30)


def register(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = app.config["SESSION_PROTECTION"]
    login_manager.user_loader(load_user)
    # Flask-Login's own fingerprint believes a client-supplied X-Forwarded-For.
    login_manager._session_identifier_generator = session_identifier


def session_identifier() -> str:
    """The fingerprint session protection compares on each request: address and browser.

    `request.remote_addr` is the connecting address, or the one a trusted proxy reported when
    PROXY_COUNT says there is one (ProxyFix); a header the client chose is never read here.
    """
    base = f"{request.remote_addr}|{request.headers.get('User-Agent', '')}"
    return hashlib.sha512(base.encode()).hexdigest()


def load_user(token: str) -> User | None:
    """The active user of a live session with this token, roles loaded; None for anything else."""
    return (
        db.session.execute(
            sa.select(User)
            .options(joinedload(User.role_rows))  # one round trip on every signed-in request
            .join(UserSession, UserSession.user_id == User.id)
            .where(
                UserSession.token_hash == token_hash(token),
                UserSession.ended_at.is_(None),
                UserSession.expires_at > clock.now(),
                # A password change or deactivation rotates the user's token: older sessions die.
                UserSession.user_token == User.session_token,
                User.active.is_(True),
            )
        )
        .unique()
        .scalar_one_or_none()
    )


def start(user: User) -> str:
    """Record a new session for the user and return its token (the only copy of it)."""
    now = clock.now()
    db.session.execute(
        sa.delete(UserSession).where(
            UserSession.user_id == user.id,
            sa.or_(UserSession.ended_at.is_not(None), UserSession.expires_at <= now),
            UserSession.created_at < now - KEEP_OLD_SESSIONS,
        )
    )
    token = new_token()
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=token_hash(token),
            user_token=user.session_token,
            created_at=now,
            expires_at=now + current_app.permanent_session_lifetime,
            user_agent=request.user_agent.string[:300] or None,
            address=(request.remote_addr or "")[:45] or None,
        )
    )
    db.session.flush()
    return token


def sign_in(user: User) -> None:
    """Sign the user in on this browser with a brand-new session and CSRF token."""
    _end_current()
    _fresh_cookie()
    token = start(user)
    if user.locale in languages.LANGUAGES:
        # The language kept on the account follows the person to this browser.
        session[languages.SESSION_KEY] = user.locale
    login_user(user)
    session[SESSION_KEY] = token


def sign_out() -> None:
    """End this browser's session on the server and empty its cookie."""
    _end_current()
    logout_user()
    _fresh_cookie()


def end_all(user: User) -> int:
    """End every live session of the user (this browser's too); returns how many."""
    return db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=clock.now())
    ).rowcount


def _end_current() -> None:
    token = session.get(SESSION_KEY)
    if not token:
        return
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))
        .values(ended_at=clock.now())
    )


def _fresh_cookie() -> None:
    # Nothing from before carries over, the CSRF token included (Flask-WTF keeps its raw token
    # in the session and the signed one in g); only the language the browser chose stays.
    language = session.get(languages.SESSION_KEY)
    session.clear()
    if language is not None:
        session[languages.SESSION_KEY] = language
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
