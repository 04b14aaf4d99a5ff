"""The workforce directory and its CSV (HR and managers), and employee profiles (anyone signed
in, for the people they may see)."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user

from civicladder import exports
from civicladder.access import SIGNED_IN, Role, requires
from civicladder.db import db
from civicladder.errors import Invalid
from civicladder.layout import page_number
from civicladder.panels import build_panels
from people import queries
from people.forms import DirectoryFilterForm
from people.models import Department, Employee
from people.slots import EMPLOYEE_PROFILE
from people.views import bp

NO_JOB_PROFILE = -1  # the directory's job profile filter: people without one

# The directory's sortable columns: ?sort=<key>, and ?sort=-<key> for the reverse order.
SORTS = {
    "name": (Employee.last_name, Employee.first_name),
    "number": (Employee.employee_number,),
    "department": (Department.path,),
    "status": (Employee.status,),
}


@bp.get("/people")
@requires(Role.HR, Role.MANAGER)
def directory():
    form, stmt, sort = _directory_query()
    page = db.paginate(
        stmt, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    status = 422 if form.errors else 200
    return render_template("people/directory.html", form=form, page=page, sort=sort), status


@bp.get("/people.csv")
@requires(Role.HR, Role.MANAGER)
def directory_csv():
    """The workforce list as it is filtered now, every page of it, as a CSV file."""
    form, stmt, _ = _directory_query()
    if form.errors:
        raise Invalid("The filters could not be read. Correct them on the workforce page.")

    def rows():
        for e in db.session.scalars(stmt.execution_options(yield_per=500)):
            yield (
                e.employee_number,
                e.last_name,
                e.first_name,
                e.email,
                e.job_profile.title if e.job_profile else "",
                e.department.path,
                e.bargaining_unit.name if e.bargaining_unit else "",
                e.status.label,
                e.hire_date,
            )

    header = [
        "Employee number",
        "Last name",
        "First name",
        "Email",
        "Job profile",
        "Department",
        "Bargaining unit",
        "Status",
        "Hire date",
    ]
    return exports.csv_response("workforce.csv", header, rows)


def _directory_query():
    form = DirectoryFilterForm(request.args)
    _directory_choices(form)
    filters = {}
    valid = form.validate()
    if valid:
        filters = {
            "text": _name_order(form.q.data),
            "department_id": form.department.data or None,
            "bargaining_unit_id": form.bargaining_unit.data or None,
            "job_profile_id": form.job_profile.data if (form.job_profile.data or 0) > 0 else None,
            "status": form.status.data or None,
        }
    stmt = queries.directory_statement(current_user, **filters)
    if form.job_profile.data == NO_JOB_PROFILE:
        stmt = stmt.where(Employee.job_profile_id.is_(None))
    own_id = queries.own_employee_id(current_user)
    if own_id is not None and not queries.sees_everyone(current_user):
        # A manager's workforce is the people in their line: the count leaves them out.
        stmt = stmt.where(Employee.id != own_id)
    sort = (form.sort.data if valid else None) or "name"
    key = sort.removeprefix("-")
    if sort != "name":
        columns = SORTS[key]
        if key == "department":
            stmt = stmt.join(Department, Department.id == Employee.department_id)
        ordered = [c.desc() if sort.startswith("-") else c for c in columns]
        stmt = stmt.order_by(None).order_by(*ordered, Employee.id)
    return form, stmt, sort


def _name_order(text: str | None) -> str | None:
    """ "Hernandez, Grace" searches as "Grace Hernandez", the order the index holds."""
    if not text or "," not in text:
        return text or None
    last, _, first = text.partition(",")
    return f"{first.strip()} {last.strip()}".strip() or None


def _directory_choices(form: DirectoryFilterForm) -> None:
    chosen = form.department.data
    if not isinstance(chosen, int) or not 0 < chosen < 2**31:
        chosen = None  # junk in the address: the choices say what is valid
    form.department.choices = [(0, "Any department")] + queries.department_choices(chosen)
    form.bargaining_unit.choices = [(0, "Any bargaining unit")] + [
        (u.id, u.name) for u in queries.bargaining_units()
    ]
    form.job_profile.choices = [
        (0, "Any job profile"),
        (NO_JOB_PROFILE, "No job profile"),
    ] + queries.job_profile_choices()


@bp.get("/people/<int:employee_id>")
@requires(SIGNED_IN)
def profile(employee_id: int):
    employee = queries.get_visible_employee(current_user, employee_id)
    # Names are links only where the reader may open the page behind them.
    manager_linked = employee.manager_id is not None and queries.can_view(
        current_user, employee.manager_id
    )
    return render_template(
        "people/profile.html",
        employee=employee,
        panels=build_panels(EMPLOYEE_PROFILE, current_user, employee),
        direct_reports=queries.direct_reports(employee.id),
        manager_linked=manager_linked,
        reports_linked=queries.sees_everyone(current_user) or current_user.has_role(Role.MANAGER),
    )
