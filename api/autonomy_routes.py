"""The autonomy levels people hold, read by other city systems (a permitting system that shows
an inspector's discretion, an HRIS that records it)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import problems
from api.auth import scoped
from api.discretion_routes import GrantSchema, ItemSchema, LevelSchema
from api.pagination import PageQuery, PageSchema, answer, page
from autonomy.discretion import review_reasons
from autonomy.models import (
    AutonomyGrant,
    AutonomyLevel,
    AutonomyTrack,
    DiscretionItem,
    GrantStatus,
    StoredHeldLevel,
)
from civicladder import clock
from civicladder.db import db
from people.models import Employee

blp = Blueprint(
    "api_autonomy",
    __name__,
    url_prefix="/api/v1",
    description="The autonomy levels people hold and the discretion each grants.",
)
problems.install(blp)


class HeldLevelSchema(Schema):
    employee = fields.String(required=True, metadata={"description": "The employee number."})
    level = fields.Nested(LevelSchema, required=True)
    grant = fields.Nested(GrantSchema, required=True)
    discretion = fields.List(fields.Nested(ItemSchema), required=True)


class HeldLevelPageSchema(PageSchema):
    items = fields.List(fields.Nested(HeldLevelSchema), required=True)


class HeldLevelQuery(PageQuery):
    employee = fields.String(
        load_default=None, validate=validate.Length(max=40), metadata={"description": "A number."}
    )
    track = fields.String(
        load_default=None, validate=validate.Length(max=30), metadata={"description": "A code."}
    )


def _held() -> sa.Select:
    return (
        sa.select(
            AutonomyGrant.id,
            AutonomyGrant.effective_on,
            AutonomyGrant.review_on,
            Employee.employee_number,
            AutonomyLevel.id.label("level_id"),
            AutonomyLevel.rank,
            AutonomyLevel.name,
            AutonomyLevel.version,
            AutonomyTrack.name.label("track_name"),
            StoredHeldLevel.missing,
            StoredHeldLevel.outcome_reached,
        )
        .join(Employee, Employee.id == AutonomyGrant.employee_id)
        .join(AutonomyLevel, AutonomyLevel.id == AutonomyGrant.level_id)
        .join(AutonomyTrack, AutonomyTrack.id == AutonomyLevel.track_id)
        .outerjoin(StoredHeldLevel, StoredHeldLevel.grant_id == AutonomyGrant.id)
        .where(AutonomyGrant.status == GrantStatus.ACTIVE)
    )


def _items_of(level_ids: list[int]) -> dict[int, list[dict]]:
    """Each level's discretion items, in order, for all these levels in one statement."""
    found: dict[int, list[dict]] = {level_id: [] for level_id in level_ids}
    if not level_ids:
        return found
    rows = db.session.execute(
        sa.select(
            DiscretionItem.level_id,
            DiscretionItem.key,
            DiscretionItem.words,
            DiscretionItem.limit_amount,
            DiscretionItem.unit,
        )
        .where(DiscretionItem.level_id.in_(sorted(set(level_ids))))
        .order_by(DiscretionItem.level_id, DiscretionItem.position)
    )
    for row in rows:
        found[row.level_id].append(
            {"key": row.key, "words": row.words, "limit": row.limit_amount, "unit": row.unit}
        )
    return found


@blp.route("/levels")
@scoped("levels:read")
@blp.arguments(HeldLevelQuery, location="query")
@blp.response(200, HeldLevelPageSchema)
def levels(query: dict):
    """List the levels people hold

    Every level held now (an active grant), in grant order, a page at a time, with the
    discretion it grants and whether it is flagged for review; for one person (`employee`) or
    one track (`track`, its code).
    """
    statement = _held()
    if query.get("employee"):
        statement = statement.where(Employee.employee_number == query["employee"].strip())
    if query.get("track"):
        statement = statement.where(AutonomyTrack.code == query["track"].strip())
    rows, following = page(statement, AutonomyGrant.id, query)
    items = _items_of([row.level_id for row in rows])
    today = clock.today()
    held = []
    for row in rows:
        reasons = review_reasons(row, today)
        held.append(
            {
                "employee": row.employee_number,
                "level": {
                    "id": row.level_id,
                    "track": row.track_name,
                    "rank": row.rank,
                    "name": row.name,
                    "version": row.version,
                },
                "grant": {
                    "id": row.id,
                    "effective_on": row.effective_on,
                    "review_on": row.review_on,
                    "under_review": bool(reasons),
                    "review_reasons": reasons,
                },
                "discretion": items[row.level_id],
            }
        )
    return answer(held, following)
