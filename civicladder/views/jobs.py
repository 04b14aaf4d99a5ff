"""The jobs' pages: HR and administrators see recent jobs, where each stands, how long it took
and why it failed; whoever asked for a job follows it on its own page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from civicladder import export_jobs, jobs
from civicladder import files as stored_files
from civicladder.access import Role, requires
from civicladder.db import db, fetch
from civicladder.errors import NotFound
from civicladder.forms import JobFilterForm
from civicladder.layout import page_number
from civicladder.models import JobRun, JobState

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


def asked_for_job(user, view_args: dict) -> bool:
    """The person who asked for this job."""
    run = db.session.get(JobRun, view_args.get("run_id"))
    return run is not None and run.requested_by_id == user.id


@bp.get("/")
@requires(Role.HR, Role.ADMIN)
def index():
    form = JobFilterForm(request.args)
    stmt = (
        sa.select(JobRun)
        .options(joinedload(JobRun.requested_by))
        .order_by(JobRun.created_at.desc(), JobRun.id.desc())
    )
    valid = form.validate()
    if valid and form.state.data:
        stmt = stmt.where(JobRun.state == JobState(form.state.data))
    page = db.paginate(stmt, page=page_number(), per_page=50, error_out=False)
    status = 200 if valid else 422
    return render_template("jobs/index.html", page=page, form=form, **_words()), status


@bp.get("/<int:run_id>")
@requires(Role.HR, Role.ADMIN, asked_for_job)
def show(run_id: int):
    run = fetch(JobRun, run_id, gettext("There is no such job."))
    waiting = run.state in (JobState.QUEUED, JobState.RUNNING)
    return render_template(
        "jobs/show.html",
        run=run,
        waiting=waiting,
        me=current_user,
        link_text=export_jobs.link_words(run) or (run.result or {}).get("link_text"),
        **_words(),
    )


def _words() -> dict:
    """What the jobs' pages say of a run in the reader's language (from memory: no query)."""
    return {"title_words": jobs.title_words, "message_words": jobs.message_words}


@bp.get("/<int:run_id>/file")
@requires(asked_for_job)
def file(run_id: int):
    """A finished export's file, for the person who asked for it, while it is kept."""
    run = fetch(JobRun, run_id, gettext("There is no such job."))
    stored = export_jobs.file_of(run)
    if stored is None:
        raise NotFound(
            gettext("This job has no file to download: not finished, or no longer kept.")
        )
    return stored_files.download(stored)
