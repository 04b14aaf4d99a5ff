"""The reports package's jobs: publishing a report (asked for by HR), live reports counted
every quarter hour, and the disclosure audit of every unit each night (a fault fails the run,
with the cells it found)."""

from __future__ import annotations

from datetime import time, timedelta

from flask import Flask


def refresh_live(run) -> dict:
    from reports import live

    return {"stored": live.refresh()}


def audit(run) -> dict:
    from civicladder import jobs, transaction
    from reports import audit as audit_runs

    readers = audit_runs.readers_to_check(None, None)
    faults = []
    for position, reader in enumerate(readers, start=1):
        checked = audit_runs.check_reader(reader, since_clean=True)
        faults += [f"{reader.name}: {finding.describe()}" for finding in checked.findings]
        transaction.commit()  # the blocks protected and the years found clean, kept
        jobs.progress(run, position, len(readers))
    if faults:
        raise RuntimeError(f"{len(faults)} fault(s): " + "; ".join(faults[:20]))
    return {"readers": len(readers), "faults": 0}


def publish(run, **params) -> dict:
    from reports import services

    return services.published_by_job(run, **params)


def count(run, **params) -> dict:
    from reports import live

    return live.counted_by_job(run, **params)


def register(app: Flask) -> None:
    from civicladder import jobs, schedule
    from civicladder.languages import N_
    from reports.live import COUNT_JOB
    from reports.services import PUBLISH_JOB

    jobs.register(app, COUNT_JOB, count, title=N_("Count a progress report"), timeout=900)
    jobs.register(app, PUBLISH_JOB, publish, title=N_("Publish a progress report"), timeout=1800)

    jobs.register(app, "reports.refresh-live", refresh_live, title=N_("Live reports"))
    jobs.register(
        app,
        "reports.audit",
        audit,
        title=N_("Reports disclosure audit"),
        timeout=3600,
        retry_intervals=(),
    )
    schedule.register(app, "reports.refresh-live", every=timedelta(minutes=15))
    schedule.register(app, "reports.audit", daily_at=time(7, 0))
