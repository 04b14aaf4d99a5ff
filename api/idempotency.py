"""Writes made once: every write route takes an `Idempotency-Key` header (a string the caller
makes unique per write, a UUID say). The first request with a key does the write and keeps its
answer with the key, in the same transaction; the same key sent again (a retry after a timeout)
gets that answer again, marked `Idempotent-Replayed: true`, and nothing is written twice. The
key with another request is refused. Two requests with one key at once: the second waits on the
first's row and is told to retry (409), and its retry gets the first's answer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask import Response, request
from sqlalchemy.exc import IntegrityError

from api.auth import caller
from api.models import IdempotentWrite
from civicladder import clock
from civicladder.db import db
from civicladder.errors import Conflict, Invalid

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)
FORGET_JOB = "api.forget-idempotency-keys"
# How a write route documents the header (`@blp.doc(parameters=[PARAMETER])`).
PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": "Unique to this write; a retry with the same key does nothing twice.",
}


def _fingerprint() -> str:
    body = request.get_data(cache=True)
    with suppress(ValueError):  # the same JSON however it is spaced or ordered
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(
        request.method.encode() + b" " + request.path.encode() + b"\n" + body
    ).hexdigest()


def once(view: Callable) -> Callable:
    """Do this write once per Idempotency-Key (the route's `scoped` check runs first)."""

    @wraps(view)
    def guarded(*args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key or len(key) > 200:
            raise Invalid(
                f"Send an {HEADER} header with each write: a string of your own, unique to this "
                "write (a UUID, say), at most 200 characters. A retry with the same key is "
                "answered again and does nothing twice.",
                field=HEADER,
            )
        client_id, fingerprint = caller().client_id, _fingerprint()
        earlier = db.session.scalar(
            sa.select(IdempotentWrite).where(
                IdempotentWrite.client_id == client_id, IdempotentWrite.key == key
            )
        )
        if earlier is not None:
            return _replay(earlier, fingerprint)
        claim = IdempotentWrite(client_id=client_id, key=key, fingerprint=fingerprint)
        try:
            with db.session.begin_nested():
                db.session.add(claim)
        except IntegrityError as error:
            raise Conflict(
                f"A request with this {HEADER} is being done now: retry in a moment to get "
                "its answer.",
                field=HEADER,
            ) from error
        response: Response = view(*args, **kwargs)
        claim.status_code = response.status_code
        claim.body = response.get_json(silent=True)
        return response

    return guarded


def _replay(earlier: IdempotentWrite, fingerprint: str) -> Response:
    if earlier.fingerprint != fingerprint:
        raise Invalid(
            f"This {HEADER} was used for another request: make a new key for each write.",
            field=HEADER,
        )
    if earlier.status_code is None:
        raise Conflict(f"The request with this {HEADER} is not finished: retry in a moment.")
    response = Response(
        json.dumps(earlier.body), status=earlier.status_code, mimetype="application/json"
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def forget(run=None) -> dict:
    """The job: keys older than a day are forgotten (a retry comes within minutes)."""
    gone = db.session.execute(
        sa.delete(IdempotentWrite).where(IdempotentWrite.created_at < clock.now() - KEEP)
    ).rowcount
    return {"forgotten": gone}
