"""Departments, bargaining units and employees, read by other city systems (an HRIS, payroll,
a 311 queue that needs to know who works where)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import problems
from api.auth import scoped
from api.pagination import PageQuery, PageSchema, answer, id_field, page
from civicladder.db import db
from civicladder.errors import NotFound
from people.models import BargainingUnit, Department, Employee, EmployeeStatus, JobProfile

blp = Blueprint(
    "api_people",
    __name__,
    url_prefix="/api/v1",
    description="Departments, bargaining units and employees.",
)
problems.install(blp)


class DepartmentSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "agency, division or unit"})
    path = fields.String(required=True, metadata={"description": "Agency > Division > Unit"})
    parent_id = fields.Integer(allow_none=True, required=True)


class DepartmentPageSchema(PageSchema):
    items = fields.List(fields.Nested(DepartmentSchema), required=True)


class BargainingUnitSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


class BargainingUnitListSchema(Schema):
    items = fields.List(fields.Nested(BargainingUnitSchema), required=True)


class EmployeeSchema(Schema):
    employee_number = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(allow_none=True, required=True)
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in EmployeeStatus])
    )
    hire_date = fields.Date(required=True)
    department_id = fields.Integer(required=True)
    department = fields.String(required=True, metadata={"description": "The department's path."})
    manager_employee_number = fields.String(allow_none=True, required=True)
    bargaining_unit = fields.String(
        allow_none=True, required=True, metadata={"description": "The unit's code."}
    )
    job_profile = fields.String(
        allow_none=True, required=True, metadata={"description": "The job profile's code."}
    )


class EmployeePageSchema(PageSchema):
    items = fields.List(fields.Nested(EmployeeSchema), required=True)


class EmployeeQuery(PageQuery):
    department = id_field("A department's id: its people and those of every one below.")
    bargaining_unit = fields.String(
        load_default=None, validate=validate.Length(max=40), metadata={"description": "A code."}
    )
    job_profile = fields.String(
        load_default=None, validate=validate.Length(max=30), metadata={"description": "A code."}
    )
    status = fields.String(
        load_default=None, validate=validate.OneOf([s.value for s in EmployeeStatus])
    )


@blp.route("/departments")
@scoped("directory:read")
@blp.arguments(PageQuery, location="query")
@blp.response(200, DepartmentPageSchema)
def departments(query: dict):
    """List departments

    Every agency, division and unit, in id order, a page at a time.
    """
    statement = sa.select(
        Department.id, Department.name, Department.kind, Department.path, Department.parent_id
    )
    rows, following = page(statement, Department.id, query)
    items = [row._asdict() | {"kind": row.kind.value} for row in rows]
    return answer(items, following)


@blp.route("/bargaining-units")
@scoped("directory:read")
@blp.response(200, BargainingUnitListSchema)
def bargaining_units():
    """List bargaining units

    Every bargaining unit (a city has tens, not thousands: one answer).
    """
    rows = sa.select(BargainingUnit.id, BargainingUnit.code, BargainingUnit.name)
    items = [row._asdict() for row in db_rows(rows.order_by(BargainingUnit.code))]
    return {"items": items}


def db_rows(statement) -> list:
    return db.session.execute(statement).all()


def _employees() -> sa.Select:
    manager = sa.orm.aliased(Employee)
    return (
        sa.select(
            Employee.id,
            Employee.employee_number,
            Employee.first_name,
            Employee.last_name,
            Employee.email,
            Employee.status,
            Employee.hire_date,
            Employee.department_id,
            Department.path.label("department"),
            manager.employee_number.label("manager_employee_number"),
            BargainingUnit.code.label("bargaining_unit"),
            JobProfile.code.label("job_profile"),
        )
        .join(Department, Department.id == Employee.department_id)
        .outerjoin(manager, manager.id == Employee.manager_id)
        .outerjoin(BargainingUnit, BargainingUnit.id == Employee.bargaining_unit_id)
        .outerjoin(JobProfile, JobProfile.id == Employee.job_profile_id)
    )


def _employee_out(row) -> dict:
    return row._asdict() | {"status": row.status.value}


@blp.route("/employees")
@scoped("roster:read")
@blp.arguments(EmployeeQuery, location="query")
@blp.response(200, EmployeePageSchema)
def employees(query: dict):
    """List employees

    In id order, a page at a time, filtered by department (and those below it), bargaining
    unit, job profile or status.
    """
    statement = _employees()
    if query.get("department") is not None:
        path = db_rows(sa.select(Department.path).where(Department.id == query["department"]))
        if not path:
            raise NotFound("There is no such department.", field="department")
        below = path[0].path
        statement = statement.where(
            sa.or_(Department.path == below, Department.path.startswith(below + " > "))
        )
    if query.get("bargaining_unit"):
        statement = statement.where(BargainingUnit.code == query["bargaining_unit"])
    if query.get("job_profile"):
        statement = statement.where(JobProfile.code == query["job_profile"])
    if query.get("status"):
        statement = statement.where(Employee.status == EmployeeStatus(query["status"]))
    rows, following = page(statement, Employee.id, query)
    return answer([_employee_out(row) for row in rows], following)


@blp.route("/employees/<employee_number>")
@scoped("roster:read")
@blp.response(200, EmployeeSchema)
@blp.alt_response(404, response="NOT_FOUND")
def employee(employee_number: str):
    """Read one employee

    By employee number.
    """
    rows = db_rows(_employees().where(Employee.employee_number == employee_number.strip()))
    if not rows:
        raise NotFound(f"No employee has the number {employee_number.strip()}.")
    return _employee_out(rows[0])
