"""The workforce list as the directory filters and sorts it, for a reader: the page, its CSV
(streamed when short), and the export a job writes when it is long (a city's list is 300,000
rows; a job writes it to the file store while the page says where it stands)."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from civicladder.access import Role
from civicladder.models import User
from people import queries
from people.models import Department, Employee

EXPORT = "workforce-list"
# A list up to this long streams as the CSV is asked for; a longer one is written by a job.
STREAM_LIMIT = 5_000
NO_JOB_PROFILE = -1  # the job profile filter: people without one

# The sortable columns: sort=<key>, and sort=-<key> for the reverse order.
SORTS = {
    "name": (Employee.last_name, Employee.first_name),
    "number": (Employee.employee_number,),
    "department": (Department.path,),
    "status": (Employee.status,),
}

# Written out when the file is written: in the language of the person downloading it (the
# streamed CSV is written in their request).
HEADER = [
    _l("Employee number"),
    _l("Last name"),
    _l("First name"),
    _l("Email"),
    _l("Job profile"),
    _l("Department"),
    _l("Bargaining unit"),
    _l("Status"),
    _l("Hire date"),
]


def statement(user: User, params: dict) -> sa.Select:
    """The employees `user` sees, filtered and sorted by `params` (the directory's filters,
    already checked: text, department_id, bargaining_unit_id, job_profile_id, status, sort)."""
    job_profile = params.get("job_profile_id")
    stmt = queries.directory_statement(
        user,
        text=params.get("text"),
        department_id=params.get("department_id"),
        bargaining_unit_id=params.get("bargaining_unit_id"),
        job_profile_id=job_profile if (job_profile or 0) > 0 else None,
        status=params.get("status"),
    )
    if job_profile == NO_JOB_PROFILE:
        stmt = stmt.where(Employee.job_profile_id.is_(None))
    own_id = queries.own_employee_id(user)
    if own_id is not None and not queries.sees_everyone(user):
        # A manager's workforce is the people in their line: the count leaves them out.
        stmt = stmt.where(Employee.id != own_id)
    sort = params.get("sort") or "name"
    key = sort.removeprefix("-")
    if sort != "name" and key in SORTS:
        if key == "department":
            stmt = stmt.join(Department, Department.id == Employee.department_id)
        ordered = [c.desc() if sort.startswith("-") else c for c in SORTS[key]]
        stmt = stmt.order_by(None).order_by(*ordered, Employee.id)
    return stmt


FILTERS = ("text", "department_id", "bargaining_unit_id", "job_profile_id", "status")


def known_total(user: User, params: dict) -> int | None:
    """How long the list is when that is known without counting it: unfiltered, HR's is the
    whole workforce and a manager's their line, both kept between requests until a line path
    changes (every new employee gets one). None when filtered: the page counts its matches."""
    if any(params.get(name) for name in FILTERS):
        return None
    if queries.sees_everyone(user):
        return queries.workforce_size()
    own = queries.own_employee(user)
    if own is None or not user.has_role(Role.MANAGER) or not own.line_path:
        return None
    return queries.reporting_line_count(own.id, own.line_path)


def rows(user: User, **params) -> Iterator[tuple]:
    """The list's rows for its CSV (the export job's), read a few hundred at a time."""
    return rows_of(statement(user, params))


def rows_of(stmt: sa.Select) -> Iterator[tuple]:
    """The rows of a built statement (`statement`), read in the current session: a streamed
    CSV builds the statement in its request, where the reader and their line are loaded, and
    reads it in the stream's own session."""
    from civicladder.db import db

    for e in db.session.scalars(stmt.execution_options(yield_per=500)):
        yield (
            e.employee_number,
            e.last_name,
            e.first_name,
            e.email,
            e.job_profile.title if e.job_profile else "",
            e.department.path,
            e.bargaining_unit.name if e.bargaining_unit else "",
            gettext(e.status.label),
            e.hire_date,
        )
