"""The hiring package's daily jobs: applications past the retention period anonymised, and
offers left unanswered past their deadline lapsed."""

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


def lapse_offers(run) -> dict:
    from hiring.offers import answers

    return {"offers": answers.lapse_overdue(None)}


def register(app: Flask) -> None:
    from civicladder import jobs, schedule
    from civicladder.languages import N_

    jobs.register(
        app, "hiring.anonymise", anonymise, title=N_("Retention: anonymising applications")
    )
    schedule.register(app, "hiring.anonymise", daily_at=time(8, 0))
    jobs.register(app, "hiring.lapse_offers", lapse_offers, title=N_("Offers: lapsing unanswered"))
    # Answers are due by the end of a day in the city's time: run once that day has ended
    # everywhere the city is likely to be (06:00 UTC is 01:00 in New York in winter).
    schedule.register(app, "hiring.lapse_offers", daily_at=time(6, 0))
