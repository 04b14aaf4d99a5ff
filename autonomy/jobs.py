"""The autonomy package's jobs: eligibility for everyone, nightly; managers told of the levels
to review, each morning."""

from __future__ import annotations

from datetime import time

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


def register(app: Flask) -> None:
    from civicladder import jobs, schedule

    jobs.register(app, "autonomy.eligibility", eligibility, title="Eligibility for everyone")
    jobs.register(app, "autonomy.notify-reviews", notify_reviews, title="Review notices")
    schedule.register(app, "autonomy.eligibility", daily_at=time(6, 0))  # 01:00 in New York
    schedule.register(app, "autonomy.notify-reviews", daily_at=time(11, 0))  # 06:00 there
