"""`flask worker`: runs the jobs queued on Redis (RQ) and the work on the schedule.

One command for the operator: it works through the queue, asks for scheduled jobs as their time
comes, and queues again any run the app recorded while Redis was unreachable. Start one or more
beside the app servers, with the same settings (DATABASE_URL, REDIS_URL, ...).
"""

from __future__ import annotations

import logging
import os
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from civicladder import clock, jobs, schedule, transaction
from civicladder.db import db

log = logging.getLogger(__name__)

# How often the schedule is looked at, and how often waiting runs are swept up.
TICK_SECONDS = 20
SWEEP_EVERY_TICKS = 15


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.option(
    "--schedule/--no-schedule",
    "with_schedule",
    default=True,
    help="Ask for the scheduled jobs as their time comes (on by default).",
)
@with_appcontext
def worker_command(burst: bool, with_schedule: bool) -> None:
    """Run queued jobs (and the scheduled ones) until stopped."""
    if jobs.inline():
        raise click.ClickException(
            "REDIS_URL is not set, so jobs run inside the app as they are asked for and no "
            "worker is needed. Set REDIS_URL (the same for the app servers) to run a worker."
        )
    app = current_app._get_current_object()
    connection = jobs.redis_connection()
    # RQ runs each job in a forked process: it must not share the parent's database sockets.
    os.register_at_fork(after_in_child=lambda: _fresh_connections(app))
    stop = threading.Event()
    if with_schedule and not burst:
        ticker = threading.Thread(
            target=_keep_time, args=(app, connection, stop), name="schedule", daemon=True
        )
        ticker.start()
    elif with_schedule:
        _tick(app, connection, sweep=True)
    worker = _worker_class()([app.config["JOBS_QUEUE"]], connection=connection)
    try:
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
    finally:
        stop.set()


def _worker_class():
    from rq import Worker

    class PromptWorker(Worker):
        """RQ's worker, listening for commands (`rq.command`: stop a job, shut down) with a
        thread that wakes every second rather than every minute: RQ closes the listener when
        the worker stops and waits for it, so a worker done with its burst, or told to stop,
        took up to a minute to exit."""

        def subscribe(self) -> None:
            self.log.info(
                "Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name
            )
            self.pubsub = self.connection.pubsub()
            self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
            self.pubsub_thread = self.pubsub.run_in_thread(
                sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
            )

    return PromptWorker


def _fresh_connections(app) -> None:
    with app.app_context():
        db.engine.dispose(close=False)


def _keep_time(app, connection, stop: threading.Event) -> None:
    ticks = 0
    while True:
        _tick(app, connection, sweep=ticks % SWEEP_EVERY_TICKS == 0)
        ticks += 1
        if stop.wait(TICK_SECONDS):
            return


def _tick(app, connection, sweep: bool) -> None:
    """One look at the schedule (and, now and then, at runs left waiting); never raises."""
    with app.app_context():
        try:
            for run_id in schedule.tick(connection, clock.now()):
                log.info("scheduled job run %s asked for", run_id)
            if sweep:
                with transaction.unit_of_work(write=False):
                    swept = jobs.sweep()
                if swept:
                    log.info("%s waiting job runs queued again", swept)
        except Exception:
            log.exception("the schedule could not be looked at; trying again shortly")
        finally:
            db.session.remove()
