"""Published progress reports, read by other systems (a union's own, the city's data portal):
the snapshots as published, figures only, small groups already protected as on the pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import problems
from api.auth import caller, scoped
from api.pagination import MAX_ID, PageQuery, PageSchema, answer, id_field, page
from civicladder.db import db
from civicladder.errors import NotFound
from people.models import BargainingUnit, Department
from reports.models import ReportSnapshot

blp = Blueprint(
    "api_reports",
    __name__,
    url_prefix="/api/v1",
    description="Published progress reports: aggregates only.",
)
problems.install(blp)


class ReportQuery(PageQuery):
    bargaining_unit = fields.String(
        load_default=None,
        validate=validate.Length(max=40),
        metadata={"description": "A bargaining unit's code: its reports."},
    )
    department = id_field("A department's id: its own reports.")
    period = fields.String(
        load_default=None,
        validate=validate.Length(max=10),
        metadata={"description": "A period's code, such as 2026-Q3 or 2026."},
    )


class ReportSummarySchema(Schema):
    id = fields.Integer(required=True)
    scope_kind = fields.String(
        required=True, metadata={"description": "bargaining_unit or department"}
    )
    scope_code = fields.String(
        required=True, metadata={"description": "The unit's code, or the department's path."}
    )
    scope_name = fields.String(required=True)
    period = fields.String(required=True)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    published_at = fields.DateTime(required=True)
    content_hash = fields.String(
        required=True,
        metadata={"description": "SHA-256 of the content's canonical JSON, as the PDF cites it."},
    )


class ReportPageSchema(PageSchema):
    items = fields.List(fields.Nested(ReportSummarySchema), required=True)


class ReportSchema(ReportSummarySchema):
    content = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": (
                "The figures as published: `scope`, `period`, `minimum` (the smallest group "
                "counted exactly) and `sections`, each with `tables` of `columns` and `rows`; "
                "each cell has `shown` (as printed) and `value` (null where a small group is "
                "protected)."
            )
        },
    )


def _snapshots() -> sa.Select:
    return (
        sa.select(
            ReportSnapshot.id,
            ReportSnapshot.bargaining_unit_id,
            ReportSnapshot.period,
            ReportSnapshot.period_start,
            ReportSnapshot.period_end,
            ReportSnapshot.published_at,
            ReportSnapshot.content_hash,
            BargainingUnit.code.label("unit_code"),
            BargainingUnit.name.label("unit_name"),
            Department.path.label("department_path"),
            Department.name.label("department_name"),
        )
        .outerjoin(BargainingUnit, BargainingUnit.id == ReportSnapshot.bargaining_unit_id)
        .outerjoin(Department, Department.id == ReportSnapshot.department_id)
    )


def _readable(statement: sa.Select) -> sa.Select:
    """A token for one bargaining unit reads that unit's reports and no other."""
    unit_id = caller().bargaining_unit_id
    if unit_id is None:
        return statement
    return statement.where(ReportSnapshot.bargaining_unit_id == unit_id)


def _summary(row) -> dict:
    by_unit = row.bargaining_unit_id is not None
    return {
        "id": row.id,
        "scope_kind": "bargaining_unit" if by_unit else "department",
        "scope_code": row.unit_code if by_unit else row.department_path,
        "scope_name": row.unit_name if by_unit else row.department_name,
        "period": row.period,
        "period_start": row.period_start,
        "period_end": row.period_end,
        "published_at": row.published_at,
        "content_hash": row.content_hash,
    }


@blp.route("/reports")
@scoped("reports:read")
@blp.arguments(ReportQuery, location="query")
@blp.response(200, ReportPageSchema)
def reports(query: dict):
    """List published reports

    Every published report this token may read (a token for one bargaining unit: that unit's),
    in the order they were published, a page at a time; filtered by bargaining unit,
    department or period. The figures are read one report at a time.
    """
    statement = _readable(_snapshots())
    if query.get("bargaining_unit"):
        statement = statement.where(BargainingUnit.code == query["bargaining_unit"])
    if query.get("department") is not None:
        statement = statement.where(ReportSnapshot.department_id == query["department"])
    if query.get("period"):
        statement = statement.where(ReportSnapshot.period == query["period"])
    rows, following = page(statement, ReportSnapshot.id, query)
    return answer([_summary(row) for row in rows], following)


@blp.route("/reports/<int:report_id>")
@scoped("reports:read")
@blp.response(200, ReportSchema)
@blp.alt_response(404, response="NOT_FOUND")
def report(report_id: int):
    """Read one published report

    Its figures as published, with the hash both sides cite. A report this token may not read
    is answered as one that does not exist.
    """
    statement = _readable(_snapshots().add_columns(ReportSnapshot.content))
    row = None
    if report_id <= MAX_ID:
        row = db.session.execute(statement.where(ReportSnapshot.id == report_id)).first()
    if row is None:
        raise NotFound(f"There is no published report {report_id} this token may read.")
    return _summary(row) | {"content": row.content}
