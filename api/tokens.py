"""Registering API clients and issuing, revoking and checking their tokens (admin's work)."""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from api.models import ApiClient, ApiToken
from api.scopes import SCOPES
from civicladder import audit, clock, transaction
from civicladder.access import Role, require_role
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, Invalid, NotFound
from civicladder.models import User
from people.models import BargainingUnit

# Tokens start with this, so a secret scanner (or a person) can tell one in a log or a file.
TOKEN_PREFIX = "clapi_"  # noqa: S105 (a marker, not a secret)
MAX_DAYS = 730
# The one scope a token for a single bargaining unit carries.
UNIT_SCOPE = "reports:read"
DEFAULT_DAYS = 365


def now():
    """The time a token's expiry is measured against."""
    return clock.now()


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_scopes(wanted: list[str], allowed: frozenset[str] | None = None) -> list[str]:
    unknown = sorted(set(wanted) - set(SCOPES))
    if unknown:
        raise Invalid(
            gettext("Unknown scope: %(scopes)s.", scopes=", ".join(unknown)), field="scopes"
        )
    if not wanted:
        raise Invalid(gettext("Choose at least one scope."), field="scopes")
    if allowed is not None and not set(wanted) <= allowed:
        extra = ", ".join(sorted(set(wanted) - allowed))
        raise Invalid(
            gettext(
                "The client may not hold %(scopes)s: change the client's scopes first.",
                scopes=extra,
            ),
            field="scopes",
        )
    return sorted(set(wanted))


def register_client(actor: User | None, *, name: str, contact: str, scopes: list[str]) -> ApiClient:
    """Register a system that may call the API, and the scopes its tokens may carry."""
    require_role(actor, Role.ADMIN)
    name, contact = " ".join(name.split()), contact.strip()
    if not name:
        raise Invalid(gettext("Name the system."), field="name")
    if "@" not in contact:
        raise Invalid(
            gettext("Give an email address for whoever runs the system."), field="contact"
        )
    chosen = _check_scopes(scopes)
    if client_named(name) is not None:
        raise Conflict(
            gettext("A client called %(name)s is registered already.", name=name), field="name"
        )
    client = ApiClient(
        name=name,
        contact=contact,
        scopes=" ".join(chosen),
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(client)
    db.session.flush()
    audit.record(
        actor,
        "api_client.registered",
        client,
        after={"name": name, "contact": contact, "scopes": chosen},
    )
    return client


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    secret: str  # shown once, never stored


def issue_token(
    actor: User | None,
    client: ApiClient,
    *,
    label: str,
    scopes: list[str],
    days: int = DEFAULT_DAYS,
    bargaining_unit_id: int | None = None,
) -> Issued:
    """A new token for the client, with some or all of its scopes, valid for `days`.

    With `bargaining_unit_id`, a token for that unit alone (a union's own system): it reads
    that unit's published reports and nothing else, so it carries `reports:read` alone."""
    require_role(actor, Role.ADMIN)
    client = locked_get(ApiClient, client.id, gettext("There is no such API client."))
    if client.disabled_at is not None:
        raise Conflict(gettext("This client is disabled: it cannot be given tokens."))
    chosen = _check_scopes(scopes, client.scope_set)
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(gettext("A token lasts 1 to %(days)s days.", days=MAX_DAYS), field="days")
    unit = None
    if bargaining_unit_id is not None:
        unit = db.session.get(BargainingUnit, bargaining_unit_id)
        if unit is None:
            raise Invalid(
                gettext("Choose a bargaining unit from the list."), field="bargaining_unit"
            )
        if chosen != [UNIT_SCOPE]:
            raise Invalid(
                gettext(
                    "A token for one bargaining unit reads that unit's published reports only: "
                    "give it the scope %(scope)s alone.",
                    scope=UNIT_SCOPE,
                ),
                field="scopes",
            )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        client_id=client.id,
        label=" ".join(label.split())[:120],
        digest=digest(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        scopes=" ".join(chosen),
        created_by_id=actor.id if actor is not None else None,
        expires_at=clock.now() + timedelta(days=days),
        bargaining_unit_id=unit.id if unit is not None else None,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        actor,
        "api_token.issued",
        token,
        label=f"{client.name}: {token.prefix}…",
        after={
            "client": client.name,
            "scopes": chosen,
            "expires_at": token.expires_at,
            "label": token.label,
            "bargaining_unit": unit.code if unit is not None else None,
        },
    )
    return Issued(token, secret)


def revoke_token(actor: User | None, token: ApiToken, reason: str = "") -> ApiToken:
    """Stop a token working at once; it stays listed as revoked."""
    require_role(actor, Role.ADMIN)
    token = locked_get(ApiToken, token.id, gettext("There is no such token."))
    if token.revoked_at is not None:
        raise Conflict(gettext("This token is revoked already."))
    token.revoked_at = clock.now()
    forget_checked()
    audit.record(
        actor,
        "api_token.revoked",
        token,
        label=f"{token.client.name}: {token.prefix}…",
        reason=reason.strip() or None,
    )
    return token


@dataclass(frozen=True)
class Caller:
    """Who is calling the API: the token's client and what the token may do."""

    client_id: int
    client_name: str
    token_id: int
    scopes: frozenset[str]
    token_prefix: str = ""
    # A token for one bargaining unit's reports; None for a token of the whole city.
    bargaining_unit_id: int | None = None

    @property
    def label(self) -> str:
        """How the audit log names what this caller does."""
        return f"API client {self.client_name} (token {self.token_prefix}…)"


@functools.cache
def _token_statement() -> sa.Select:
    """The presented token's row with its client's, by digest (built once: building it took
    longer than running it)."""
    return (
        sa.select(
            ApiToken.id,
            ApiToken.prefix,
            ApiToken.scopes,
            ApiToken.expires_at,
            ApiToken.revoked_at,
            ApiToken.bargaining_unit_id,
            ApiClient.id.label("client_id"),
            ApiClient.name,
            ApiClient.disabled_at,
        )
        .join(ApiClient, ApiClient.id == ApiToken.client_id)
        .where(ApiToken.digest == sa.bindparam("digest"))
    )


# Tokens this process has checked lately, by digest: (caller, expires_at, checked at (monotonic)).
_checked: dict[str, tuple[Caller, datetime, float]] = {}
# Tokens kept at most, whatever their age (a flood of distinct valid tokens cannot grow it).
_CHECKED_MAX = 10_000


def authenticate(secret: str) -> Caller | None:
    """The caller a presented token stands for, or None when it is unknown, expired or revoked
    or its client is disabled.

    One indexed read, on the session's connection (no ORM objects), and none for a valid token
    this process read less than API_TOKEN_CACHE_SECONDS ago: the discretion check is asked at
    the moment of work, and that read was a quarter of its cost. Expiry is checked at every
    call. A revoked token or a disabled client is refused at once by the process that made the
    change, and by every other within those seconds (0 reads the token at every call)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    key = digest(secret)
    keep_for = current_app.config["API_TOKEN_CACHE_SECONDS"]
    kept = _checked.get(key)
    if kept is None or time.monotonic() - kept[2] >= keep_for:
        kept = _read(key)
        if kept is None:
            _checked.pop(key, None)
            return None
        if keep_for:
            if len(_checked) >= _CHECKED_MAX:
                _checked.clear()
            _checked[key] = kept
    caller, expires_at, _ = kept
    return caller if expires_at > clock.now() else None


def _read(key: str) -> tuple[Caller, datetime, float] | None:
    row = db.session.connection().execute(_token_statement(), {"digest": key}).first()
    if row is None or row.revoked_at is not None or row.disabled_at is not None:
        return None
    caller = Caller(
        row.client_id,
        row.name,
        row.id,
        frozenset(row.scopes.split()),
        row.prefix,
        row.bargaining_unit_id,
    )
    return caller, row.expires_at, time.monotonic()


def forget_checked() -> None:
    """Read every token afresh at its next call (after a revocation or a disabled client: now,
    and again once the change commits, so a call in between cannot keep the old answer)."""
    _checked.clear()
    transaction.after_commit(_checked.clear)


def disable_client(actor: User | None, client: ApiClient, reason: str) -> ApiClient:
    """Refuse every token of the client from now on; the client and its tokens stay listed."""
    require_role(actor, Role.ADMIN)
    client = locked_get(ApiClient, client.id, gettext("There is no such API client."))
    if client.disabled_at is not None:
        raise Conflict(gettext("This client is disabled already."))
    if not reason.strip():
        raise Invalid(gettext("Give a reason: it is kept in the audit log."), field="reason")
    client.disabled_at = clock.now()
    audit.record(actor, "api_client.disabled", client, reason=reason.strip())
    forget_checked()
    return client


def clients() -> list[ApiClient]:
    """Every registered client, by name, with its tokens loaded."""
    return db.session.scalars(
        sa.select(ApiClient).options(sa.orm.selectinload(ApiClient.tokens)).order_by(ApiClient.name)
    ).all()


def client_named(name: str) -> ApiClient | None:
    """The client of this name, whatever its case and spacing."""
    wanted = " ".join(name.split()).lower()
    return db.session.scalar(sa.select(ApiClient).where(sa.func.lower(ApiClient.name) == wanted))


def get_client(client_id: int) -> ApiClient:
    found = db.session.get(ApiClient, client_id)
    if found is None:
        raise NotFound(gettext("There is no such API client."))
    return found


def get_token(token_id: int) -> ApiToken:
    found = db.session.get(ApiToken, token_id)
    if found is None:
        raise NotFound(gettext("There is no such token."))
    return found
