"""Courses, course sessions and enrolments, read by other city systems (an HRIS that records
training, a learning system that shows the city's catalog). Of a person, only their employee
number and name."""

from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from academy import certificates, exports
from academy.models import (
    Certificate,
    Course,
    CourseCoursePrerequisite,
    CourseLevelPrerequisite,
    CourseOutcome,
    CourseSession,
    DeliveryMode,
    Enrollment,
    EnrollmentStatus,
)
from api import problems
from api.auth import scoped
from api.pagination import PageQuery, PageSchema, answer, id_field, page
from civicladder import querying
from civicladder.db import db
from civicladder.errors import Invalid, NotFound
from competencies.models import Competency
from people.models import Employee

blp = Blueprint(
    "api_training",
    __name__,
    url_prefix="/api/v1",
    description="Courses, course sessions and enrolments, with the certificates they earned.",
)
problems.install(blp)

CODE_LENGTH = 30


def _code_field(description: str = "A course's code."):
    return fields.String(
        load_default=None,
        validate=validate.Length(max=CODE_LENGTH),
        metadata={"description": description},
    )


# --- courses ---------------------------------------------------------------------------------


class CourseOutcomeSchema(Schema):
    competency = fields.String(required=True, metadata={"description": "The competency's code."})
    name = fields.String(required=True, metadata={"description": "The competency's name."})
    level = fields.Integer(
        required=True, metadata={"description": "The level completing it grants, 1 to 5."}
    )
    validity_months = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "How long the level counts; null: it does not expire."},
    )


class LevelPrerequisiteSchema(Schema):
    competency = fields.String(required=True, metadata={"description": "The competency's code."})
    min_level = fields.Integer(required=True)


class CourseSchema(Schema):
    code = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    hours = fields.Integer(required=True)
    delivery_mode = fields.String(
        required=True, validate=validate.OneOf([m.value for m in DeliveryMode])
    )
    needs_manager_approval = fields.Boolean(required=True)
    outcomes = fields.List(fields.Nested(CourseOutcomeSchema), required=True)
    level_prerequisites = fields.List(
        fields.Nested(LevelPrerequisiteSchema),
        required=True,
        metadata={"description": "Competencies to have shown at least at a level first."},
    )
    course_prerequisites = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The codes of courses to have completed first."},
    )


class CoursePageSchema(PageSchema):
    items = fields.List(fields.Nested(CourseSchema), required=True)


def _courses() -> sa.Select:
    return sa.select(
        Course.id,
        Course.code,
        Course.title,
        Course.description,
        Course.hours,
        Course.delivery_mode,
        Course.needs_manager_approval,
    )


def _grouped(statement: sa.Select, course_ids: list[int]) -> dict[int, list[dict]]:
    """The rows of `statement` (whose column `course_id` names their course) by course."""
    found: dict[int, list[dict]] = {course_id: [] for course_id in course_ids}
    if course_ids:
        for row in db.session.execute(statement):
            values = row._asdict()
            found[values.pop("course_id")].append(values)
    return found


def _course_parts(course_ids: list[int]) -> dict[int, dict]:
    """Each course's outcomes and prerequisites, in one statement per kind for all of them."""
    outcomes = _grouped(
        sa.select(
            CourseOutcome.course_id,
            Competency.code.label("competency"),
            Competency.name,
            CourseOutcome.level,
            CourseOutcome.validity_months,
        )
        .join(Competency, Competency.id == CourseOutcome.competency_id)
        .where(CourseOutcome.course_id.in_(course_ids))
        .order_by(CourseOutcome.course_id, Competency.code),
        course_ids,
    )
    levels = _grouped(
        sa.select(
            CourseLevelPrerequisite.course_id,
            Competency.code.label("competency"),
            CourseLevelPrerequisite.min_level,
        )
        .join(Competency, Competency.id == CourseLevelPrerequisite.competency_id)
        .where(CourseLevelPrerequisite.course_id.in_(course_ids))
        .order_by(CourseLevelPrerequisite.course_id, Competency.code),
        course_ids,
    )
    required = _grouped(
        sa.select(CourseCoursePrerequisite.course_id, Course.code)
        .join(Course, Course.id == CourseCoursePrerequisite.required_course_id)
        .where(CourseCoursePrerequisite.course_id.in_(course_ids))
        .order_by(CourseCoursePrerequisite.course_id, Course.code),
        course_ids,
    )
    return {
        course_id: {
            "outcomes": outcomes[course_id],
            "level_prerequisites": levels[course_id],
            "course_prerequisites": [row["code"] for row in required[course_id]],
        }
        for course_id in course_ids
    }


def _courses_out(rows) -> list[dict]:
    parts = _course_parts([row.id for row in rows])
    return [
        row._asdict() | {"delivery_mode": row.delivery_mode.value} | parts[row.id] for row in rows
    ]


@blp.route("/courses")
@scoped("training:read")
@blp.arguments(PageQuery, location="query")
@blp.response(200, CoursePageSchema)
def courses(query: dict):
    """List courses

    The course catalog in id order, a page at a time: each course with the competency levels
    it grants (and for how long) and its prerequisites.
    """
    rows, following = page(_courses(), Course.id, query)
    return answer(_courses_out(rows), following)


@blp.route("/courses/<code>")
@scoped("training:read")
@blp.response(200, CourseSchema)
@blp.alt_response(404, response="NOT_FOUND")
def course(code: str):
    """Read one course

    By its code, with the competency levels it grants and its prerequisites.
    """
    code = code.strip()
    rows = []
    if len(code) <= CODE_LENGTH and "\x00" not in code:
        rows = db.session.execute(_courses().where(Course.code == code)).all()
    if not rows:
        raise NotFound(f"No course has the code {code}.")
    return _courses_out(rows)[0]


# --- sessions --------------------------------------------------------------------------------


class PersonSchema(Schema):
    employee_number = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)


class CourseSessionSchema(Schema):
    id = fields.Integer(required=True)
    course = fields.String(required=True, metadata={"description": "The course's code."})
    course_title = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    location = fields.String(required=True, metadata={"description": "Empty when only online."})
    online = fields.Boolean(
        required=True,
        metadata={"description": "Whether it is held online (its link goes to participants)."},
    )
    instructor = fields.Nested(PersonSchema, allow_none=True, required=True)
    capacity = fields.Integer(required=True)
    enrolled = fields.Integer(required=True, metadata={"description": "Seats taken."})
    seats_left = fields.Integer(required=True)
    waitlisted = fields.Integer(required=True, metadata={"description": "People waiting."})


class CourseSessionPageSchema(PageSchema):
    items = fields.List(fields.Nested(CourseSessionSchema), required=True)


class CourseSessionQuery(PageQuery):
    course = _code_field()
    starts_from = fields.Date(
        load_default=None,
        data_key="from",
        metadata={"description": "Sessions starting on this day or later (the city's days)."},
    )
    starts_to = fields.Date(
        load_default=None,
        data_key="to",
        metadata={"description": "Sessions starting on this day or earlier."},
    )


# What a session says of its instructor, an employee.
INSTRUCTOR = ("employee_number", "first_name", "last_name")


def _sessions() -> sa.Select:
    instructor = sa.orm.aliased(Employee)
    return (
        sa.select(
            CourseSession.id,
            Course.code.label("course"),
            Course.title.label("course_title"),
            CourseSession.starts_at,
            CourseSession.ends_at,
            CourseSession.location,
            (CourseSession.online_url != "").label("online"),
            *(getattr(instructor, name).label(f"instructor_{name}") for name in INSTRUCTOR),
            CourseSession.capacity,
            CourseSession.enrolled,
            # Counted for the page's rows only, from the (session, status, arrival) index.
            sa.select(sa.func.count(Enrollment.id))
            .where(
                Enrollment.session_id == CourseSession.id,
                Enrollment.status == EnrollmentStatus.WAITLISTED,
            )
            .correlate(CourseSession)
            .scalar_subquery()
            .label("waitlisted"),
        )
        .join(Course, Course.id == CourseSession.course_id)
        .outerjoin(instructor, instructor.id == CourseSession.instructor_id)
    )


def _session_out(row) -> dict:
    values = row._asdict()
    person = [values.pop(f"instructor_{name}") for name in INSTRUCTOR]
    instructor = dict(zip(INSTRUCTOR, person, strict=True)) if person[0] is not None else None
    return values | {
        "online": bool(row.online),
        "instructor": instructor,
        "seats_left": max(0, row.capacity - row.enrolled),
    }


@blp.route("/sessions")
@scoped("training:read")
@blp.arguments(CourseSessionQuery, location="query")
@blp.response(200, CourseSessionPageSchema)
def sessions(query: dict):
    """List course sessions

    In id order, a page at a time, with their seats taken and left and how many wait; for one
    course (`course`, its code) and those starting between two days (`from`, `to`: dates,
    both included, as the city's calendar has them).
    """
    starts_from, starts_to = query.get("starts_from"), query.get("starts_to")
    if starts_from and starts_to and starts_to < starts_from:
        raise Invalid("`to` is before `from`: give the earlier day as `from`.", field="to")
    statement = _sessions()
    if query.get("course"):
        statement = statement.where(Course.code == query["course"].strip())
    statement = statement.where(
        *querying.within_days(CourseSession.starts_at, starts_from, starts_to)
    )
    rows, following = page(statement, CourseSession.id, query)
    items = [_session_out(row) for row in rows]
    return answer(items, following)


# --- enrolments ------------------------------------------------------------------------------


class CertificateSchema(Schema):
    code = fields.String(required=True, metadata={"description": "Its verification code."})
    issued_on = fields.Date(required=True)
    expires_on = fields.Date(allow_none=True, required=True)
    state = fields.String(
        required=True,
        validate=validate.OneOf([certificates.VALID, certificates.EXPIRED, certificates.REVOKED]),
    )
    verify_url = fields.String(
        required=True, metadata={"description": "The public page that verifies the code."}
    )


class EnrollmentSchema(Schema):
    id = fields.Integer(required=True)
    employee_number = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    session = fields.Integer(required=True, metadata={"description": "The session's id."})
    course = fields.String(required=True, metadata={"description": "The course's code."})
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in EnrollmentStatus])
    )
    requested_at = fields.DateTime(required=True)
    result_on = fields.Date(
        allow_none=True, required=True, metadata={"description": "When the result was given."}
    )
    certificate = fields.Nested(
        CertificateSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The certificate a completion earned; null: none."},
    )


class EnrollmentPageSchema(PageSchema):
    items = fields.List(fields.Nested(EnrollmentSchema), required=True)


class EnrollmentQuery(PageQuery):
    employee = fields.String(
        load_default=None,
        validate=validate.Length(max=40),
        metadata={"description": "An employee number."},
    )
    session = id_field("A session's id.")
    course = _code_field()
    status = fields.String(
        load_default=None, validate=validate.OneOf([s.value for s in EnrollmentStatus])
    )


def _enrollments() -> sa.Select:
    return (
        sa.select(
            Enrollment.id,
            Employee.employee_number,
            Employee.first_name,
            Employee.last_name,
            Enrollment.session_id.label("session"),
            Course.code.label("course"),
            Enrollment.status,
            Enrollment.requested_at,
            Enrollment.result_on,
            # The certificate as a row of its own (its state and address are the academy's).
            Certificate,
        )
        .join(Employee, Employee.id == Enrollment.employee_id)
        .join(CourseSession, CourseSession.id == Enrollment.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .outerjoin(Certificate, Certificate.enrollment_id == Enrollment.id)
    )


def _certificate_out(found: Certificate | None) -> dict | None:
    if found is None:
        return None
    return {
        "code": found.code,
        "issued_on": found.issued_on,
        "expires_on": found.expires_on,
        "state": certificates.state(found),
        "verify_url": exports.verification_url(found),
    }


def _enrollment_out(row) -> dict:
    values = row._asdict()
    found = values.pop("Certificate")
    return values | {"status": row.status.value, "certificate": _certificate_out(found)}


@blp.route("/enrollments")
@scoped("training:read")
@blp.arguments(EnrollmentQuery, location="query")
@blp.response(200, EnrollmentPageSchema)
def enrollments(query: dict):
    """List enrolments

    In id order, a page at a time: whose (employee number and name), in which session of
    which course, its status and result day, and the certificate a completion earned with its
    state (valid, expired or revoked). For one person (`employee`), one session (`session`),
    one course (`course`) or one status (`status`).
    """
    statement = _enrollments()
    if query.get("employee"):
        statement = statement.where(Employee.employee_number == query["employee"].strip())
    if query.get("session") is not None:
        statement = statement.where(Enrollment.session_id == query["session"])
    if query.get("course"):
        statement = statement.where(Course.code == query["course"].strip())
    if query.get("status"):
        statement = statement.where(Enrollment.status == EnrollmentStatus(query["status"]))
    rows, following = page(statement, Enrollment.id, query)
    items = [_enrollment_out(row) for row in rows]
    return answer(items, following)
