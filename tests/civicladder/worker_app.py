"""A worker process for the tests: the app on the test's database and Redis queue, with job
kinds of the tests' own, started as `flask worker` is (`python worker_app.py [worker options]`).

Settings come from the environment: DATABASE_URL, REDIS_URL, JOBS_QUEUE, and STALL_FILE (the
stalling job creates it once it has written, then waits to be killed); STALL_PUBLISHING=1
makes the first try of publishing a report stall so, between its snapshot and its PDF, and
STALL_IMPORT=1 the first try of writing a roster import, once its rows are written.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from flask.cli import FlaskGroup

from civicladder import import_jobs, jobs
from civicladder.app import create_app
from civicladder.db import db
from civicladder.models import AuditEvent


def note(run, **params):
    """Writes one audit event naming the run."""
    db.session.add(
        AuditEvent(
            action="test.worker_note",
            actor_label="worker test",
            object_type="job_run",
            object_id=str(run.id),
        )
    )
    return {"pid": os.getpid()}


def stall_once(run, **params):
    """Writes like `note`, then, on its first try only, says so and waits to be killed."""
    note(run)
    db.session.flush()
    if run.attempts == 1:
        Path(os.environ["STALL_FILE"]).write_text(str(os.getpid()))
        time.sleep(120)
    return {"attempt": run.attempts}


def build():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
    jobs.register(app, "test.note", note, title="A note", retry_intervals=(0,))
    jobs.register(app, "test.stall_once", stall_once, title="A stall", retry_intervals=(0,))
    if os.environ.get("STALL_PUBLISHING"):
        _stall_publishing_once()
    if os.environ.get("STALL_IMPORT"):
        _stall_importing_once(app)
    return app


def _stall_importing_once(app) -> None:
    """The first try of writing a roster import, once the employees are written (not yet
    committed), says so (in STALL_FILE) and waits to be killed."""
    imports = app.extensions[import_jobs.IMPORTS_KEY]
    written = imports["roster"].write

    def write(*args):
        summary = written(*args)
        stall = Path(os.environ["STALL_FILE"])
        if not stall.exists():
            db.session.flush()
            stall.write_text(str(os.getpid()))
            time.sleep(120)
        return summary

    imports["roster"] = dataclasses.replace(imports["roster"], write=write)


def _stall_publishing_once() -> None:
    """The first publishing try, once its snapshot is written and before its PDF, says so (in
    STALL_FILE) and waits to be killed; a later try, in a new worker, renders as usual."""
    from reports import exports

    rendered = exports.store_pdf

    def store_pdf(snapshot):
        stall = Path(os.environ["STALL_FILE"])
        if not stall.exists():
            db.session.flush()
            stall.write_text(str(os.getpid()))
            time.sleep(120)
        return rendered(snapshot)

    exports.store_pdf = store_pdf


def notes(run_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "test.worker_note", AuditEvent.object_id == str(run_id))
    )


if __name__ == "__main__":
    FlaskGroup(create_app=build).main(args=["worker", *sys.argv[1:]], prog_name="flask")
