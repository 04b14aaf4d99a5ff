"""HR's pages for the ladders: tracks, their levels, and outcome metrics (same blueprint)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from autonomy import definitions, outcomes, queries
from autonomy.forms import (
    LevelForm,
    MetricForm,
    OutcomeCommitForm,
    OutcomeUploadForm,
    TrackForm,
)
from autonomy.models import AutonomyLevel, AutonomyTrack, TrackJobProfile
from autonomy.views import bp
from civicladder.access import Role, requires
from civicladder.db import db, fetch
from civicladder.errors import DomainError, Invalid
from civicladder.forms import attach_error
from competencies.models import Competency
from people import queries as people_queries


@bp.route("/autonomy/tracks/new", methods=["GET", "POST"])
@requires(Role.HR)
def new_track():
    return _track_form(None)


@bp.route("/autonomy/tracks/<int:track_id>/edit", methods=["GET", "POST"])
@requires(Role.HR)
def edit_track(track_id: int):
    return _track_form(fetch(AutonomyTrack, track_id, "There is no such track."))


def _track_form(track: AutonomyTrack | None):
    form = TrackForm(obj=track)
    form.job_profiles.choices = people_queries.job_profile_choices()
    if track is not None and not form.is_submitted():
        form.job_profiles.data = list(
            db.session.scalars(
                sa.select(TrackJobProfile.job_profile_id).where(
                    TrackJobProfile.track_id == track.id
                )
            )
        )
    if form.validate_on_submit():
        try:
            saved = definitions.save_track(
                current_user,
                track,
                code=form.code.data,
                name=form.name.data,
                description=form.description.data or "",
                job_profile_ids=form.job_profiles.data or [],
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(f"Saved the track {saved.name}.", "success")
            return redirect(url_for("autonomy.tracks", _anchor=f"track-{saved.id}"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("autonomy/track_form.html", form=form, track=track), status


@bp.route("/autonomy/tracks/<int:track_id>/levels/new", methods=["GET", "POST"])
@requires(Role.HR)
def new_level(track_id: int):
    return _level_form(fetch(AutonomyTrack, track_id, "There is no such track."), None)


@bp.route("/autonomy/levels/<int:level_id>/edit", methods=["GET", "POST"])
@requires(Role.HR)
def edit_level(level_id: int):
    level = fetch(AutonomyLevel, level_id, "There is no such level.")
    return _level_form(level.track, level)


def _level_form(track: AutonomyTrack, level: AutonomyLevel | None):
    form = LevelForm(obj=level)
    form.set_choices(_competency_choices(), [(m.id, m.name) for m in queries.metrics()])
    if level is not None and not form.is_submitted():
        for row, requirement in zip(form.requirements, level.requirements, strict=False):
            row.form.competency_id.data = requirement.competency_id
            row.form.min_level.data = requirement.min_level
        form.outcome_metric_id.data = level.outcome_metric_id or 0
    if form.validate_on_submit():
        try:
            saved = definitions.save_level(current_user, track, level, form.terms())
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(f"Saved level {saved.rank}, {saved.name}, of {track.name}.", "success")
            return redirect(url_for("autonomy.tracks", _anchor=f"track-{track.id}"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("autonomy/level_form.html", form=form, track=track, level=level), status


def _competency_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Competency.id, Competency.code, Competency.name).order_by(Competency.code)
    )
    return [(row.id, f"{row.code} {row.name}") for row in rows]


@bp.get("/autonomy/metrics")
@requires(Role.HR)
def metrics():
    return render_template("autonomy/metrics.html", metrics=queries.metrics())


@bp.route("/autonomy/metrics/new", methods=["GET", "POST"])
@requires(Role.HR)
def new_metric():
    form = MetricForm()
    if form.validate_on_submit():
        try:
            metric = definitions.save_metric(
                current_user,
                code=form.code.data,
                name=form.name.data,
                unit=form.unit.data or "",
                higher_is_better=form.higher_is_better.data == "1",
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(f"Added the outcome metric {metric.name}.", "success")
            return redirect(url_for("autonomy.metrics"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("autonomy/metric_form.html", form=form), status


@bp.route("/autonomy/outcomes/import", methods=["GET", "POST"])
@requires(Role.HR)
def import_outcomes():
    """Upload a file of outcome records and see what it would change before anything is saved."""
    form = OutcomeUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            plan = outcomes.plan_import(data)
        except DomainError as error:
            form.file.errors = [*form.file.errors, error.message]
        else:
            name = (form.file.data.filename or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
            return _outcome_preview(plan, data, name)
    status = 422 if form.errors else 200
    return render_template("autonomy/outcomes_import.html", form=form), status


@bp.post("/autonomy/outcomes/import/commit")
@requires(Role.HR)
def commit_outcomes():
    form = OutcomeCommitForm()
    if not form.validate_on_submit():
        raise Invalid("The previewed file could not be read back. Upload it again.")
    plan = outcomes.import_outcomes(
        current_user,
        form.content.data,
        expected_fingerprint=form.plan.data,
        filename=form.filename.data or "",
    )
    flash(
        f"Outcome records imported: {len(plan.new):,} new, {len(plan.changed):,} changed, "
        f"{plan.unchanged:,} unchanged.",
        "success",
    )
    return redirect(url_for("autonomy.metrics"))


def _outcome_preview(plan: outcomes.OutcomePlan, data: bytes, filename: str):
    commit = OutcomeCommitForm(
        formdata=None, data={"content": data, "plan": plan.fingerprint, "filename": filename}
    )
    return render_template(
        "autonomy/outcomes_preview.html", plan=plan, form=commit, filename=filename
    ), 200 if plan.ok else 422
