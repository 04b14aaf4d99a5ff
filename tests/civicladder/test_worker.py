"""With REDIS_URL set, jobs wait on RQ for `flask worker`, a process of its own: a job asked for
by the app is done by the worker; a worker killed half-way through a job leaves nothing of it
written, and the job is done once, whole, by the next try."""

from __future__ import annotations

import contextlib
import dataclasses
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

from civicladder import import_jobs, jobs, notify
from civicladder.access import Role
from civicladder.db import db
from civicladder.models import AuditEvent, JobRun, JobState, User
from people.models import Employee
from reports import services as report_services
from reports.models import ReportPdf, ReportSnapshot
from reports.rules import parse_period
from reports.tables import UNIT
from tests.civicladder import worker_app
from tests.civicladder.smtp_server import SMTPServer
from tests.people.test_roster import roster_csv, roster_row

SCRIPT = Path(worker_app.__file__)


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


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _kill_worker(worker: subprocess.Popen, *more: int) -> None:
    """SIGKILL to the worker, the process running its job (RQ gives that a session of its
    own) and any other named; waits until they are gone."""
    doomed = [*_children(worker.pid), *more]
    os.killpg(worker.pid, signal.SIGKILL)
    for pid in doomed:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.1)
    worker.wait(timeout=30)


def _start_worker(env: dict) -> subprocess.Popen:
    """A worker that runs until killed, in a session of its own (`_kill_worker`)."""
    return subprocess.Popen(  # noqa: S603 (this test's own worker script, this interpreter)
        [sys.executable, str(SCRIPT), "--no-schedule"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _kill_mid_job(env: dict, stall_file: Path, state) -> None:
    """Start a worker, wait until its job says (in `stall_file`) that it has written and is
    stalling, check that `state()` is (running, first try) then, and kill the worker."""
    worker = _start_worker(env)
    try:
        deadline = time.monotonic() + 90
        while not stall_file.exists():
            assert worker.poll() is None, "the worker stopped before the job began"
            assert time.monotonic() < deadline, "the job never began"
            time.sleep(0.2)
        assert state() == (JobState.RUNNING, 1)
    finally:
        _kill_worker(worker, *([int(stall_file.read_text())] if stall_file.exists() else []))


def _find_abandoned(env: dict) -> None:
    """RQ finds a job abandoned once its dead worker's heartbeat has run out (here: told that
    the time has come) and puts it back for its next try."""
    queue = Queue(env["JOBS_QUEUE"], connection=Redis.from_url(env["REDIS_URL"]))
    StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 3600)


def _burst(env: dict) -> subprocess.CompletedProcess:
    """A worker in burst mode: it does what is queued and stops."""
    return subprocess.run(  # noqa: S603 (this test's own worker script, this interpreter)
        [sys.executable, str(SCRIPT), "--burst", "--no-schedule"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


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
    done = _burst(env)
    assert done.returncode == 0, done.stderr
    assert run_state(real_commits, run_id) == (JobState.FINISHED, 1, None), done.stderr[-3000:]
    assert real_commits.run(worker_app.notes, run_id) == 1


def test_killed_worker_leaves_nothing_half_done_and_the_job_is_done_once(queued, tmp_path):
    real_commits, env = queued
    stall_file = tmp_path / "stalled"
    env = env | {"STALL_FILE": str(stall_file)}
    run_id = real_commits.run(lambda: jobs.enqueue("test.stall_once").id)
    # Mid-job: its write is made but not committed.
    _kill_mid_job(env, stall_file, lambda: run_state(real_commits, run_id)[:2])
    assert real_commits.run(worker_app.notes, run_id) == 0  # nothing of the killed try
    _find_abandoned(env)
    done = _burst(env)
    assert done.returncode == 0, done.stderr
    assert run_state(real_commits, run_id)[:2] == (JobState.FINISHED, 2)
    assert real_commits.run(worker_app.notes, run_id) == 1


def test_worker_killed_mid_mail_sends_every_message_once(queued, monkeypatch):
    real_commits, env = queued
    with SMTPServer(stall_on="Second") as server:
        monkeypatch.setitem(real_commits.app.config, "MAIL_URL", server.url)
        env = env | {"MAIL_URL": server.url, "MAIL_RECLAIM_SECONDS": "1"}
        real_commits.run(
            lambda: [
                notify.email(f"{subject.lower()}@city.test", subject)
                for subject in ("First", "Second", "Third")
            ]
        )
        worker = _start_worker(env)
        try:
            assert server.stalled.wait(90), "the worker never reached the second message"
        finally:
            _kill_worker(worker)
        assert [mail["Subject"] for mail in server.received] == ["First"]
        time.sleep(1.5)  # the dead sender's claim on "Second" runs out
        # The next run of the mail job (the schedule asks for one every few minutes).
        real_commits.run(lambda: jobs.enqueue(notify.SEND_JOB))
        server.stall_on = None
        done = _burst(env)
        assert done.returncode == 0, done.stderr
    assert sorted(mail["Subject"] for mail in server.received) == ["First", "Second", "Third"]


def test_worker_killed_mid_publish_leaves_no_snapshot_and_the_next_try_publishes_once(
    queued, tmp_path, people, make_user
):
    real_commits, env = queued
    stall_file = tmp_path / "stalled"
    env = env | {"STALL_FILE": str(stall_file), "STALL_PUBLISHING": "1"}
    # The next try at once rather than after RQ's usual wait (the queue's retry is set here).
    kinds = real_commits.app.extensions[jobs.JOBS_KEY]  # the test's own copy (`queued`)
    name = report_services.PUBLISH_JOB
    kinds[name] = dataclasses.replace(kinds[name], retry_intervals=(0,))

    def ask():
        unit = people.bargaining_unit(code="KILL1", name="Kill Local")
        for n in range(6):
            people.employee(bargaining_unit=unit, employee_number=f"KP{n}")
        hr = make_user({Role.HR})
        run = report_services.request_publication(hr, UNIT, unit.id, parse_period("2026Q3"))
        return run.id, unit.id

    run_id, unit_id = real_commits.run(ask)
    _kill_mid_job(env, stall_file, lambda: run_state(real_commits, run_id)[:2])

    def published():
        snapshots = db.session.scalars(
            sa.select(ReportSnapshot.id).where(ReportSnapshot.bargaining_unit_id == unit_id)
        ).all()
        pdfs = db.session.scalar(
            sa.select(sa.func.count(ReportPdf.snapshot_id)).where(
                ReportPdf.snapshot_id.in_(snapshots or [0])
            )
        )
        return len(snapshots), pdfs

    assert real_commits.run(published) == (0, 0)  # the killed try wrote nothing
    _find_abandoned(env)
    done = _burst(env)
    assert done.returncode == 0, done.stderr
    assert run_state(real_commits, run_id)[:2] == (JobState.FINISHED, 2), done.stderr[-3000:]
    assert real_commits.run(published) == (1, 1)


def test_worker_killed_mid_import_writes_nothing_and_the_next_try_imports_once(
    queued, tmp_path, make_user
):
    real_commits, env = queued
    stall_file = tmp_path / "stalled"
    env = env | {"STALL_FILE": str(stall_file), "STALL_IMPORT": "1"}
    kinds = real_commits.app.extensions[jobs.JOBS_KEY]  # the test's own copy (`queued`)
    name = "import.roster.write"
    kinds[name] = dataclasses.replace(kinds[name], retry_intervals=(0,))
    prefix = f"K{uuid.uuid4().hex[:6]}-"
    data = roster_csv(*(roster_row(f"{prefix}{n}") for n in range(3)))

    def check():
        hr = make_user({Role.HR})
        return hr.id, import_jobs.request_check(hr, "roster", data, "roster.csv").id

    hr_id, check_id = real_commits.run(check)
    done = _burst(env)  # the check: no stall there
    assert run_state(real_commits, check_id)[0] is JobState.FINISHED, done.stderr[-3000:]
    write_id = real_commits.run(
        lambda: import_jobs.request_write(db.session.get(User, hr_id), "roster", check_id).id
    )
    _kill_mid_job(env, stall_file, lambda: run_state(real_commits, write_id)[:2])

    def imported():
        employees = db.session.scalar(
            sa.select(sa.func.count(Employee.id)).where(Employee.employee_number.startswith(prefix))
        )
        events = db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.action == "roster.imported", AuditEvent.actor_id == hr_id
            )
        )
        return employees, events

    assert real_commits.run(imported) == (0, 0)  # the killed try wrote nothing
    _find_abandoned(env)
    done = _burst(env)
    assert done.returncode == 0, done.stderr
    assert run_state(real_commits, write_id)[:2] == (JobState.FINISHED, 2), done.stderr[-3000:]
    assert real_commits.run(imported) == (3, 1)
