"""The catalog and courses, and HR's forms for courses and sessions."""

from __future__ import annotations

from datetime import UTC

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from academy import queries, services
from academy.forms import (
    CancelSessionForm,
    CatalogFilterForm,
    CourseForm,
    SessionForm,
)
from academy.models import DeliveryMode, EnrollmentStatus
from academy.slots import COURSE_PAGE
from academy.views import bp
from civicladder import caching, querying
from civicladder.access import SIGNED_IN, Role, requires
from civicladder.caching import kept_page
from civicladder.db import db
from civicladder.errors import DomainError, Invalid
from civicladder.forms import attach_error
from civicladder.layout import page_number
from civicladder.panels import render_panels
from competencies import queries as competency_queries
from people import queries as people_queries

# --- the catalog and courses -----------------------------------------------------------------


@bp.get("/academy")
@requires(SIGNED_IN)
@kept_page
def catalog():
    form = CatalogFilterForm(request.args)
    form.competency.choices = [(0, gettext("Any competency"))] + [
        (c.id, f"{c.code} {c.name}") for c in competency_queries.competencies()
    ]
    form.category.choices = [(0, gettext("Any category"))] + [
        (c.id, c.name) for c in competency_queries.categories()
    ]
    filters = {}
    if form.validate():
        filters = {
            "text": form.q.data,
            "competency_id": form.competency.data or None,
            "category_id": form.category.data or None,
            "delivery_mode": form.mode.data or None,
            "from_date": form.from_date.data,
            "sort": form.sort.data,
        }
    page = db.paginate(
        queries.catalog_statement(**filters),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    own = people_queries.own_employee_id(current_user)
    entries = queries.catalog_entries(list(page.items), own)
    status = 422 if form.errors else 200
    return render_template("academy/catalog.html", form=form, page=page, entries=entries), status


@bp.get("/academy/courses/<int:course_id>")
@requires(SIGNED_IN)
def course(course_id: int):
    found = queries.get_course(course_id)
    own = people_queries.own_employee_id(current_user)
    (entry,) = queries.catalog_entries([found], own)
    return render_template(
        "academy/course.html",
        entry=entry,
        course=found,
        sessions=queries.course_sessions(found.id),
        panels=caching.part(
            "course",
            (current_user.id, found.id),
            lambda: render_panels(COURSE_PAGE, current_user, found),
        ),
    )


# --- HR: courses and sessions ----------------------------------------------------------------


@bp.route("/academy/courses/new", methods=["GET", "POST"])
@requires(Role.HR)
def new_course():
    return _course_page(None)


@bp.route("/academy/courses/<int:course_id>/edit", methods=["GET", "POST"])
@requires(Role.HR)
def edit_course(course_id: int):
    return _course_page(queries.get_course(course_id))


def _course_data(course) -> dict | None:
    if course is None:
        return None
    return {
        "code": course.code,
        "title": course.title,
        "description": course.description,
        "hours": course.hours,
        "delivery_mode": course.delivery_mode.value,
        "needs_manager_approval": course.needs_manager_approval,
        "outcomes": [
            {
                "competency_id": o.competency_id,
                "level": o.level,
                "validity_months": o.validity_months,
            }
            for o in course.outcomes
        ],
        "prerequisites": [
            {"competency_id": p.competency_id, "min_level": p.min_level}
            for p in course.level_prerequisites
        ],
        "required_courses": [p.required_course_id for p in course.course_prerequisites],
    }


def _course_page(course):
    form = CourseForm(data=_course_data(course))
    others = [
        (cid, label)
        for cid, label in queries.course_choices()
        if course is None or cid != course.id
    ]
    form.set_choices(
        [(c.id, f"{c.code} {c.name}") for c in competency_queries.competencies()], others
    )
    if form.validate_on_submit():
        try:
            saved = services.save_course(
                current_user,
                course,
                code=form.code.data,
                title=form.title.data,
                hours=form.hours.data,
                delivery_mode=DeliveryMode(form.delivery_mode.data),
                description=form.description.data or "",
                needs_manager_approval=form.needs_manager_approval.data,
                outcomes=form.outcome_rows(),
                level_prerequisites=form.prerequisite_rows(),
                course_prerequisites=form.required_courses.data or [],
            )
        except DomainError as error:
            if error.field in ("outcomes", "prerequisites"):
                form.form_errors.append(error.message)
            else:
                attach_error(form, error)
        else:
            if course is not None:
                flash(gettext("Course %(code)s saved.", code=saved.code), "success")
                return redirect(url_for("academy.course", course_id=saved.id))
            flash(
                gettext("Course %(code)s added. Now schedule its first session.", code=saved.code),
                "success",
            )
            return redirect(url_for("academy.new_session", course_id=saved.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("academy/course_form.html", form=form, course=course), status


@bp.route("/academy/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@requires(Role.HR)
def new_session(course_id: int):
    found = queries.get_course(course_id)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            made = services.create_session(
                current_user,
                found,
                starts_at=_from_display(form.starts_at.data),
                ends_at=_from_display(form.ends_at.data),
                capacity=form.capacity.data,
                location=form.location.data or "",
                online_url=form.online_url.data or "",
                instructor=_instructor(form.instructor_number.data),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(gettext("Session scheduled."), "success")
            return redirect(url_for("academy.session", session_id=made.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("academy/session_form.html", form=form, course=found), status


@bp.route("/academy/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@requires(Role.HR)
def edit_session(session_id: int):
    found = queries.get_session(session_id)
    form = SessionForm(data=None if request.method == "POST" else _session_data(found))
    if form.validate_on_submit():
        try:
            services.update_session(
                current_user,
                found,
                starts_at=_from_display(form.starts_at.data),
                ends_at=_from_display(form.ends_at.data),
                capacity=form.capacity.data,
                location=form.location.data or "",
                online_url=form.online_url.data or "",
                instructor=_instructor(form.instructor_number.data),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(
                gettext(
                    "Session saved; the people on its list were told of any change of time or "
                    "place."
                ),
                "success",
            )
            return redirect(url_for("academy.session", session_id=found.id))
    status = 422 if form.errors or form.form_errors else 200
    page = render_template("academy/session_form.html", form=form, course=found.course, s=found)
    return page, status


@bp.route("/academy/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@requires(Role.HR)
def cancel_session(session_id: int):
    """A confirmation page first: a cancelled session stays cancelled, and everyone with a
    place or waiting for one loses it and is told."""
    found = queries.get_session(session_id)
    form = CancelSessionForm()
    if form.validate_on_submit():
        try:
            services.cancel_session(current_user, found, form.reason.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(gettext("The session is cancelled; the people on its list were told."), "success")
            return redirect(url_for("academy.session", session_id=found.id))
    status = 422 if form.errors or form.form_errors else 200
    people = queries.status_counts(found.id)
    return render_template(
        "academy/cancel_session.html", s=found, form=form, counts=people, Status=EnrollmentStatus
    ), status


def _session_data(session) -> dict:
    zone = querying.display_zone()
    return {
        "starts_at": session.starts_at.astimezone(zone).replace(tzinfo=None),
        "ends_at": session.ends_at.astimezone(zone).replace(tzinfo=None),
        "location": session.location,
        "online_url": session.online_url,
        "instructor_number": session.instructor.employee_number if session.instructor else "",
        "capacity": session.capacity,
    }


def _from_display(value):
    """A time typed in the display time zone, as an aware UTC time."""
    return value.replace(tzinfo=querying.display_zone()).astimezone(UTC)


def _instructor(number: str | None):
    if not (number or "").strip():
        return None
    found = people_queries.employee_by_number(number)
    if found is None:
        raise Invalid(
            gettext("No employee has the number %(number)s.", number=number.strip()),
            field="instructor_number",
        )
    return found
