"""Password hashing, safe redirects and the security headers every response carries."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from urllib.parse import urlsplit

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, g, has_app_context, request

from civicladder.config import ConfigError

MIN_PASSWORD_LENGTH = 12

_HASHER_KEY = "civicladder.password_hasher"


class _Hashing:
    """An argon2id hasher at the configured cost, and a throwaway hash made at that same cost."""

    def __init__(self, time_cost: int, memory_cost: int, parallelism: int) -> None:
        self.hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
        )
        self.dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))


_default: _Hashing | None = None


def _hashing() -> _Hashing:
    # Outside an app (scripts, fixtures) the library's recommended profile applies.
    global _default
    if has_app_context() and _HASHER_KEY in current_app.extensions:
        return current_app.extensions[_HASHER_KEY]
    if _default is None:
        recommended = profiles.RFC_9106_LOW_MEMORY
        _default = _Hashing(recommended.time_cost, recommended.memory_cost, recommended.parallelism)
    return _default


def configure_hashing(app: Flask) -> None:
    try:
        hashing = _Hashing(
            app.config["ARGON2_TIME_COST"],
            app.config["ARGON2_MEMORY_COST"],
            app.config["ARGON2_PARALLELISM"],
        )
    except Exception as error:  # argon2 refuses impossible combinations in its own words
        raise ConfigError(f"The ARGON2_* settings are not usable: {error}") from error
    app.extensions[_HASHER_KEY] = hashing


def hash_password(password: str) -> str:
    return _hashing().hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches, whatever cost the stored hash was made at."""
    if not password_hash:
        # Spend the same effort as a real check so timing does not reveal unknown accounts.
        burn_verify_time(password)
        return False
    try:
        return _hashing().hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made at another cost than the configured one."""
    return _hashing().hasher.check_needs_rehash(password_hash)


def burn_verify_time(password: str) -> None:
    """Do a full verification against a throwaway hash (for unknown or inactive accounts)."""
    hashing = _hashing()
    with contextlib.suppress(VerificationError, InvalidHashError):
        hashing.hasher.verify(hashing.dummy_hash, password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def safe_next(target: str | None) -> str | None:
    """Only same-site absolute paths survive: no scheme, no host, no //host or /\\host tricks."""
    if not target:
        return None
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or target.startswith("/\\"):
        return None
    if any(ch in target for ch in ("\\", "\r", "\n", "\t")) or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


def _json_has_nul(value) -> bool:
    """Whether a JSON body holds a NUL anywhere, in a key or a string value."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return _has_nul(value) or any(_json_has_nul(item) for item in value.values())
    if isinstance(value, list):
        return any(_json_has_nul(item) for item in value)
    return False


def register(app: Flask) -> None:
    configure_hashing(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.before_request
    def _refuse_nul_characters():
        # No field has a use for NUL, and PostgreSQL cannot store it in text.
        if (
            "\x00" in request.path
            or _has_nul(request.args.values())
            or (request.form and _has_nul(request.form.values()))
            or (request.is_json and _json_has_nul(request.get_json(silent=True)))
        ):
            abort(400, "The request contained a NUL character, which no field accepts.")

    @app.after_request
    def _security_headers(response):
        nonce = csp_nonce()
        response.headers["Content-Security-Policy"] = "; ".join(
            [
                "default-src 'self'",
                f"script-src 'self' 'nonce-{nonce}'",
                "style-src 'self'",
                "img-src 'self' data:",
                "font-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response
