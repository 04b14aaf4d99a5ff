"""The status of a batch written by a job (`api.batches`: employees, outcome records, a CASE
package), for the client that sent it."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Blueprint

from api import batches, framework_routes, outcome_routes, problems, roster_routes
from api.auth import caller, scoped
from api.pagination import MAX_ID
from civicladder.errors import Forbidden, NotFound
from civicladder.layout import register_action_words

KINDS = [roster_routes.EMPLOYEES, outcome_routes.OUTCOMES, framework_routes.CASE]
# The routes that take a batch, up to IMPORT_MAX_BYTES (a batch of 100,000 employees is
# about 25 MB of JSON; other requests keep the app's lower limit).
ENDPOINTS = [
    "api_roster.upsert_employees",
    "api_outcomes.record_outcomes",
    "api_framework.import_framework_case",
]

blp = Blueprint(
    "api_batches",
    __name__,
    url_prefix="/api/v1",
    description="Where a large batch sent in bulk stands: queued, running, done or failed.",
)
problems.install(blp)


@blp.route("/batches/<int:batch_id>")
@scoped(*sorted({kind.scope for kind in KINDS}))
@blp.response(200, batches.BatchSchema)
@blp.alt_response(404, response="NOT_FOUND")
def batch(batch_id: int):
    """Follow a batch

    A batch too large to write at once (the answer was 202: employees, outcome records, or a
    CASE package to import) is written by a job: `queued`, `running` (with `progress`), then
    `done` (with the `summary`, as a small batch is answered, and for a CASE package the
    items it left out in `left_out`) or `failed` (with its `problems`, nothing written).
    Only the client that sent the batch reads it, with a token carrying the scope it was
    sent with; to any other client it does not exist (404).
    """
    found = batches.find(batch_id) if batch_id <= MAX_ID else None
    if found is None:
        raise NotFound("There is no such batch of yours.")
    run, kind = found
    if kind.scope not in caller().scopes:
        raise Forbidden(f"This token does not carry the scope {kind.scope}.")
    return batches.describe(run)


def register(app: Flask) -> None:
    batches.register(app, KINDS, ENDPOINTS)
    register_action_words(app, {"api_batch.requested": "Sent a batch through the API"})
