"""HR's pages for the ladders: tracks, their levels, and outcome metrics (same blueprint)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from autonomy import definitions, outcomes, queries
from autonomy.forms import (
    DISCRETION_BLANK_ROWS,
    LevelForm,
    MetricForm,
    OutcomeUploadForm,
    TrackForm,
)
from autonomy.models import AutonomyLevel, AutonomyTrack, TrackJobProfile
from autonomy.views import bp
from civicladder import import_jobs
from civicladder.access import Role, requires
from civicladder.db import db, fetch
from civicladder.errors import DomainError, Invalid
from civicladder.forms import ConfirmForm, attach_error
from competencies.models import Competency
from people import queries as people_queries


@bp.route("/autonomy/tracks/new", methods=["GET", "POST"])
@requires(Role.HR)
def new_track():
    return _track_form(None)


@bp.route("/autonomy/tracks/<int:track_id>/edit", methods=["GET", "POST"])
@requires(Role.HR)
def edit_track(track_id: int):
    return _track_form(fetch(AutonomyTrack, track_id, gettext("There is no such track.")))


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
            flash(gettext("Saved the track %(track)s.", track=saved.name), "success")
            return redirect(url_for("autonomy.tracks", _anchor=f"track-{saved.id}"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("autonomy/track_form.html", form=form, track=track), status


@bp.route("/autonomy/tracks/<int:track_id>/levels/new", methods=["GET", "POST"])
@requires(Role.HR)
def new_level(track_id: int):
    return _level_form(fetch(AutonomyTrack, track_id, gettext("There is no such track.")), None)


@bp.route("/autonomy/levels/<int:level_id>/edit", methods=["GET", "POST"])
@requires(Role.HR)
def edit_level(level_id: int):
    level = fetch(AutonomyLevel, level_id, gettext("There is no such level."))
    return _level_form(level.track, level)


def _level_form(track: AutonomyTrack, level: AutonomyLevel | None):
    form = LevelForm(obj=level)
    form.set_choices(_competency_choices(), [(m.id, m.name) for m in queries.metrics()])
    if level is not None and not form.is_submitted():
        for row, requirement in zip(form.requirements, level.requirements, strict=False):
            row.form.competency_id.data = requirement.competency_id
            row.form.min_level.data = requirement.min_level
        form.outcome_metric_id.data = level.outcome_metric_id or 0
        while len(form.discretion) < len(level.discretion) + DISCRETION_BLANK_ROWS:
            form.discretion.append_entry()
    if form.validate_on_submit():
        try:
            saved = definitions.save_level(current_user, track, level, form.terms())
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(
                gettext(
                    "Saved level %(rank)s, %(level)s, of %(track)s.",
                    rank=saved.rank,
                    level=saved.name,
                    track=track.name,
                ),
                "success",
            )
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
            flash(gettext("Added the outcome metric %(metric)s.", metric=metric.name), "success")
            return redirect(url_for("autonomy.metrics"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("autonomy/metric_form.html", form=form), status


OUTCOMES = "outcomes"


@bp.route("/autonomy/outcomes/import", methods=["GET", "POST"])
@requires(Role.HR)
def import_outcomes():
    """Upload a file of outcome records: a job checks it, and its page shows what it would
    change before anything is saved."""
    form = OutcomeUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            outcomes.check_readable(data)
            run = import_jobs.request_check(current_user, OUTCOMES, data, form.file.data.filename)
        except DomainError as error:
            form.file.errors = [*form.file.errors, error.message]
        else:
            return redirect(url_for("autonomy.outcome_import", run_id=run.id), 303)
    status = 422 if form.errors else 200
    return render_template("autonomy/outcomes_import.html", form=form), status


@bp.get("/autonomy/outcomes/import/<int:run_id>")
@requires(Role.HR)
def outcome_import(run_id: int):
    """An uploaded file of outcome records: being checked, its preview, being imported, or
    imported."""
    return render_template(
        "autonomy/outcomes_preview.html",
        form=ConfirmForm(),
        **import_jobs.page_context(OUTCOMES, run_id),
    )


@bp.post("/autonomy/outcomes/import/<int:run_id>/commit")
@requires(Role.HR)
def commit_outcomes(run_id: int):
    if not ConfirmForm().validate_on_submit():
        raise Invalid(gettext("The form has expired. Open the preview again and confirm."))
    run = import_jobs.request_write(current_user, OUTCOMES, run_id)
    return redirect(url_for("autonomy.outcome_import", run_id=run.id), 303)
