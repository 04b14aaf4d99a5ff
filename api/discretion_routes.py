"""The discretion check: may this person act alone under this item (for this amount) now?"""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import problems
from api.auth import caller, scoped
from autonomy import discretion

blp = Blueprint(
    "api_discretion",
    __name__,
    url_prefix="/api/v1/discretion",
    description="Whether a person may act alone under a discretion item of their level.",
)
problems.install(blp)

MAX_BATCH = 100


class CheckSchema(Schema):
    employee = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "The person's employee number."},
    )
    item = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "The discretion item's key, such as waive-fee."},
    )
    amount = fields.Decimal(
        load_default=None,
        allow_none=True,
        places=2,
        # Not a Range validator: apispec would write its bound as the string "0.00". A
        # negative amount is refused by the check itself (422, field amount).
        metadata={
            "description": "The amount the person means to act on, in the item's unit.",
            "minimum": 0,
        },
    )


class ItemSchema(Schema):
    key = fields.String(required=True)
    words = fields.String(required=True)
    limit = fields.Float(allow_none=True, metadata={"description": "Up to how much; null: none."})
    unit = fields.String(required=True)


class LevelSchema(Schema):
    id = fields.Integer(required=True)
    track = fields.String(required=True)
    rank = fields.Integer(required=True)
    name = fields.String(required=True)
    version = fields.Integer(required=True)


class GrantSchema(Schema):
    id = fields.Integer(required=True)
    effective_on = fields.Date(required=True)
    review_on = fields.Date(required=True)
    under_review = fields.Boolean(required=True)
    review_reasons = fields.List(fields.String(), required=True)


class AnswerSchema(Schema):
    reference = fields.String(
        required=True, metadata={"description": "Log this with the action: it names the answer."}
    )
    checked_at = fields.DateTime(required=True)
    employee = fields.String(required=True, attribute="employee_number")
    item_key = fields.String(required=True)
    amount = fields.Float(allow_none=True)
    allowed = fields.Boolean(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(list(discretion.OUTCOMES)))
    reason = fields.String(required=True)
    item = fields.Nested(ItemSchema, allow_none=True)
    level = fields.Nested(LevelSchema, allow_none=True)
    grant = fields.Nested(GrantSchema, allow_none=True)


class ChecksSchema(Schema):
    checks = fields.List(
        fields.Nested(CheckSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_BATCH),
    )


class AnswersSchema(Schema):
    answers = fields.List(fields.Nested(AnswerSchema), required=True)


def _answers(queries: list[dict]) -> list[discretion.Answer]:
    who = caller()
    answers = discretion.check_all(
        [discretion.Ask(q["employee"], q["item"], q.get("amount")) for q in queries],
        caller=who.client_name,
        caller_id=who.client_id,
    )
    discretion.keep(answers)
    return answers


@blp.route("/check")
@scoped("discretion:check", writes=discretion.keeps_in_request)
@blp.arguments(CheckSchema, location="query")
@blp.response(200, AnswerSchema)
@blp.alt_response(404, response="NOT_FOUND")
def check(query: dict):
    """Check one person and item

    Allowed or not, and why: the level and grant behind the answer, the item's limit, and the
    review state (a level flagged for review still allows, with the flag). An employee number
    nobody has answers 404; an item no level defines answers 422.
    """
    return _answers([query])[0]


@blp.route("/checks", methods=["POST"])
@scoped("discretion:check", writes=discretion.keeps_in_request)
@blp.arguments(ChecksSchema)
@blp.response(200, AnswersSchema)
@blp.alt_response(404, response="NOT_FOUND")
def check_many(body: dict):
    """Check several people and items at once

    Up to 100 checks, answered in order, each as the single check answers it. One unknown
    employee or item refuses the whole batch, naming it.
    """
    return {"answers": _answers(body["checks"])}
