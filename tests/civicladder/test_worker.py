"""With REDIS_URL set, jobs wait on RQ for `flask worker`, a process of its own: a job asked for
by the app is done by the worker; a worker killed half-way through a job leaves nothing of it
written, and the job is done once, whole, by the next try."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue
from rq.registry import StartedJobRegistry

from civicladder import jobs
from civicladder.db import db
from civicladder.models import JobRun, JobState
from tests.civicladder import worker_app

SCRIPT = Path(worker_app.__file__)


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail("TEST_REDIS_URL must be set in CI (bash .ci/run sets it)")
    pytest.skip("set TEST_REDIS_URL=redis://127.0.0.1:6379/15 to test the worker on Redis")


@pytest.fixture
def queued(real_commits, redis_url, monkeypatch):
    """The real-commits app sending jobs to a queue of this test's own on Redis, with the
    worker script's job kinds; yields (real_commits, environment for the worker)."""
    app = real_commits.app
    queue_name = f"test-{uuid.uuid4().hex}"
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", queue_name)
    kinds = dict(app.extensions.get(jobs.JOBS_KEY, {}))
    monkeypatch.setitem(app.extensions, jobs.JOBS_KEY, kinds)
    jobs.register(app, "test.note", worker_app.note, title="A note", retry_intervals=(0,))
    jobs.register(
        app, "test.stall_once", worker_app.stall_once, title="A stall", retry_intervals=(0,)
    )
    env = os.environ | {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": redis_url,
        "JOBS_QUEUE": queue_name,
        "SECRET_KEY": "worker-test",
    }
    yield real_commits, env
    Queue(queue_name, connection=Redis.from_url(redis_url)).delete(delete_jobs=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child of the (also killed) worker is reaped by init; until then it is a zombie.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def run_state(real_commits, run_id):
    """The run's state, tries and message, read as a page would (a reader: on SQLite it does
    not wait for the job's write transaction)."""
    table = JobRun.__table__
    with real_commits.app.app_context(), db.engine.connect() as connection:
        row = connection.execute(
            sa.select(table.c.state, table.c.attempts, table.c.message).where(table.c.id == run_id)
        ).one()
    return JobState(row.state), row.attempts, row.message


def test_job_asked_for_by_the_app_is_done_by_the_worker(queued):
    real_commits, env = queued
    run_id = real_commits.run(lambda: jobs.enqueue("test.note", source="a test").id)
    assert run_state(real_commits, run_id)[0] is JobState.QUEUED  # waiting: not run in the app
    done = subprocess.run(  # noqa: S603 (this test's own worker script, this interpreter)
        [sys.executable, str(SCRIPT), "--burst", "--no-schedule"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert run_state(real_commits, run_id) == (JobState.FINISHED, 1, None), done.stderr[-3000:]
    assert real_commits.run(worker_app.notes, run_id) == 1


def test_killed_worker_leaves_nothing_half_done_and_the_job_is_done_once(queued, tmp_path):
    real_commits, env = queued
    stall_file = tmp_path / "stalled"
    env = env | {"STALL_FILE": str(stall_file)}
    run_id = real_commits.run(lambda: jobs.enqueue("test.stall_once").id)
    worker = subprocess.Popen(  # noqa: S603 (this test's own worker script, this interpreter)
        [sys.executable, str(SCRIPT), "--no-schedule"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not stall_file.exists():
            assert worker.poll() is None, "the worker stopped before the job began"
            assert time.monotonic() < deadline, "the job never began"
            time.sleep(0.2)
        # Mid-job: its write is made but not committed.
        assert run_state(real_commits, run_id)[:2] == (JobState.RUNNING, 1)
    finally:
        # The worker and the process running the job (RQ puts that in a session of its own).
        os.killpg(worker.pid, signal.SIGKILL)
        if stall_file.exists():
            horse = int(stall_file.read_text())
            os.kill(horse, signal.SIGKILL)
            while _alive(horse):
                time.sleep(0.1)
        worker.wait(timeout=30)
    assert real_commits.run(worker_app.notes, run_id) == 0  # nothing of the killed try
    # RQ finds the job abandoned once its dead worker's heartbeat has run out (here: told that
    # the time has come) and puts it back for its next try.
    connection = Redis.from_url(env["REDIS_URL"])
    queue = Queue(env["JOBS_QUEUE"], connection=connection)
    StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 3600)
    done = subprocess.run(  # noqa: S603 (this test's own worker script, this interpreter)
        [sys.executable, str(SCRIPT), "--burst", "--no-schedule"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert run_state(real_commits, run_id)[:2] == (JobState.FINISHED, 2)
    assert real_commits.run(worker_app.notes, run_id) == 1
