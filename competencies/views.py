"""Competency pages: the framework, competencies, job profiles, recording evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from civicladder import clock
from civicladder.access import Role, requires
from civicladder.errors import DomainError
from civicladder.forms import attach_error
from civicladder.panels import Panel
from competencies import queries, services
from competencies.forms import CategoryForm, CompetencyForm, EvidenceForm, JobProfileForm
from competencies.models import CompetencyEvidence
from competencies.rules import PROFICIENCY_SCALE, level_name
from people import queries as people_queries
from people.models import Employee

bp = Blueprint("competencies", __name__)


@bp.app_context_processor
def _scale():
    return {
        "proficiency_scale": PROFICIENCY_SCALE,
        "level_name": level_name,
    }


@bp.get("/competencies")
@requires(Role.HR)
def framework():
    return render_template("competencies/framework.html", categories=queries.framework())


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
            flash(f"Category {category.name} added.", "success")
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
            flash(f"Category {category.name} saved.", "success")
            return redirect(url_for("competencies.framework", _anchor=f"cat-{category.id}"))
    status = 422 if form.errors else 200
    return render_template("competencies/category_form.html", form=form, category=category), status


def _competency_form(form: CompetencyForm) -> CompetencyForm:
    form.category_id.choices = [(c.id, c.name) for c in queries.categories()]
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
            flash(f"Competency {saved.code} saved.", "success")
            return redirect(url_for("competencies.framework", _anchor=f"c-{saved.id}"))
    status = 422 if form.errors else 200
    page = render_template("competencies/competency_form.html", form=form, competency=competency)
    return page, status


@bp.get("/job-profiles")
@requires(Role.HR)
def job_profiles():
    return render_template("competencies/job_profiles.html", profiles=queries.job_profiles())


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
    if form.validate_on_submit():
        try:
            saved = _save_profile(form, profile)
        except DomainError as error:
            if error.field == "requirements":
                form.form_errors.append(error.message)
            else:
                attach_error(form, error)
        else:
            flash(f"Job profile {saved.title} saved.", "success")
            return redirect(url_for("competencies.job_profiles", _anchor=f"p-{saved.id}"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("competencies/job_profile_form.html", form=form, profile=profile), status


@bp.route("/people/<int:employee_id>/evidence/new", methods=["GET", "POST"])
@requires(Role.HR, Role.MANAGER)
def record_evidence(employee_id: int):
    employee = people_queries.get_visible_employee(current_user, employee_id)
    services.check_may_validate(current_user, employee)
    form = EvidenceForm()
    form.competency_id.choices = [(c.id, f"{c.code} {c.name}") for c in queries.competencies()]
    if not form.is_submitted():
        form.observed_on.data = clock.today()
    if form.validate_on_submit():
        try:
            services.record_evidence(
                current_user,
                employee,
                services.get_competency(form.competency_id.data),
                level=form.level.data,
                observed_on=form.observed_on.data,
                expires_on=form.expires_on.data,
                note=form.note.data,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(f"Evidence recorded for {employee.full_name}.", "success")
            return redirect(url_for("people.profile", employee_id=employee.id))
    status = 422 if form.errors else 200
    return render_template("competencies/evidence_form.html", form=form, employee=employee), status


# --- panels -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelsPanel(Panel):
    """An employee's current levels, gaps against their job and evidence history."""

    template: ClassVar[str] = "competencies/_levels_panel.html"
    title: str
    employee: Employee
    levels: list[queries.CurrentLevel]
    gaps: list[tuple]
    history: list[CompetencyEvidence]
    can_record: bool
    own: bool
    on_home: bool = False


@dataclass(frozen=True)
class FrameworkPanel(Panel):
    template: ClassVar[str] = "competencies/_framework_panel.html"
    summary: dict


def my_competencies_panel(user) -> LevelsPanel | None:
    employee = people_queries.own_employee(user)
    if employee is None:
        return None
    found = queries.standing(employee.id, employee.job_profile_id)
    return LevelsPanel(
        title="Your competencies",
        employee=employee,
        levels=found.levels,
        gaps=found.gaps,
        history=queries.evidence_history(employee.id, limit=10),
        can_record=False,
        own=True,
        on_home=True,
    )


def framework_panel(user) -> FrameworkPanel | None:
    if not user.has_role(Role.HR):
        return None
    return FrameworkPanel(summary=queries.framework_summary())


def profile_levels_panel(user, employee) -> LevelsPanel:
    found = queries.standing(employee.id, employee.job_profile_id)
    return LevelsPanel(
        title="Competencies",
        employee=employee,
        levels=found.levels,
        gaps=found.gaps,
        history=queries.evidence_history(employee.id),
        can_record=services.may_validate(user, employee),
        own=people_queries.own_employee_id(user) == employee.id,
    )
