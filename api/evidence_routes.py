"""Competency evidence: read by employee or competency, and recorded by systems allowed to
bring evidence from another programme (a state certification board, a union apprenticeship)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import idempotency, problems
from api.auth import scoped
from api.pagination import PageQuery, PageSchema, answer, page
from civicladder.db import db
from civicladder.errors import Invalid, NotFound
from competencies import services
from competencies.models import (
    Competency,
    CompetencyEvidence,
    CompetencyEvidenceWithdrawal,
    EvidenceSource,
)
from people.models import Employee

blp = Blueprint(
    "api_evidence",
    __name__,
    url_prefix="/api/v1",
    description="Competency evidence: who showed which competency at which level, and when.",
)
problems.install(blp)


class EvidenceSchema(Schema):
    id = fields.Integer(required=True)
    employee = fields.String(required=True, metadata={"description": "The employee number."})
    competency = fields.String(required=True, metadata={"description": "The competency's code."})
    level = fields.Integer(required=True, metadata={"description": "1 Awareness to 5 Expert."})
    source = fields.String(
        required=True, validate=validate.OneOf([s.value for s in EvidenceSource])
    )
    observed_on = fields.Date(required=True)
    expires_on = fields.Date(allow_none=True, required=True)
    note = fields.String(required=True)
    recorded_at = fields.DateTime(required=True)
    withdrawn = fields.Boolean(
        required=True, metadata={"description": "Withdrawn evidence counts nowhere."}
    )


class EvidencePageSchema(PageSchema):
    items = fields.List(fields.Nested(EvidenceSchema), required=True)


class EvidenceQuery(PageQuery):
    employee = fields.String(
        load_default=None, validate=validate.Length(max=40), metadata={"description": "A number."}
    )
    competency = fields.String(
        load_default=None, validate=validate.Length(max=30), metadata={"description": "A code."}
    )


class EvidenceIn(Schema):
    employee = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "A number."},
    )
    competency = fields.String(
        required=True, validate=validate.Length(min=1, max=30), metadata={"description": "A code."}
    )
    level = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    observed_on = fields.Date(required=True, metadata={"description": "When it was shown."})
    expires_on = fields.Date(load_default=None, allow_none=True)
    programme = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The programme that assessed it, such as a state board."},
    )
    verifier = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Who in that programme verified it (name, role)."},
    )


def _evidence() -> sa.Select:
    return (
        sa.select(
            CompetencyEvidence.id,
            Employee.employee_number.label("employee"),
            Competency.code.label("competency"),
            CompetencyEvidence.level,
            CompetencyEvidence.source,
            CompetencyEvidence.observed_on,
            CompetencyEvidence.expires_on,
            CompetencyEvidence.note,
            CompetencyEvidence.recorded_at,
            CompetencyEvidenceWithdrawal.evidence_id.is_not(None).label("withdrawn"),
        )
        .join(Employee, Employee.id == CompetencyEvidence.employee_id)
        .join(Competency, Competency.id == CompetencyEvidence.competency_id)
        .outerjoin(
            CompetencyEvidenceWithdrawal,
            CompetencyEvidenceWithdrawal.evidence_id == CompetencyEvidence.id,
        )
    )


def _out(row) -> dict:
    return row._asdict() | {"source": row.source.value}


@blp.route("/evidence")
@scoped("evidence:read")
@blp.arguments(EvidenceQuery, location="query")
@blp.response(200, EvidencePageSchema)
def evidence(query: dict):
    """List competency evidence

    In the order it was recorded, a page at a time, for one person (`employee`) or one
    competency (`competency`), withdrawn evidence marked.
    """
    statement = _evidence()
    if query.get("employee"):
        statement = statement.where(Employee.employee_number == query["employee"].strip())
    if query.get("competency"):
        statement = statement.where(Competency.code == query["competency"].strip())
    rows, following = page(statement, CompetencyEvidence.id, query)
    return answer([_out(row) for row in rows], following)


@blp.route("/evidence", methods=["POST"])
@scoped("evidence:write")
@idempotency.once
@blp.arguments(EvidenceIn)
@blp.response(201, EvidenceSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.doc(
    parameters=[
        {
            "in": "header",
            "name": idempotency.HEADER,
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
            "description": "Unique to this write; a retry with the same key does nothing twice.",
        }
    ]
)
def record_evidence(body: dict):
    """Record competency evidence from another programme

    The evidence counts like any other (source `imported`), its note naming the programme
    and who verified it; the audit log names your client as having recorded it.
    """
    employee = db.session.scalar(
        sa.select(Employee).where(Employee.employee_number == body["employee"].strip())
    )
    if employee is None:
        raise NotFound(f"No employee has the number {body['employee'].strip()}.", field="employee")
    competency = db.session.scalar(
        sa.select(Competency).where(Competency.code == body["competency"].strip())
    )
    if competency is None:
        raise Invalid(
            f"No competency has the code {body['competency'].strip()}.", field="competency"
        )
    recorded = services.record_evidence(
        None,
        employee,
        competency,
        level=body["level"],
        observed_on=body["observed_on"],
        expires_on=body.get("expires_on"),
        source=EvidenceSource.IMPORTED,
        note=f"{body['programme'].strip()}; verified by {body['verifier'].strip()}",
    )
    row = db.session.execute(_evidence().where(CompetencyEvidence.id == recorded.id)).one()
    return _out(row)
