"""Writes in bulk: a batch of rows sent through the API, checked and written whole or not at
all by the rules and the write of the matching CSV import (the roster's, the outcome
records'), through the same service call.

A batch of up to API_BATCH_SYNC_ROWS rows (1,000 by default) is checked and written within
the request, answered 200 with its summary. A larger one, up to MAX_ROWS, is kept in the file
store with a job that writes it (`civicladder.jobs`: on RQ when Redis is configured, at once
otherwise), in the request's transaction, and answered 202 with the address of its status,
`GET /api/v1/batches/<id>`. The batch is that job's `JobRun`: its parameters name the client
that sent it (only that client reads its status) and the client's label, under which the job
records what it writes in the audit log, as the request would have; its result is the
summary, or the problems that refused it. Whichever way, any bad row and nothing is written,
and the answer names each bad row (its index in the list) and field.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask import Flask, Response, current_app, jsonify, request, url_for
from marshmallow import Schema, fields, validate

from api import idempotency
from api.auth import caller
from api.problems import FieldErrorSchema
from civicladder import audit, clock, files, jobs
from civicladder.db import db
from civicladder.errors import DomainError, Invalid
from civicladder.languages import N_
from civicladder.models import JobRun, JobState

MAX_ROWS = 100_000
# A refused batch lists this many of its problems, and says how many there are in all.
PROBLEMS_SHOWN = 100
JOB_PREFIX = "api.batch."
KINDS_KEY = "api.batch_kinds"
SWEEP_JOB = "api.batches.sweep"
SWEEP_LOOKS_BACK = timedelta(days=30)
STATUSES = ("queued", "running", "done", "failed")
FAILED = (
    "The batch could not be written, and nothing of it was: send it again, or ask the city's "
    "administrators about background job {id}."
)
Progress = Callable[[int], None]


# What a write may return beside its counts: the things it left out, each with its
# identifier, label and reason (a CASE package's items the framework cannot hold).
LISTED = "listed"


@dataclass(frozen=True)
class BatchKind:
    """What a batch holds: its rows under `name` in the body, sent with `scope`, written by
    `write(rows, on_progress)`, which returns the summary or raises Refused. A kind whose
    body is one document rather than a list of rows (a CASE package) reads the kept body
    with `read` instead, and its write takes what that returns."""

    name: str  # "employees"
    scope: str  # "roster:write"
    title: str  # "Employees"
    write: Callable[[list, Progress | None], dict]
    read: Callable[[bytes], object] | None = None

    @property
    def job(self) -> str:
        return JOB_PREFIX + self.name

    def items(self, body: bytes) -> object:
        return self.read(body) if self.read is not None else json.loads(body)[self.name]


class Refused(Invalid):
    """The rules refused a batch's rows: nothing was written. `errors` lists the problems
    (at most PROBLEMS_SHOWN), each naming its item and field ("employees.3.email")."""

    def __init__(self, message: str, errors: list[dict]):
        super().__init__(message, field=errors[0]["field"] if errors else None)
        self.errors = errors


class TooLarge(DomainError):
    status = 413
    title = "Too large"


def refused(
    name: str, rows: int, bad_rows: int, problems: list[tuple[int, str, str]], count: int
) -> Refused:
    """A batch of `rows` refused for `count` problems on `bad_rows` of them, the first
    problems given as (line, field, detail): line i + 1 is item i of the list `name`."""
    listed = problems[:PROBLEMS_SHOWN]
    more = (
        f"; the first {len(listed)} of {count:,} problems are listed" if count > len(listed) else ""
    )
    bad = f"{bad_rows:,} of the {rows:,} rows {'has' if bad_rows == 1 else 'have'} problems"
    return Refused(
        f"{bad}, so nothing was written{more}. Fix them and send the batch again.",
        [
            {"field": ".".join([name, str(line - 1), *([field] if field else [])]), "detail": d}
            for line, field, d in listed
        ],
    )


# --- the request -------------------------------------------------------------------------------


def rows_sent(kind: BatchKind) -> list:
    """The list of rows the request's JSON body holds under the kind's name (the rows themselves
    are checked by the write)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get(kind.name), list):
        raise Invalid(
            f"Send a JSON object whose {kind.name} is a list of rows (objects).", field=kind.name
        )
    unknown = sorted(set(body) - {kind.name})
    if unknown:
        raise Invalid(f"Send only {kind.name}; {unknown[0]} is not known.", field=unknown[0])
    rows = body[kind.name]
    if not rows:
        raise Invalid(f"The list {kind.name} is empty: send at least one row.", field=kind.name)
    if len(rows) > MAX_ROWS:
        raise TooLarge(
            f"A batch holds at most {MAX_ROWS:,} rows; this one has {len(rows):,}. "
            "Send it as several batches.",
            field=kind.name,
        )
    return rows


def accept(kind: BatchKind) -> dict | Response:
    """Write a small batch now (its summary), or keep a larger one for its job (a 202 answer
    pointing at its status)."""
    rows = rows_sent(kind)
    if len(rows) <= current_app.config["API_BATCH_SYNC_ROWS"]:
        return kind.write(rows, None)
    return accepted(request_batch(kind, request.get_data(), len(rows)))


def accepted(run: JobRun) -> Response:
    """The 202 answer to a batch kept for its job: its status, and where to follow it."""
    status = BatchSchema().dump(describe(run))
    response = jsonify(status)
    response.status_code = 202
    response.headers["Location"] = status["url"]
    return response


def request_batch(kind: BatchKind, body: bytes, rows: int) -> JobRun:
    """Keep a batch's body in the file store and ask for the job that writes it, for the
    calling client; audited as its doing."""
    who = caller()
    stored = files.store(body, name=f"{kind.name}.json", media_type="application/json")
    run = jobs.enqueue(
        kind.job,
        title=f"{kind.title} from {who.client_name}: {rows:,} rows",
        file_id=stored.id,
        client_id=who.client_id,
        acting_as=who.label,
        rows=rows,
    )
    audit.record(
        None,
        "api_batch.requested",
        run,
        after={"kind": kind.name, "rows": rows, "sha256": stored.sha256, "bytes": stored.size},
        label=run.title,
    )
    return run


def located(view: Callable) -> Callable:
    """A 202 answered again for a retry (`api.idempotency`, which keeps bodies, not headers)
    carries its Location as the first did."""

    @wraps(view)
    def answer(*args, **kwargs):
        response = view(*args, **kwargs)
        if response.status_code == 202 and "Location" not in response.headers:
            url = (response.get_json(silent=True) or {}).get("url")
            if url:
                response.headers["Location"] = url
        return response

    return answer


def write_route(blp, body: type[Schema], summary: type[Schema]) -> Callable:
    """What every batch write's route shares below `scoped`: the retried 202's Location, the
    Idempotency-Key, and the document's request body and answers (200 with the summary, 202
    with the batch, the refusals)."""

    def decorate(view: Callable) -> Callable:
        for status, response in (
            (422, "UNPROCESSABLE_ENTITY"),
            (413, "REQUEST_ENTITY_TOO_LARGE"),
            (409, "CONFLICT"),
        ):
            view = blp.alt_response(status, response=response)(view)
        view = blp.alt_response(
            202,
            schema=BatchSchema,
            description="A large batch, accepted: follow it at Location.",
            headers={
                "Location": {"description": "The batch's status", "schema": {"type": "string"}}
            },
        )(view)
        view = blp.response(200, summary)(view)
        view = blp.doc(
            requestBody={"required": True, "content": {"application/json": {"schema": body}}},
            parameters=[idempotency.PARAMETER],
        )(view)
        return located(idempotency.once(view))

    return decorate


# --- the job -----------------------------------------------------------------------------------


def _kinds() -> dict[str, BatchKind]:
    """The registered kinds, by their job's name."""
    return current_app.extensions[KINDS_KEY]


def perform(run: JobRun, *, file_id: int, client_id: int, acting_as: str, rows: int) -> dict:
    """Write a kept batch as the client that sent it; its result is the summary, or the
    problems that refused it (nothing written). The body goes once the batch is done."""
    kind = _kinds()[run.kind]
    with audit.acting_as(acting_as):
        stored = files.find(file_id)
        if stored is None:
            gone = "The batch's rows are no longer kept, so nothing was written: send it again."
            return {"ok": False, "detail": gone, "problems": [{"field": kind.name, "detail": gone}]}
        items = kind.items(files.read(stored))
        jobs.progress(run, 0, rows)
        done = 0

        def progress(more: int) -> None:
            nonlocal done
            done = min(done + more, rows)
            jobs.progress(run, done, rows)

        try:
            # Whatever a refused batch's check left behind goes with this savepoint.
            with db.session.begin_nested():
                summary = kind.write(items, progress)
        except Refused as refusal:
            result = {"ok": False, "detail": refusal.message, "problems": refusal.errors}
        else:
            listed = summary.pop(LISTED, [])
            result = {"ok": True, "summary": summary, LISTED: listed}
            jobs.progress(run, rows, rows)  # every row dealt with, changed or not
        files.delete([stored.id])
    return result


def sweep(run: JobRun | None = None) -> dict:
    """Remove the bodies kept for batches whose job failed for good (a batch done removes its
    own). Runs hourly, so it looks back a month only."""
    failed = db.session.scalars(
        sa.select(JobRun).where(
            JobRun.kind.startswith(JOB_PREFIX),
            JobRun.state == JobState.FAILED,
            JobRun.created_at >= clock.now() - SWEEP_LOOKS_BACK,
        )
    ).all()
    return {"removed": files.delete(r.params["file_id"] for r in failed if "file_id" in r.params)}


def register(app: Flask, kinds: list[BatchKind], endpoints: list[str]) -> None:
    """The kinds' jobs, the hourly sweep, and room for a batch's body at the `endpoints`."""
    from civicladder import import_jobs, schedule

    app.extensions[KINDS_KEY] = {kind.job: kind for kind in kinds}
    for kind in kinds:
        jobs.register(app, kind.job, perform, title=f"{kind.title} sent through the API")
    for endpoint in endpoints:
        import_jobs.accept_large_bodies(app, endpoint)
    jobs.register(app, SWEEP_JOB, sweep, title=N_("Remove the rows of failed API batches"))
    schedule.register(app, SWEEP_JOB, every=timedelta(hours=1))


# --- the status --------------------------------------------------------------------------------


class BatchProgressSchema(Schema):
    done = fields.Integer(
        required=True, metadata={"description": "Rows written so far (all of them once done)."}
    )
    total = fields.Integer(required=True, metadata={"description": "Rows in the batch."})


class ListedSchema(Schema):
    identifier = fields.String(required=True, metadata={"description": "Its CASE identifier."})
    label = fields.String(required=True, metadata={"description": "Its code and statement."})
    reason = fields.String(required=True, metadata={"description": "Why it was left out."})


class BatchSchema(Schema):
    """A batch written by a job, where it stands."""

    id = fields.Integer(required=True)
    url = fields.String(required=True, metadata={"description": "This status's address."})
    kind = fields.String(
        required=True, validate=validate.OneOf(["employees", "outcomes", "framework"])
    )
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    rows = fields.Integer(
        required=True,
        metadata={
            "description": "Rows in the batch; of a CASE package, its items and associations."
        },
    )
    received_at = fields.DateTime(required=True)
    ended_at = fields.DateTime(required=True, allow_none=True)
    progress = fields.Nested(
        BatchProgressSchema,
        required=True,
        allow_none=True,
        metadata={"description": "How far a running batch has got; null before it starts."},
    )
    summary = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        allow_none=True,
        metadata={"description": "Once done: the counts, as a small batch is answered."},
    )
    detail = fields.String(
        required=True, allow_none=True, metadata={"description": "Why it failed, in words."}
    )
    problems = fields.List(
        fields.Nested(FieldErrorSchema),
        required=True,
        metadata={"description": f"Once failed: the first {PROBLEMS_SHOWN} problems."},
    )
    left_out = fields.List(
        fields.Nested(ListedSchema),
        required=True,
        metadata={
            "description": "Once a CASE package is imported: the first 200 of its items and "
            "associations the framework cannot hold (the summary's left_out counts them all); "
            "empty for other batches."
        },
    )


def find(batch_id: int) -> tuple[JobRun, BatchKind] | None:
    """The calling client's batch with this id, and its kind; None for any other."""
    run = db.session.get(JobRun, batch_id)
    kind = _kinds().get(run.kind) if run is not None else None
    if kind is None or run.params.get("client_id") != caller().client_id:
        return None
    return run, kind


def describe(run: JobRun) -> dict:
    """A batch's status as the API answers it. A job that failed on an error of its own (not
    the rules refusing rows) is told in general words: its message, which may quote the
    database, is for the administrators' jobs page."""
    kind = _kinds()[run.kind]
    result = run.result or {}
    detail, problems = None, []
    if run.state is JobState.FINISHED:
        status = "done" if result.get("ok") else "failed"
        detail, problems = result.get("detail"), result.get("problems", [])
    elif run.state is JobState.FAILED:
        status = "failed"
        detail = FAILED.format(id=run.id)
        problems = [{"field": kind.name, "detail": detail}]
    else:
        status = run.state.value
        if run.message:  # waiting for another try
            detail = "The last try did not finish; the batch waits for the next one."
    rows = run.params.get("rows", 0)
    return {
        "id": run.id,
        "url": url_for("api_batches.batch", batch_id=run.id),
        "kind": kind.name,
        "status": status,
        "rows": rows,
        "received_at": run.created_at,
        "ended_at": run.ended_at,
        "progress": {"done": run.done, "total": run.total or rows}
        if run.done is not None
        else None,
        "summary": result.get("summary"),
        "detail": detail,
        "problems": problems,
        "left_out": result.get(LISTED, []) if status == "done" else [],
    }
