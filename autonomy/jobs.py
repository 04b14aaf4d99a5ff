"""The autonomy package's jobs: eligibility for everyone, nightly; managers told of the levels
to review, each morning."""

from __future__ import annotations

from datetime import time, timedelta

from flask import Flask, current_app


def eligibility(run) -> dict:
    from autonomy import eligibility as stored

    people, flagged = stored.refresh(
        None, side_by_side=current_app.config["ELIGIBILITY_SIDE_BY_SIDE"]
    )
    return {"people": people, "levels_held": flagged}


def notify_reviews(run) -> dict:
    from autonomy import services

    managers, levels = services.notify_reviews(None)
    return {"managers": managers, "levels": levels}


def discretion_checks(run) -> dict:
    from autonomy import discretion

    return discretion.write_buffered(run)


def register(app: Flask) -> None:
    from autonomy.discretion import BUFFER_JOB
    from civicladder import jobs, schedule
    from civicladder.languages import N_

    jobs.register(app, BUFFER_JOB, discretion_checks, title=N_("Discretion checks kept"))
    schedule.register(app, BUFFER_JOB, every=timedelta(minutes=5))
    jobs.register(app, "autonomy.eligibility", eligibility, title=N_("Eligibility for everyone"))
    jobs.register(app, "autonomy.notify-reviews", notify_reviews, title=N_("Review notices"))
    schedule.register(app, "autonomy.eligibility", daily_at=time(6, 0))  # 01:00 in New York
    schedule.register(app, "autonomy.notify-reviews", daily_at=time(11, 0))  # 06:00 there
