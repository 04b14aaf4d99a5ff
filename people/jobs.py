"""The people package's jobs: the union reps' unit figures, counted every quarter hour."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask


def refresh_unit_figures(run) -> dict:
    from people import figures

    as_of, lines = figures.refresh()
    return {"lines": lines, "as_of": as_of.isoformat()}


def register(app: Flask) -> None:
    from civicladder import jobs, schedule
    from civicladder.languages import N_

    jobs.register(
        app, "people.refresh-unit-figures", refresh_unit_figures, title=N_("Unit figures")
    )
    schedule.register(app, "people.refresh-unit-figures", every=timedelta(minutes=15))
