"""The hiring package's jobs: applications past the retention period anonymised, daily."""

from __future__ import annotations

from datetime import time

from flask import Flask, current_app


def anonymise(run) -> dict:
    from civicladder import transaction
    from hiring import retention

    outcome = retention.anonymise_due(None, current_app.config["HIRING_RETENTION_DAYS"])
    # Files go once the anonymised applications are saved, never before.
    transaction.after_commit(lambda: retention.delete_disk_files(outcome.disk_files))
    return {"applications": outcome.applications, "files": outcome.files + len(outcome.disk_files)}


def register(app: Flask) -> None:
    from civicladder import jobs, schedule

    jobs.register(app, "hiring.anonymise", anonymise, title="Retention: anonymising applications")
    schedule.register(app, "hiring.anonymise", daily_at=time(8, 0))
