"""Employees added and changed in bulk by another system (an HRIS, payroll): the roster
import's columns, rules and write, sent as JSON (`api.batches`)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import batches, problems
from api.auth import scoped
from people import roster
from people import services as people_services
from people.models import EmployeeStatus
from people.roster.reading import MAX_LENGTHS

blp = Blueprint(
    "api_roster",
    __name__,
    url_prefix="/api/v1",
    description="Employees added and changed in bulk, by the roster import's rules.",
)
problems.install(blp)

_COLUMNS = {
    "employee_number": "The employee's number: an existing employee is changed, a new one added.",
    "first_name": "Required.",
    "last_name": "Required.",
    "email": "Required; unique among employees.",
    "department_path": "Agency > Division > Unit; departments not yet known are created.",
    "manager_employee_number": "An employee in this batch or already known; null for none.",
    "bargaining_unit": "A bargaining unit's code; null for none.",
    "job_profile": "A job profile's code; null for none.",
    "hire_date": "YYYY-MM-DD.",
    "status": (
        f"{', '.join(s.value for s in EmployeeStatus)}; left out or null: the employee's "
        "current status (active for a new one)."
    ),
}


def _column(name: str) -> fields.Field:
    """A roster column as the document describes it; the import's own rules check the value."""
    limit = MAX_LENGTHS.get(name)
    return fields.String(
        required=name in roster.REQUIRED_COLUMNS,
        allow_none=True,
        validate=validate.Length(max=limit) if limit else None,
        metadata={"description": _COLUMNS[name]},
    )


EmployeeRowSchema = Schema.from_dict(
    {name: _column(name) for name in roster.COLUMNS}, name="EmployeeRowSchema"
)
EmployeeRowSchema.__doc__ = (
    "One employee, as one row of the roster file: every column but status must be there "
    "(null where a file's cell would be empty)."
)


class EmployeeBatchSchema(Schema):
    employees = fields.List(
        fields.Nested(EmployeeRowSchema),
        required=True,
        validate=validate.Length(min=1, max=batches.MAX_ROWS),
    )


class RosterSummarySchema(Schema):
    rows = fields.Integer(required=True)
    created = fields.Integer(required=True, metadata={"description": "New employees."})
    changed = fields.Integer(required=True, metadata={"description": "Employees changed."})
    unchanged = fields.Integer(required=True)
    separated = fields.Integer(
        required=True, metadata={"description": "Employees whose status became separated."}
    )
    departments_created = fields.Integer(required=True)


def write(items: list, on_progress: batches.Progress | None) -> dict:
    """The rows written by the roster import's service, or Refused naming each problem."""
    try:
        plan = people_services.upsert_employees(None, items, on_progress=on_progress)
    except roster.RosterRejected as rejected:
        found = rejected.plan
        raise batches.refused(
            "employees",
            found.row_count,
            found.error_lines,
            [(e.line, e.field, e.message) for e in found.errors[: batches.PROBLEMS_SHOWN]],
            len(found.errors),
        ) from None
    return {
        "rows": plan.row_count,
        "created": len(plan.creates),
        "changed": len(plan.updates),
        "unchanged": plan.unchanged,
        "separated": len(plan.separated_ids),
        "departments_created": len(plan.new_departments),
    }


EMPLOYEES = batches.BatchKind("employees", "roster:write", "Employees", write)


@blp.route("/employees", methods=["POST"])
@scoped("roster:write")
@batches.write_route(blp, EmployeeBatchSchema, RosterSummarySchema)
def upsert_employees():
    """Add and change employees in bulk

    The roster file's columns, one object per employee, by the roster import's rules: an
    employee number already known changes that employee (every column is set as sent), a new
    one adds an employee; departments not yet known are created. All or nothing: any bad
    row and nothing is written, the answer (422) naming each bad row by its index and field
    (`employees.3.email`). Up to API_BATCH_SYNC_ROWS rows (1,000 by default) are written at
    once and answered with the counts; a larger batch, up to 100,000 rows, is written by a
    job: the answer is 202 with the batch's status address in Location.
    """
    return batches.accept(EMPLOYEES)
