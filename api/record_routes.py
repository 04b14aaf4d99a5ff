"""An employee's learner record, read by another system the person deals with (a state
workforce portal, a future employer's onboarding at the person's request): the same signed
CLR 2.0 ClrCredential the employee downloads from their profile, each issue audited as the
client's."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api import problems
from api.auth import scoped
from civicladder import credentials
from people import learner_record

blp = Blueprint(
    "api_records",
    __name__,
    url_prefix="/api/v1",
    description="Employees' learner records: signed CLR 2.0 credentials of what is verified.",
)
problems.install(blp)

SCOPE = "records:read"
NOT_FOUND = "No employee has this number."
NOTHING = "Nothing is verified about the employee yet: there is no record to issue."


class HeldSchema(Schema):
    kind = fields.String(
        required=True,
        metadata={"description": "certificates, competency_levels or autonomy_levels."},
    )
    title = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"description": "How many the record holds."})


class LearnerRecordSchema(Schema):
    employee_number = fields.String(required=True)
    issued_at = fields.DateTime(required=True, metadata={"description": "Its validFrom."})
    media_type = fields.String(required=True, metadata={"description": credentials.MEDIA_TYPE})
    credential = fields.String(
        required=True,
        metadata={
            "description": "The ClrCredential signed as a VC-JWT (a compact JWS, EdDSA): the "
            "file the employee downloads. Its header's kid names the city's key, published at "
            "/credentials/keys; the credentials it holds are each signed the same way on their "
            "own downloads."
        },
    )
    holds = fields.List(
        fields.Nested(HeldSchema),
        required=True,
        metadata={"description": "What the record holds, by kind."},
    )


@blp.route("/employees/<employee_number>/learner-record")
@scoped(SCOPE, writes=True)
@blp.response(200, LearnerRecordSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def learner_record_json(employee_number: str):
    """Issue an employee's learner record

    The employee's learner record as of now, signed by the city: one CLR 2.0 ClrCredential of
    everything verified about them (certificates not revoked, each competency level with the
    evidence behind it, the autonomy level held), the same the employee downloads from their
    profile and HR issues at separation. Each call issues a record, recorded in the audit log
    as your client's. A number nobody has is a 404; an employee with nothing verified, a 409.
    """
    made, record = learner_record.issue_to_client(employee_number)
    return {
        "employee_number": record.employee.employee_number,
        "issued_at": record.issued_at,
        "media_type": made.mimetype,
        "credential": made.data,
        "holds": [
            {"kind": section.key, "title": section.title, "count": len(found)}
            for section, found in record.parts
        ],
    }


@blp.route("/employees/<employee_number>/learner-record.jwt")
@scoped(SCOPE, writes=True)
@blp.doc(
    responses={
        "200": {
            "description": "The signed ClrCredential alone, as the employee's download.",
            "content": {credentials.MEDIA_TYPE: {"schema": {"type": "string"}}},
        }
    }
)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def learner_record_jwt(employee_number: str):
    """Issue an employee's learner record as a file

    The same record as `/employees/{employee_number}/learner-record`, answered as the signed
    credential itself (`application/vc+jwt`), to keep or pass on as it is. Audited alike.
    """
    made, _record = learner_record.issue_to_client(employee_number)
    response = Response(made.data, mimetype=made.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
