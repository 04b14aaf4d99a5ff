"""The changes feed, read by the systems that follow CivicLadder (an HRIS, a 311 queue)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates

from api import events, problems
from api.auth import caller, scoped
from api.models import Change
from api.pagination import MAX_LIMIT, decode, encode
from civicladder.db import db
from civicladder.errors import DomainError, Forbidden, Invalid
from people.models import Employee

blp = Blueprint(
    "api_events",
    __name__,
    url_prefix="/api/v1",
    description="What changed, in order, for systems that follow CivicLadder.",
)
problems.install(blp)

LATEST = "latest"


class Gone(DomainError):
    status = 410
    title = "No longer held"


class EventsQuery(Schema):
    after = fields.String(
        load_default=None,
        validate=validate.Length(max=100),
        metadata={
            "description": (
                "The `next` of the previous answer; none to read from the oldest change kept, "
                "`latest` to follow from now on."
            )
        },
    )
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Changes per answer, 1 to {MAX_LIMIT}."},
    )
    kinds = fields.String(
        load_default=None,
        validate=validate.Length(max=400),
        metadata={
            "description": "Comma-separated kinds to read (every kind the token may read "
            "by default): " + ", ".join(events.KINDS)
        },
    )

    @validates("kinds")
    def _known(self, value: str | None, **kwargs) -> None:
        unknown = [kind for kind in _split(value) if kind not in events.KINDS]
        if unknown:
            raise ValidationError(f"Unknown kind {unknown[0]}; the kinds are listed in the docs.")


class ChangeSchema(Schema):
    cursor = fields.String(
        required=True, metadata={"description": "Its place in the feed, to pass as `after`."}
    )
    kind = fields.String(required=True, validate=validate.OneOf(list(events.KINDS)))
    occurred_at = fields.DateTime(required=True)
    employee_number = fields.String(required=True)
    subject_id = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "The evidence, grant or certificate the change is about."},
    )
    details = fields.Dict(
        keys=fields.String(),
        allow_none=True,
        required=True,
        metadata={"description": "What a follower needs of the change, by kind."},
    )


class ChangesSchema(Schema):
    items = fields.List(fields.Nested(ChangeSchema), required=True)
    next = fields.String(
        required=True,
        metadata={"description": "Pass as `after` to read on; the same when nothing is new."},
    )
    more = fields.Boolean(
        required=True, metadata={"description": "Whether more changes wait already."}
    )


def _split(value: str | None) -> list[str]:
    return [kind.strip() for kind in (value or "").split(",") if kind.strip()]


def _kinds(asked: str | None) -> list[str]:
    scopes = caller().scopes
    wanted = _split(asked) or [kind for kind, scope in events.KINDS.items() if scope in scopes]
    for kind in wanted:
        if events.KINDS[kind] not in scopes:
            raise Forbidden(
                f"This token does not carry the scope {events.KINDS[kind]}, "
                f"which the kind {kind} needs."
            )
    return wanted


@blp.route("/events")
@scoped("events:read", writes=True)
@blp.arguments(EventsQuery, location="query")
@blp.response(200, ChangesSchema)
@blp.alt_response(410, response="GONE")
def changes(query: dict):
    """Follow the changes

    Hires, separations, evidence recorded and withdrawn, autonomy levels granted and lowered,
    and revoked certificates, in the order they were saved, after the cursor `after`. Only the
    kinds the token may read (each needs its own read scope besides events:read).
    """
    kinds = _kinds(query.get("kinds"))
    events.seal()
    top = events.newest()
    if query.get("after") == LATEST:
        after = top
    else:
        after = decode(query.get("after"))
        if after > top:
            raise Invalid(
                "This cursor is not one the API gave: start again without `after`.",
                field="after",
            )
        first = events.oldest()
        if after and first is not None and after + 1 < first:
            days = current_app.config["API_CHANGES_KEEP_DAYS"]
            raise Gone(
                f"The feed no longer holds the changes after this cursor (changes are kept "
                f"{days} days). Read the records again, then follow from `after=latest`.",
                field="after",
            )
    limit = query["limit"]
    rows = (
        db.session.execute(
            sa.select(
                Change.position,
                Change.kind,
                Change.occurred_at,
                Employee.employee_number,
                Change.subject_id,
                Change.details,
            )
            .join(Employee, Employee.id == Change.employee_id)
            .where(Change.position > after, Change.position <= top, Change.kind.in_(kinds))
            .order_by(Change.position)
            .limit(limit + 1)
        ).all()
        if kinds
        else []
    )
    more = len(rows) > limit
    rows = rows[:limit]
    items = [row._asdict() | {"cursor": encode(row.position)} for row in rows]
    # Read to the end: the next read starts after every change sealed so far, also those of
    # kinds this token does not read.
    following = rows[-1].position if more else top
    return {"items": items, "next": encode(max(following, after)), "more": more}
