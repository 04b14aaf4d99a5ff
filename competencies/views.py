"""Competency pages: the framework, competencies, job profiles, recording evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup

from civicladder import caching, clock, languages
from civicladder.access import SIGNED_IN, Role, requires
from civicladder.caching import kept_page
from civicladder.errors import DomainError
from civicladder.forms import CHOOSE, attach_error, choice_list
from civicladder.layout import window
from civicladder.panels import Panel
from competencies import queries, services, standing
from competencies.forms import (
    SPARE_ROWS,
    CategoryForm,
    CompetencyForm,
    EvidenceForm,
    JobProfileForm,
)
from competencies.models import CompetencyEvidence
from competencies.rules import PROFICIENCY_SCALE, level_name
from people import figures
from people import queries as people_queries
from people.models import BargainingUnit, Employee

bp = Blueprint("competencies", __name__)


@bp.app_context_processor
def _scale():
    return {
        "proficiency_scale": PROFICIENCY_SCALE,
        "level_name": level_name,
    }


@bp.get("/competencies")
@requires(SIGNED_IN)
@kept_page
def framework():
    """The framework, for everyone to read; HR maintains it from the same page."""
    maintains = current_user.has_role(Role.HR)
    # The same for every reader of a kind until the framework changes: rendered once per
    # version in each app process (a city's framework is a few hundred competencies).
    body = caching.cached(
        queries.FRAMEWORK,
        (maintains, languages.current()),
        lambda: Markup(  # noqa: S704 (our own template's output, escaped as it was rendered)
            render_template(
                "competencies/_framework_body.html",
                categories=queries.framework(),
                maintains=maintains,
            )
        ),
    )
    return render_template("competencies/framework.html", body=body, maintains=maintains)


@bp.get("/competencies/<int:competency_id>")
@requires(SIGNED_IN)
@kept_page
def competency(competency_id: int):
    """One competency and what each step of the scale looks like, with the jobs that need it."""
    found = services.get_competency(competency_id)
    return render_template(
        "competencies/competency.html",
        competency=found,
        needed_by=queries.profiles_requiring(found.id),
    )


@bp.route("/competencies/categories/new", methods=["GET", "POST"])
@requires(Role.HR)
def new_category():
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = services.create_category(
                current_user, form.name.data, form.description.data or ""
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(gettext("Category %(name)s added.", name=category.name), "success")
            return redirect(url_for("competencies.framework"))
    status = 422 if form.errors else 200
    return render_template("competencies/category_form.html", form=form, category=None), status


@bp.route("/competencies/categories/<int:category_id>/edit", methods=["GET", "POST"])
@requires(Role.HR)
def edit_category(category_id: int):
    category = services.get_category(category_id)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        try:
            services.update_category(
                current_user, category, form.name.data, form.description.data or ""
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(gettext("Category %(name)s saved.", name=category.name), "success")
            return redirect(url_for("competencies.framework", _anchor=f"cat-{category.id}"))
    status = 422 if form.errors else 200
    return render_template("competencies/category_form.html", form=form, category=category), status


def _competency_form(form: CompetencyForm) -> CompetencyForm:
    form.category_id.choices = choice_list(
        [CHOOSE] + [(c.id, c.name) for c in queries.categories()]
    )
    return form


@bp.route("/competencies/new", methods=["GET", "POST"])
@requires(Role.HR)
def new_competency():
    return _competency_page(None)


@bp.route("/competencies/<int:competency_id>/edit", methods=["GET", "POST"])
@requires(Role.HR)
def edit_competency(competency_id: int):
    return _competency_page(services.get_competency(competency_id))


def _competency_page(competency):
    data = None
    if competency is not None:
        data = {f"level_{d.level}": d.descriptor for d in competency.descriptors}
    form = _competency_form(CompetencyForm(obj=competency, data=data))
    if form.validate_on_submit():
        fields = {
            "code": form.code.data,
            "name": form.name.data,
            "category_id": form.category_id.data,
            "description": form.description.data or "",
            "descriptors": form.descriptors(),
        }
        try:
            if competency is None:
                saved = services.create_competency(current_user, **fields)
            else:
                saved = services.update_competency(current_user, competency, **fields)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(gettext("Competency %(code)s saved.", code=saved.code), "success")
            return redirect(url_for("competencies.framework", _anchor=f"c-{saved.id}"))
    status = 422 if form.errors else 200
    page = render_template("competencies/competency_form.html", form=form, competency=competency)
    return page, status


@bp.get("/job-profiles")
@requires(SIGNED_IN)
@kept_page
def job_profiles():
    return render_template("competencies/job_profiles.html", profiles=queries.job_profiles())


@bp.get("/job-profiles/<int:profile_id>")
@requires(SIGNED_IN)
@kept_page
def job_profile(profile_id: int):
    profile = services.get_job_profile(profile_id)
    return render_template(
        "competencies/job_profile.html",
        profile=profile,
        requirements=queries.requirements_by_profile([profile.id])[profile.id],
    )


def _profile_form(profile=None) -> JobProfileForm:
    data = None
    if profile is not None:
        rows = [
            {"competency_id": r.competency_id, "min_level": r.min_level, "weight": r.weight}
            for r in queries.requirements_by_profile([profile.id])[profile.id]
        ]
        data = {
            "code": profile.code,
            "title": profile.title,
            "description": profile.description,
            "requirements": rows,
        }
    form = JobProfileForm(data=data)
    if data is not None and not form.is_submitted():
        for _ in range(SPARE_ROWS):
            form.add_row()
    if form.is_submitted() and "add_row" in request.form:
        form.add_row()
    form.set_competency_choices([(c.id, f"{c.code} {c.name}") for c in queries.competencies()])
    return form


def _save_profile(form: JobProfileForm, profile):
    return services.save_job_profile(
        current_user,
        profile,
        code=form.code.data,
        title=form.title.data,
        description=form.description.data or "",
        requirements=form.requirement_rows(),
    )


@bp.route("/job-profiles/new", methods=["GET", "POST"])
@requires(Role.HR)
def new_job_profile():
    return _job_profile_page(None)


@bp.route("/job-profiles/<int:profile_id>/edit", methods=["GET", "POST"])
@requires(Role.HR)
def edit_job_profile(profile_id: int):
    return _job_profile_page(services.get_job_profile(profile_id))


def _job_profile_page(profile):
    form = _profile_form(profile)
    if "add_row" not in request.form and form.validate_on_submit():
        try:
            saved = _save_profile(form, profile)
        except DomainError as error:
            if error.field == "requirements":
                form.form_errors.append(error.message)
            else:
                attach_error(form, error)
        else:
            flash(gettext("Job profile %(title)s saved.", title=saved.title), "success")
            return redirect(url_for("competencies.job_profiles", _anchor=f"p-{saved.id}"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("competencies/job_profile_form.html", form=form, profile=profile), status


@bp.get("/competencies/below-requirements")
@requires(Role.HR, Role.MANAGER)
@kept_page
def below_requirements():
    """People who fall short of their job's requirements: HR sees everyone, a manager their line."""
    stmt = standing.below_requirements_statement(_line_scope())
    page = window(stmt, current_app.config["PAGE_SIZE"])
    missed = standing.requirements_missed([e.id for e in page.items])
    return render_template("competencies/below_requirements.html", page=page, missed=missed)


@bp.get("/competencies/expiring")
@requires(Role.HR, Role.MANAGER)
@kept_page
def expiring_evidence():
    stmt = standing.expiring_evidence_statement(_line_scope())
    page = window(stmt, current_app.config["PAGE_SIZE"])
    return render_template(
        "competencies/expiring.html", page=page, days=standing.EXPIRY_WINDOW_DAYS
    )


def _line_scope():
    """HR: everyone (None); a manager: their line, themselves left out."""
    condition = people_queries.scope_condition(current_user)
    own_id = people_queries.own_employee_id(current_user)
    if condition is not None and own_id is not None:
        condition = sa.and_(condition, Employee.id != own_id)
    return condition


@bp.route("/people/<int:employee_id>/evidence/new", methods=["GET", "POST"])
@requires(Role.HR, Role.MANAGER)
def record_evidence(employee_id: int):
    """The evidence form, then a confirmation page saying what will be kept for good."""
    employee = people_queries.get_visible_employee(current_user, employee_id)
    services.check_may_validate(current_user, employee)
    form = EvidenceForm()
    job_needs = (
        queries.requirements_by_profile([employee.job_profile_id])[employee.job_profile_id]
        if employee.job_profile_id
        else []
    )
    needed_ids = {r.competency_id for r in job_needs}
    others = [c for c in queries.competencies() if c.id not in needed_ids]
    form.competency_id.choices = choice_list(
        [CHOOSE]
        + [(r.competency_id, f"{r.competency.name} ({r.competency.code})") for r in job_needs]
        + [(c.id, f"{c.name} ({c.code})") for c in others]
    )
    if not form.is_submitted():
        form.observed_on.data = clock.today()
    chosen = None
    if form.validate_on_submit():
        chosen = services.get_competency(form.competency_id.data)
        if form.is_confirmed and "change" not in request.form:
            try:
                services.record_evidence(
                    current_user,
                    employee,
                    chosen,
                    level=form.level.data,
                    observed_on=form.observed_on.data,
                    expires_on=form.expires_on.data,
                    note=form.note.data,
                )
            except DomainError as error:
                attach_error(form, error)
            else:
                told = gettext("Evidence recorded for %(name)s.", name=employee.full_name)
                flash(told, "success")
                return redirect(url_for("people.profile", employee_id=employee.id))
        elif "change" not in request.form:
            descriptor = next(
                (d.descriptor for d in chosen.descriptors if d.level == form.level.data), ""
            )
            return render_template(
                "competencies/evidence_confirm.html",
                form=form,
                employee=employee,
                competency=chosen,
                descriptor=descriptor,
                required=next(
                    (r.min_level for r in job_needs if r.competency_id == chosen.id), None
                ),
            )
    status = 422 if form.errors else 200
    return render_template(
        "competencies/evidence_form.html",
        form=form,
        employee=employee,
        job_needs=job_needs,
        others=others,
        descriptors=queries.descriptors_of([r.competency_id for r in job_needs]),
    ), status


# --- panels -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelsPanel(Panel):
    """An employee against their job: every requirement, expiries, and the evidence history."""

    template: ClassVar[str] = "competencies/_levels_panel.html"
    title: str
    employee: Employee
    standing: standing.EmployeeStanding
    history: list[CompetencyEvidence]
    can_record: bool
    own: bool
    on_home: bool = False
    history_limited: bool = False


@dataclass(frozen=True)
class FrameworkPanel(Panel):
    template: ClassVar[str] = "competencies/_framework_panel.html"
    summary: dict


@dataclass(frozen=True)
class TeamGridPanel(Panel):
    """A manager's direct reports × the competencies their jobs need."""

    template: ClassVar[str] = "competencies/_team_grid_panel.html"
    grid: standing.TeamGrid


def team_grid_panel(user) -> TeamGridPanel | None:
    if not user.has_role(Role.MANAGER):
        return None
    own_id = people_queries.own_employee_id(user)
    if own_id is None:
        return None
    return TeamGridPanel(grid=standing.team_grid(people_queries.direct_reports(own_id)))


@dataclass(frozen=True)
class UnitBandsPanel(Panel):
    """A union rep's units by members' highest current competency level, in aggregate."""

    template: ClassVar[str] = "competencies/_unit_bands_panel.html"
    units: list[tuple[BargainingUnit, list[figures.Figure]]]
    minimum: int


def unit_bands_panel(user) -> UnitBandsPanel | None:
    if not user.has_role(Role.UNION_REP):
        return None
    minimum = current_app.config["SMALL_GROUP_MINIMUM"]
    units = people_queries.rep_units(user)
    bands, _ = figures.unit_figures([u.id for u in units], "level_band")
    return UnitBandsPanel(
        units=[(u, figures.cells(bands[u.id], minimum)) for u in units], minimum=minimum
    )


HOME_HISTORY = 10


def my_competencies_panel(user) -> LevelsPanel | None:
    employee = people_queries.own_employee(user)
    if employee is None:
        return None
    history = queries.evidence_history(employee.id, limit=HOME_HISTORY)
    return LevelsPanel(
        title=gettext("Your competencies"),
        employee=employee,
        standing=standing.employee_standing(employee.id, employee.job_profile_id),
        history=history,
        can_record=False,
        own=True,
        on_home=True,
        history_limited=len(history) == HOME_HISTORY,
    )


def framework_panel(user) -> FrameworkPanel | None:
    if not user.has_role(Role.HR):
        return None
    return FrameworkPanel(summary=queries.framework_summary())


def profile_levels_panel(user, employee) -> LevelsPanel:
    return LevelsPanel(
        title=gettext("Competencies"),
        employee=employee,
        standing=standing.employee_standing(employee.id, employee.job_profile_id),
        history=queries.evidence_history(employee.id),
        can_record=services.may_validate(user, employee),
        own=people_queries.own_employee_id(user) == employee.id,
    )
