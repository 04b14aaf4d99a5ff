"""Bearer tokens on the API's routes: each route names the scope it needs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app, g, request
from flask_smorest import Blueprint

from api import tokens
from api.problems import Unauthenticated
from civicladder import audit
from civicladder.access import ACCESS_ATTR, PUBLIC
from civicladder.db import read_without_transaction, write_transaction
from civicladder.errors import Forbidden

# How a route's access rule reads in the access checks: the scope it needs.
SCOPE_RULE = "scope:"
SECURITY_SCHEME = "bearerToken"
# Never registered: it lends its documenting decorators to `scoped`, which serves every
# blueprint of the API.
_DOC = Blueprint("api-auth-doc", __name__)


def rate_key() -> str:
    """Whom a rate limit counts: the presented token (by its digest), else the address."""
    kind, _, secret = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() == "bearer" and secret.strip():
        return "api-token:" + tokens.digest(secret.strip())
    return "api-address:" + (request.remote_addr or "")


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def caller() -> tokens.Caller:
    """The client calling this request (set by `scoped`)."""
    return g.api_caller


def _presented() -> str:
    header = request.headers.get("Authorization", "")
    kind, _, secret = header.partition(" ")
    if kind.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("Send a token of your API client: Authorization: Bearer <token>.")
    return secret.strip()


def scoped(*scopes: str, writes: bool | Callable[[], bool] = False) -> Callable:
    """Let a request through only with a valid token that carries the scope (or one of the
    `scopes`, for a route serving several: a batch's status). `writes` (or a function saying
    whether it does, asked at each request): a GET that writes (the discretion check keeps its
    answers in the database when there is no Redis) begins as a writer, so on SQLite it waits
    its turn instead of failing to upgrade a reader's transaction. A GET that only reads runs
    its statements without a transaction on PostgreSQL (`read_without_transaction`)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if writes() if callable(writes) else writes:
                with write_transaction():
                    return _call(view, args, kwargs)
            if request.method == "GET":
                read_without_transaction()
            return _call(view, args, kwargs)

        def _call(view, args, kwargs):
            found = tokens.authenticate(_presented())
            if found is None:
                raise Unauthenticated(
                    "The token is not valid: unknown, expired or revoked, or its client is "
                    "disabled."
                )
            if found.scopes.isdisjoint(scopes):
                raise Forbidden(f"This token does not carry the scope {' or '.join(scopes)}.")
            g.api_caller = found
            # Whatever the call changes is recorded in the audit log as the client's doing.
            with audit.acting_as(found.label):
                return view(*args, **kwargs)

        # The OpenAPI document says which scope the route needs (any one of several: one
        # requirement each), and how a caller is refused.
        security = [{SECURITY_SCHEME: [scope]} for scope in scopes]
        documented = _DOC.doc(security=security)(guarded)
        documented = _DOC.alt_response(401, response="UNAUTHORIZED")(documented)
        documented = _DOC.alt_response(403, response="FORBIDDEN")(documented)
        setattr(documented, ACCESS_ATTR, tuple(SCOPE_RULE + scope for scope in scopes))
        # One scope: the scope checks try every other on it (tests/api/test_scopes.py).
        documented.api_scope = scopes[0] if len(scopes) == 1 else None
        documented.api_scopes = scopes
        return documented

    return decorate


def open_to_all(view: Callable) -> Callable:
    """A route anyone may call without a token (public job postings, the API's description)."""
    documented = _DOC.doc(security=[])(view)
    setattr(documented, ACCESS_ATTR, (PUBLIC,))
    documented.api_scope = None
    return documented
