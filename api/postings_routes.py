"""The city's open job postings, for anyone and without a token (job boards, a city's open-data
portal): exactly the rounds the public jobs page lists, read through the same query."""

from __future__ import annotations

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import problems
from api.auth import open_to_all
from api.pagination import MAX_ID, PageQuery, PageSchema, answer, id_field, page
from civicladder.db import db
from civicladder.errors import NotFound
from hiring import queries
from hiring.models import HiringRound, WorkSchedule
from hiring.posting import public_url

blp = Blueprint(
    "api_postings",
    __name__,
    url_prefix="/api/v1",
    description="Open job postings: the rounds taking applications now. No token needed.",
)
problems.install(blp)


class PostedJobProfileSchema(Schema):
    code = fields.String(required=True)
    title = fields.String(required=True)


class PostingSchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "The hiring round's id."})
    title = fields.String(required=True)
    job_profile = fields.Nested(PostedJobProfileSchema, required=True)
    department_id = fields.Integer(allow_none=True, required=True)
    department = fields.String(
        allow_none=True, required=True, metadata={"description": "The hiring agency's name."}
    )
    work_location = fields.String(required=True, metadata={"description": "Empty if not stated."})
    schedule = fields.String(
        required=True, validate=validate.OneOf([s.value for s in WorkSchedule])
    )
    weekly_hours = fields.Integer(allow_none=True, required=True)
    pay_min_cents = fields.Integer(
        allow_none=True, required=True, metadata={"description": "Yearly pay, in US cents."}
    )
    pay_max_cents = fields.Integer(allow_none=True, required=True)
    openings = fields.Integer(required=True)
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True)
    closes_at = fields.DateTime(
        required=True,
        metadata={"description": "The moment applications close (the closing day's time)."},
    )
    url = fields.String(
        required=True, metadata={"description": "The posting's public page, where people apply."}
    )


class PostingPageSchema(PageSchema):
    items = fields.List(fields.Nested(PostingSchema), required=True)


class PostingQuery(PageQuery):
    department = id_field("The hiring agency's id (a department's).")
    closes_by = fields.Date(
        load_default=None, metadata={"description": "Postings closing on this day or earlier."}
    )


def _posted(search: queries.JobSearch):
    """The jobs page's own statement (its rounds, its filters), in id order for the cursor; each
    row carries the round, whose job profile and agency the statement loads."""
    return (
        queries.job_search_statement(search).order_by(None).add_columns(HiringRound.id.label("id"))
    )


def _posting_out(hiring_round: HiringRound) -> dict:
    agency = hiring_round.agency
    return {
        "id": hiring_round.id,
        "title": hiring_round.title,
        "job_profile": {
            "code": hiring_round.job_profile.code,
            "title": hiring_round.job_profile.title,
        },
        "department_id": hiring_round.agency_id,
        "department": agency.name if agency is not None else None,
        "work_location": hiring_round.work_location,
        "schedule": hiring_round.schedule.value,
        "weekly_hours": hiring_round.weekly_hours,
        "pay_min_cents": hiring_round.pay_min_cents,
        "pay_max_cents": hiring_round.pay_max_cents,
        "openings": hiring_round.openings,
        "opens_on": hiring_round.opens_on,
        "closes_on": hiring_round.closes_on,
        "closes_at": queries.closing_moment(hiring_round),
        "url": public_url(url_for("hiring.job", round_id=hiring_round.id)),
    }


@blp.route("/postings")
@open_to_all
@blp.arguments(PostingQuery, location="query")
@blp.response(200, PostingPageSchema)
def postings(query: dict):
    """List open job postings

    The hiring rounds taking applications now, the same ones the public jobs page lists, in
    id order, a page at a time; for one hiring agency (`department`) or those closing by a
    day (`closes_by`). No token needed.
    """
    search = queries.JobSearch(agency_id=query.get("department"), closes_by=query.get("closes_by"))
    rows, following = page(_posted(search), HiringRound.id, query)
    items = [_posting_out(row.HiringRound) for row in rows]
    return answer(items, following)


@blp.route("/postings/<int:round_id>")
@open_to_all
@blp.response(200, PostingSchema)
@blp.alt_response(404, response="NOT_FOUND")
def posting(round_id: int):
    """Read one open job posting

    By the hiring round's id, while it takes applications; afterwards (or for a round never
    posted) a 404.
    """
    found = None
    if round_id <= MAX_ID:
        found = db.session.execute(
            _posted(queries.JobSearch()).where(HiringRound.id == round_id)
        ).first()
    if found is None:
        raise NotFound("There is no open job posting with this id.")
    return _posting_out(found.HiringRound)
