"""Long work done outside the page that asked for it: imports, exports, mail, publishing and
the scheduled runs.

A job is recorded as a `JobRun` row in the same transaction as the change that asks for it, so
it exists exactly when that change does. After the commit its id goes to the queue: with
REDIS_URL set, to RQ on Redis, where `flask worker` picks it up; without Redis (the embedded
default) the job runs at once, in the same process, so nothing else has to be started.

A job's work runs in one transaction, committed when it ends: a worker that dies half-way
leaves nothing half-written, and RQ runs the job again (a run is claimed afresh each time).
Packages register what their jobs do with `register(app, name, function, title=...)` in their
`init_app`; `function(run, **params)` gets the run and the parameters it was asked with, and
may return a small dict kept as the run's result. A run keeps its title in English (the audit
log and the API read it so); mark a kind's title with `N_` where it is registered, and its
pages show it in the reader's language (`title_words`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context
from flask_babel import gettext

# Imported with the app, not in a request: gunicorn's master builds the app once, so no worker
# pays the import (about 60 ms) in its first request.
from redis import Redis
from sqlalchemy.orm.attributes import set_committed_value

from civicladder import caching, languages, transaction
from civicladder.db import db, utcnow
from civicladder.errors import DomainError
from civicladder.languages import N_
from civicladder.models import JobRun, JobState, User

log = logging.getLogger(__name__)

JOBS_KEY = "civicladder.jobs"
# Seconds RQ waits before each new try of a job that failed (or whose worker died).
RETRY_INTERVALS = (30, 120, 600)
# The title of a run the schedule asked for, and the message of a run to be tried again.
SCHEDULED = N_("%(job)s (scheduled)")
TRY_AGAIN = N_("Will try again: %(reason)s")


@dataclass(frozen=True)
class JobKind:
    name: str
    title: str
    function: Callable[..., dict | None]
    timeout: int  # seconds a single try may run before the worker stops it
    retry_intervals: tuple[int, ...]  # seconds before each further try
    # The title in the reader's language, where it is built from parts (an import's steps);
    # else `title` itself goes through the catalogue (declare it with N_).
    words: Callable[[], str] | None = None


def register(
    app: Flask,
    name: str,
    function: Callable[..., dict | None],
    *,
    title: str,
    timeout: int = 600,
    retry_intervals: tuple[int, ...] = RETRY_INTERVALS,
    words: Callable[[], str] | None = None,
) -> None:
    """A package's kind of job: `function(run, **params)` does the work; after a failure (or
    its worker's death) it is tried again after each of `retry_intervals` seconds in turn."""
    kinds = app.extensions.setdefault(JOBS_KEY, {})
    if name in kinds:
        raise ValueError(f"the job {name!r} is registered twice")
    kinds[name] = JobKind(name, title, function, timeout, tuple(retry_intervals), words)


def kind(name: str) -> JobKind:
    try:
        return current_app.extensions[JOBS_KEY][name]
    except KeyError:
        raise LookupError(f"no job is registered as {name!r}") from None


def kinds() -> dict[str, JobKind]:
    return dict(current_app.extensions.get(JOBS_KEY, {}))


def enqueue(name: str, *, actor: User | None = None, title: str | None = None, **params) -> JobRun:
    """Ask for a job: recorded now, in the caller's transaction; queued once that commits."""
    found = kind(name)
    run = JobRun(
        kind=name,
        title=(title or found.title)[:200],
        params=params,
        requested_by_id=actor.id if actor is not None else None,
        state=JobState.QUEUED,
        attempts=0,
    )
    db.session.add(run)
    db.session.flush()
    transaction.after_commit(partial(dispatch, run.id))
    return run


def scheduled_title(name: str) -> str:
    """The title of a run of this job that the schedule asks for, kept in English."""
    return SCHEDULED % {"job": kind(name).title}


def title_words(run: JobRun) -> str:
    """A run's title in the reader's language: its kind's title (or the schedule's run of it)
    through the catalogue. A title written for one run (a report's, naming its unit) reads as
    it was kept. Read from the registry in memory, so a page of runs makes no more queries."""
    found = current_app.extensions.get(JOBS_KEY, {}).get(run.kind)
    if found is None:
        return run.title
    kind_words = found.words() if found.words is not None else gettext(found.title)
    if run.title == found.title[:200]:
        return kind_words
    if run.title == scheduled_title(run.kind)[:200]:
        return gettext(SCHEDULED, job=kind_words)
    return run.title


def message_words(run: JobRun) -> str:
    """Why a run failed, with the words the jobs add in the reader's language (the reason itself
    reads as it was kept: a rule's words in the language of the one who asked, or an error's)."""
    message = run.message or ""
    prefix = TRY_AGAIN.partition("%")[0]
    if message.startswith(prefix):
        return gettext(TRY_AGAIN, reason=message.removeprefix(prefix))
    return message


def in_flight(name: str, **params) -> JobRun | None:
    """A run of this job with exactly these parameters that is queued or running, if any (a
    few at a time: compared here rather than in the database's JSON)."""
    for run in db.session.scalars(
        sa.select(JobRun).where(
            JobRun.kind == name, JobRun.state.in_((JobState.QUEUED, JobState.RUNNING))
        )
    ):
        if run.params == params:
            return run
    return None


def inline() -> bool:
    """Whether jobs run in the process that asks for them (no Redis, or told to)."""
    return not current_app.config.get("REDIS_URL") or current_app.config.get("JOBS_INLINE", False)


def dispatch(run_id: int) -> None:
    """Send one recorded run to the queue (or run it now when jobs run inline). A queue that
    cannot be reached leaves the run waiting: the worker's sweep sends it again."""
    if inline():
        perform(run_id)
        return
    try:
        send_to_queue(run_id)
    except Exception:  # Redis down: the run stays queued in the database, swept up later
        log.exception("could not queue job run %s; it waits for the worker's sweep", run_id)


def send_to_queue(run_id: int) -> None:
    from rq import Retry

    run = db.session.get(JobRun, run_id)
    found = kind(run.kind)
    intervals = list(found.retry_intervals)
    queue().enqueue(
        "civicladder.jobs.perform",
        run_id,
        job_id=rq_job_id(run_id),
        job_timeout=found.timeout,
        retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
        result_ttl=86400,
        failure_ttl=7 * 86400,
        description=f"{run.kind} #{run_id}",
    )


def rq_job_id(run_id: int) -> str:
    return f"civicladder-run-{run_id}"


def redis_connection():
    """The app's Redis client, one per process (its pool notices a fork and starts afresh)."""
    app = current_app._get_current_object()
    client = app.extensions.get(_REDIS_KEY)
    if client is None:
        client = app.extensions[_REDIS_KEY] = Redis.from_url(app.config["REDIS_URL"])
    return client


_REDIS_KEY = "civicladder.redis"


def queue():
    from rq import Queue

    return Queue(current_app.config["JOBS_QUEUE"], connection=redis_connection())


def perform(run_id: int) -> None:
    """Do a recorded run's work (called by the worker, or inline after the asking commit).

    The run is claimed (running, one more attempt), the work runs in one transaction that
    commits with the run marked finished; on failure the work is rolled back and the run says
    why, waiting for RQ's next try when one is left.
    """
    run = _claim(run_id)
    if run is None:
        return
    # What the run says (its result, its refusal) is read by whoever asked, in their language.
    with languages.written_in(_language_of(run)):
        _perform(run_id, run)


def _language_of(run: JobRun) -> str | None:
    """The asker's language: the page's they asked from when the job kept it (an import or an
    export), else their account's choice, else the page's of an inline run, else English (a
    scheduled run, a command)."""
    kept = (run.params or {}).get("language")
    if kept:
        return kept
    asker = run.requested_by
    if asker is not None and asker.locale:
        return asker.locale
    return languages.current() if has_request_context() else None


def _perform(run_id: int, run: JobRun) -> None:
    try:
        with transaction.unit_of_work():
            result = kind(run.kind).function(run, **run.params)
            db.session.execute(
                sa.update(JobRun)
                .where(JobRun.id == run_id)
                .values(
                    state=JobState.FINISHED,
                    ended_at=utcnow(),
                    result=result,
                    done=run.done,
                    total=run.total,
                    message=None,
                )
                .execution_options(synchronize_session=False)
            )
    except DomainError as error:
        # A rule refused the work (a report published meanwhile, say): another try would be
        # refused the same way, so the run fails for good, saying why.
        _record_failure(run_id, error, again=False)
    except Exception as error:
        again = _retries_left() > 0
        _record_failure(run_id, error, again)
        if not inline():
            raise  # RQ records it and, when tries are left, schedules the next


def _claim(run_id: int) -> JobRun | None:
    """Mark the run as started (committed at once, so every page sees it); None when it has
    already finished or failed for good, or no longer exists."""
    with transaction.unit_of_work():
        claimed = db.session.execute(
            sa.update(JobRun)
            .where(JobRun.id == run_id, JobRun.state.in_((JobState.QUEUED, JobState.RUNNING)))
            .values(
                state=JobState.RUNNING,
                started_at=utcnow(),
                ended_at=None,
                attempts=JobRun.attempts + 1,
            )
        ).rowcount
    if not claimed:
        return None
    return db.session.get(JobRun, run_id)


def _retries_left() -> int:
    if inline():
        return 0
    from rq import get_current_job

    current = get_current_job()
    return (current.retries_left or 0) if current is not None else 0


def _record_failure(run_id: int, error: Exception, again: bool) -> None:
    reason = error.message if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
    if not isinstance(error, DomainError):
        log.error("job run %s failed", run_id, exc_info=error)
    try:
        with transaction.unit_of_work():
            run = db.session.get(JobRun, run_id)
            run.state = JobState.QUEUED if again else JobState.FAILED
            run.ended_at = utcnow()
            run.message = (TRY_AGAIN % {"reason": reason} if again else reason)[:2000]
    except Exception:
        log.exception("could not record the failure of job run %s", run_id)


def progress(run: JobRun, done: int, total: int | None = None) -> None:
    """How far a run has got, for its page. Written on a connection of its own (PostgreSQL),
    so the page sees it while the work's own transaction is still open; SQLite keeps it until
    the work commits (its writer holds the database)."""
    # Not a change of the work's own transaction (which would lock the row the separate
    # connection below writes): the object just learns the values.
    set_committed_value(run, "done", done)
    set_committed_value(run, "total", total)
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect() as connection:
        # A count on the way, not a change anyone's kept page shows: it moves no version
        # (`caching`), so it never waits on the work's own transaction.
        connection.execution_options(**{caching.UNWATCHED: True})
        connection.execute(
            sa.update(JobRun.__table__)
            .where(JobRun.__table__.c.id == run.id)
            .values(done=done, total=total)
        )
        connection.commit()


def sweep(older_than_seconds: int = 300) -> int:
    """Queue again the runs left waiting (the queue was unreachable when they were asked for,
    or Redis lost them); returns how many. The worker runs it on its schedule."""
    if inline():
        return 0
    cutoff = utcnow().timestamp() - older_than_seconds
    waiting = db.session.scalars(
        sa.select(JobRun).where(JobRun.state == JobState.QUEUED).order_by(JobRun.id)
    ).all()
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    connection = redis_connection()
    sent = 0
    for run in waiting:
        if (run.ended_at or run.created_at).timestamp() > cutoff:
            continue
        try:
            Job.fetch(rq_job_id(run.id), connection=connection)
            continue  # RQ still holds it (waiting, scheduled for a retry)
        except NoSuchJobError:
            pass
        send_to_queue(run.id)
        sent += 1
    return sent


def describe(run: JobRun) -> dict[str, Any]:
    """A run as pages and the API show it."""
    return {
        "id": run.id,
        "kind": run.kind,
        "title": run.title,
        "state": run.state.value,
        "done": run.done,
        "total": run.total,
        "message": run.message,
        "result": run.result,
    }
