"""Outcome records sent in bulk by the operational systems (311, permits, inspections): the
outcome import's columns, rules and write, sent as JSON (`api.batches`)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import batches, problems
from api.auth import scoped
from autonomy import outcomes

blp = Blueprint(
    "api_outcomes",
    __name__,
    url_prefix="/api/v1",
    description="Outcome records sent in bulk, by the outcome import's rules.",
)
problems.install(blp)


class OutcomeRowSchema(Schema):
    """One value: a person's figure on a metric for the period starting on a day."""

    employee_number = fields.String(required=True)
    metric_code = fields.String(
        required=True, metadata={"description": "An outcome metric's code."}
    )
    period_start = fields.String(
        required=True,
        metadata={"description": "YYYY-MM-DD: the first day of the period the value covers."},
    )
    value = fields.Float(
        required=True,
        metadata={"description": "A finite number; it replaces a value already on record."},
    )


class OutcomeBatchSchema(Schema):
    outcomes = fields.List(
        fields.Nested(OutcomeRowSchema),
        required=True,
        validate=validate.Length(min=1, max=batches.MAX_ROWS),
    )


class OutcomeSummarySchema(Schema):
    rows = fields.Integer(required=True)
    created = fields.Integer(required=True, metadata={"description": "New records."})
    changed = fields.Integer(required=True, metadata={"description": "Values replaced."})
    unchanged = fields.Integer(required=True)


def write(items: list, on_progress: batches.Progress | None) -> dict:
    """The rows written by the outcome import's service, or Refused naming each problem."""
    try:
        plan = outcomes.record_outcomes(None, items, on_progress=on_progress)
    except outcomes.OutcomesRejected as rejected:
        found = rejected.plan
        raise batches.refused(
            "outcomes",
            found.rows,
            found.error_count,  # one problem a row at most
            [(line, found.error_fields.get(line, ""), message) for line, message in found.errors],
            found.error_count,
        ) from None
    return {
        "rows": plan.rows,
        "created": len(plan.new),
        "changed": len(plan.changed),
        "unchanged": plan.unchanged,
    }


OUTCOMES = batches.BatchKind("outcomes", "outcomes:write", "Outcome records", write)


@blp.route("/outcomes", methods=["POST"])
@scoped("outcomes:write")
@batches.write_route(blp, OutcomeBatchSchema, OutcomeSummarySchema)
def record_outcomes():
    """Record outcome values in bulk

    The outcome file's columns, one object per value, by the outcome import's rules: a value
    for a person, metric and period already on record replaces it. All or nothing: any bad
    row and nothing is written, the answer (422) naming each bad row by its index and field
    (`outcomes.3.value`). Up to API_BATCH_SYNC_ROWS rows (1,000 by default) are written at
    once and answered with the counts; a larger batch, up to 100,000 rows, is written by a
    job: the answer is 202 with the batch's status address in Location.
    """
    return batches.accept(OUTCOMES)
