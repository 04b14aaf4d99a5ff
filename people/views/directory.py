"""The workforce directory and its CSV (HR and managers), and employee profiles (anyone signed
in, for the people they may see)."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup

from civicladder import caching, export_jobs, exports, querying
from civicladder.access import SIGNED_IN, Role, requires
from civicladder.caching import kept_page
from civicladder.db import db
from civicladder.errors import Invalid
from civicladder.forms import ConfirmForm
from civicladder.layout import page_number
from civicladder.panels import render_panels
from people import learner_record, queries, workforce
from people.forms import DirectoryFilterForm
from people.slots import EMPLOYEE_PROFILE
from people.views import bp


@bp.get("/people")
@requires(Role.HR, Role.MANAGER)
@kept_page
def directory():
    form, params = _directory_params()
    stmt, sort = workforce.statement(current_user, params), params.get("sort") or "name"
    total = workforce.known_total(current_user, params)
    page = db.paginate(
        stmt,
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=total is None,
    )
    if total is not None:
        page.total = total
    status = 422 if form.errors else 200
    return render_template("people/directory.html", form=form, page=page, sort=sort), status


@bp.get("/people.csv")
@requires(Role.HR, Role.MANAGER)
def directory_csv():
    """The workforce list as it is filtered now, every page of it, as a CSV file: streamed
    when short; a long one is written by a job, asked for on a confirmation page."""
    form, params = _directory_params()
    if form.errors:
        raise Invalid(gettext("The filters could not be read. Correct them on the workforce page."))
    stmt = workforce.statement(current_user, params)
    if querying.count_rows(stmt, at_most=workforce.STREAM_LIMIT + 1) > workforce.STREAM_LIMIT:
        return render_template(
            "people/workforce_export.html",
            total=querying.count_rows(stmt),
            args=request.args,
            form=ConfirmForm(),
        )
    # Built here, where the reader and their line are loaded; read in the stream's own
    # session once this request's has closed (its objects are detached by then).
    return exports.csv_response("workforce.csv", workforce.HEADER, lambda: workforce.rows_of(stmt))


@bp.post("/people.csv")
@requires(Role.HR, Role.MANAGER)
def export_directory():
    """A long workforce list, as filtered, written to a file by a job."""
    form, params = _directory_params()
    if form.errors:
        raise Invalid(gettext("The filters could not be read. Correct them on the workforce page."))
    run = export_jobs.request_export(current_user, workforce.EXPORT, **params)
    return redirect(url_for("jobs.show", run_id=run.id), 303)


def _directory_params() -> tuple[DirectoryFilterForm, dict]:
    """The directory's filters read from the address (`request.args`, also on the CSV's
    confirmation post), checked; none when they cannot be read."""
    form = DirectoryFilterForm(request.args)
    _directory_choices(form)
    if not form.validate():
        return form, {}
    return form, {
        "text": _name_order(form.q.data),
        "department_id": form.department.data or None,
        "bargaining_unit_id": form.bargaining_unit.data or None,
        "job_profile_id": form.job_profile.data or None,
        "status": form.status.data or None,
        "sort": form.sort.data or "name",
    }


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
    form.department.choices = [(0, gettext("Any department"))] + queries.department_choices(chosen)
    form.bargaining_unit.choices = [(0, gettext("Any bargaining unit"))] + [
        (u.id, u.name) for u in queries.bargaining_units()
    ]
    form.job_profile.choices = [
        (0, gettext("Any job profile")),
        (workforce.NO_JOB_PROFILE, gettext("No job profile")),
    ] + queries.job_profile_choices()


@bp.get("/people/<int:employee_id>")
@requires(SIGNED_IN)
@kept_page
def profile(employee_id: int):
    employee = queries.get_visible_employee(current_user, employee_id)
    # The page's content is kept per reader and person until something it shows changes
    # (`caching.part`); who may open it is checked on every request, above.
    body = caching.part("profile", (current_user.id, employee.id), lambda: _profile(employee))
    return render_template("people/profile.html", employee=employee, body=body)


def _profile(employee) -> Markup:
    # Names are links only where the reader may open the page behind them.
    manager_linked = employee.manager_id is not None and queries.can_view(
        current_user, employee.manager_id
    )
    return Markup(  # noqa: S704 (the template's own autoescaped output)
        render_template(
            "people/_profile_body.html",
            employee=employee,
            panels=render_panels(EMPLOYEE_PROFILE, current_user, employee),
            direct_reports=queries.direct_reports(employee.id),
            manager_linked=manager_linked,
            may_issue_record=learner_record.may_issue(current_user, employee),
            reports_linked=queries.sees_everyone(current_user)
            or current_user.has_role(Role.MANAGER),
        )
    )
