"""Domain errors carrying a message for the person at the screen, and their HTTP pages."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from civicladder.languages import N_


class DomainError(Exception):
    status = 400
    title = N_("That could not be done")

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status = 404
    title = N_("Page not found")


class Forbidden(DomainError):
    status = 403
    title = N_("You do not have access to this")


class Conflict(DomainError):
    status = 409
    title = N_("That conflicts with the current state")


class Invalid(DomainError):
    status = 422
    title = N_("Please check what you entered")


_TITLES = {
    400: N_("The request could not be understood"),
    401: N_("Please sign in"),
    403: N_("You do not have access to this"),
    404: N_("Page not found"),
    405: N_("That action is not allowed here"),
    409: N_("That conflicts with the current state"),
    413: N_("The file is too large"),
    422: N_("Please check what you entered"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong on our side"),
}

_DEFAULT_MESSAGES = {
    400: N_("The request was incomplete or malformed. Go back and try again."),
    403: N_("Your account does not have permission to see this page or take this action."),
    404: N_("There is no page at this address, or it is not visible to you."),
    405: N_("This address does not accept that kind of request."),
    413: N_("The uploaded file is larger than the limit this site accepts."),
    429: N_("There have been too many attempts. Wait a few minutes and try again."),
    500: N_("The problem has been logged. Your change was not saved; please try again later."),
}


CONCURRENT_CHANGE = (
    "Someone else changed the same records at the same moment, so nothing was saved. "
    "Reload the page and try again."
)


# Constraint violations that only a race between two requests can cause, since services check
# these rules first: a duplicate (SQLSTATE 23505) or a row that vanished (23503). Any other
# violation (CHECK, NOT NULL) means a service let bad data through: a bug.
_CONFLICT_SQLSTATES = frozenset({"23505", "23503"})
_CONFLICT_SQLITE_NAMES = frozenset(
    {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_FOREIGNKEY"}
)
_CONFLICT_SQLITE_MESSAGES = ("UNIQUE constraint failed", "FOREIGN KEY constraint failed")


def is_concurrent_change(error: IntegrityError) -> bool:
    """Whether the database refused a write because someone changed the same rows meanwhile."""
    cause = error.orig
    sqlstate = getattr(cause, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return sqlstate in _CONFLICT_SQLSTATES
    name = getattr(cause, "sqlite_errorname", None)  # sqlite3
    if name is not None:
        return name in _CONFLICT_SQLITE_NAMES
    return str(cause).startswith(_CONFLICT_SQLITE_MESSAGES)


def integrity_error_page(app: Flask, error: IntegrityError):
    """The 409 page for a lost race, a logged 500 for any other refused write.

    The caller has already rolled the transaction back.
    """
    if is_concurrent_change(error):
        app.logger.warning("write refused by a constraint; answered as a conflict: %s", error.orig)
        return render_error(409, CONCURRENT_CHANGE)
    app.logger.error("write refused by a constraint", exc_info=error)
    return render_error(500)


def _abandon(app: Flask, rollback: Callable[[], None]) -> None:
    """Roll the unit of work back before an error page is rendered.

    The page's layout reads the database (the signed-in user, their notices); inside a
    transaction that failed, those reads fail too and the error page itself becomes a 500.
    """
    try:
        rollback()
    except Exception:  # a broken connection must not hide the original error
        app.logger.exception("rollback before an error page failed")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


# Error answers of a protocol served under an address prefix (SCIM's under /scim/), registered by
# the package serving it: `renderer(status, message)` returns the response.
ErrorRenderer = Callable[[int, str], object]
_RENDERERS = "civicladder.error_renderers"


def register_error_renderer(app: Flask, prefix: str, renderer: ErrorRenderer) -> None:
    """Answer every error of a request under `prefix` (an unknown address, a method the
    address does not take, a domain error) with `renderer` instead of a page."""
    app.extensions.setdefault(_RENDERERS, {})[prefix] = renderer


def _renderer_for_request() -> ErrorRenderer | None:
    for prefix, renderer in current_app.extensions.get(_RENDERERS, {}).items():
        if request.path.startswith(prefix):
            return renderer
    return None


def render_error(status: int, message: str | None = None, title: str | None = None):
    title = title or _TITLES.get(status, "Error")
    message = message or _DEFAULT_MESSAGES.get(status, "")
    renderer = _renderer_for_request()
    if renderer is not None:
        return renderer(status, message)
    if _wants_json():
        body = {"type": "about:blank", "title": title, "status": status, "detail": message}
        response = jsonify(body)
        response.status_code = status
        response.mimetype = "application/problem+json"
        return response
    # The page's words: the shell's own titles and messages are in the catalogue; a message a
    # service wrote is shown as written until it is marked for translation too.
    page = render_template(
        "errors/error.html",
        status=status,
        title=gettext(title),
        message=gettext(message) if message else "",
    )
    return page, status


def _limit_message(error: HTTPException) -> bool:
    """Whether this is a rate limit's refusal carrying a message for the person (Flask-Limiter
    puts the limit's own error_message in the description; without one, it is "3 per 1 day")."""
    return error.code == 429 and bool(getattr(getattr(error, "limit", None), "error_message", None))


def register(app: Flask, rollback: Callable[[], None]) -> None:
    """The error pages; `rollback` abandons the unit of work before one is rendered (the
    transaction module's, handed in by the factory: this module imports nothing of the shell
    but the languages' marker, so every other shell module may import it)."""

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        _abandon(app, rollback)
        return render_error(error.status, error.message, error.title)

    @app.errorhandler(IntegrityError)
    def _integrity_error(error: IntegrityError):
        _abandon(app, rollback)
        return integrity_error_page(app, error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code in (301, 302, 303, 307, 308):
            return error
        _abandon(app, rollback)
        # A 400's own description says what was wrong (for example a missing CSRF token), and so
        # does a 429 from a rate limit that was given a message of its own.
        description = error.description if error.code == 400 or _limit_message(error) else None
        return render_error(error.code or 500, description)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("Unhandled error", exc_info=error)
        _abandon(app, rollback)
        return render_error(500)
