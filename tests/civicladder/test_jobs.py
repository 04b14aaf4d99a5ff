"""Jobs without Redis (the embedded default): recorded in the asking transaction, run right
after it commits, never when it rolls back; a failure is recorded with its reason and leaves
nothing of the work behind. And the schedule's slots."""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from civicladder import jobs, schedule, transaction
from civicladder.db import db
from civicladder.errors import Invalid
from civicladder.models import AuditEvent, JobRun, JobState


@pytest.fixture
def job_kinds(app, monkeypatch):
    """Job kinds of this test's own, registered on the app for the test only."""
    registered = dict(app.extensions.get(jobs.JOBS_KEY, {}))
    monkeypatch.setitem(app.extensions, jobs.JOBS_KEY, registered)
    calls = []

    def record(run, **params):
        calls.append((run.id, params))
        db.session.add(
            AuditEvent(
                action="test.job_ran",
                actor_label="test",
                object_type="job_run",
                object_id=str(run.id),
            )
        )
        jobs.progress(run, 3, 3)
        return {"seen": sorted(params)}

    def refuse(run, **params):
        db.session.add(
            AuditEvent(
                action="test.job_wrote",
                actor_label="test",
                object_type="job_run",
                object_id=str(run.id),
            )
        )
        db.session.flush()
        raise Invalid("The file has no header row.")

    with app.app_context():
        jobs.register(app, "test.record", record, title="Recording")
        jobs.register(app, "test.refuse", refuse, title="Refusing")
    return calls


def audit_count(action: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def test_job_runs_after_the_asking_commit(app_ctx, job_kinds, make_user):
    asker = make_user()
    run = jobs.enqueue("test.record", actor=asker, source="roster.csv")
    assert job_kinds == []  # not before the commit
    assert run.state is JobState.QUEUED
    transaction.commit()
    assert job_kinds == [(run.id, {"source": "roster.csv"})]
    db.session.refresh(run)
    assert run.state is JobState.FINISHED
    assert run.result == {"seen": ["source"]}
    assert (run.done, run.total, run.attempts) == (3, 3, 1)
    assert run.requested_by_id == asker.id and run.title == "Recording"
    assert run.ended_at >= run.started_at
    assert audit_count("test.job_ran") == 1


def test_job_of_a_rolled_back_change_never_runs(app_ctx, job_kinds):
    run_id = jobs.enqueue("test.record").id
    transaction.rollback()
    transaction.commit()  # a later commit does not find it either
    assert job_kinds == []
    assert db.session.get(JobRun, run_id) is None


def test_failed_job_says_why_and_leaves_nothing_of_its_work(app_ctx, job_kinds):
    run = jobs.enqueue("test.refuse")
    transaction.commit()
    db.session.refresh(run)
    assert run.state is JobState.FAILED
    assert run.message == "The file has no header row."
    assert audit_count("test.job_wrote") == 0


def test_unknown_job_is_refused_before_anything_is_recorded(app_ctx):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(JobRun))
    with pytest.raises(LookupError):
        jobs.enqueue("test.no-such-job")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == before


def test_finished_run_is_not_run_again(app_ctx, job_kinds):
    run = jobs.enqueue("test.record")
    transaction.commit()
    jobs.perform(run.id)  # a second delivery of the same run, as a queue may make
    assert len(job_kinds) == 1


def test_schedule_slots():
    quarter = schedule.Entry("x", every=timedelta(minutes=15))
    nightly = schedule.Entry("y", daily_at=time(2, 0))
    at = datetime(2026, 12, 6, 10, 7, 30, tzinfo=UTC)
    assert quarter.slot(at) == (datetime(2026, 12, 6, 10, 0, tzinfo=UTC), timedelta(minutes=15))
    assert nightly.slot(at)[0] == datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    early = datetime(2026, 12, 6, 1, 59, tzinfo=UTC)
    assert nightly.slot(early)[0] == datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "when",
    [
        {},
        {"every": timedelta(minutes=7)},
        {"every": timedelta(0)},
        {"every": timedelta(hours=1), "daily_at": time(1)},
    ],
)
def test_schedule_refuses_entries_it_cannot_keep(app, when):
    with pytest.raises(ValueError):
        schedule.register(app, "x", **when)


@pytest.fixture
def redis(redis_url):
    from redis import Redis

    return Redis.from_url(redis_url)


def test_each_slot_is_taken_once_across_workers(app_ctx, redis):
    entry = schedule.Entry(
        f"test.slot-{os.getpid()}-{datetime.now().timestamp()}", every=timedelta(minutes=15)
    )
    at = datetime(2026, 12, 6, 10, 7, tzinfo=UTC)
    assert schedule.due(redis, at, [entry]) == [entry]
    # A second worker, the same slot: nothing to do.
    assert schedule.due(redis, at + timedelta(minutes=5), [entry]) == []
    # The next slot.
    assert schedule.due(redis, at + timedelta(minutes=8), [entry]) == [entry]


class _EverySlotFree:
    """Redis as the first worker of a slot sees it: every slot's key is free to take."""

    def set(self, *args, **kwargs) -> bool:
        return True


def test_a_scheduled_job_still_running_is_not_asked_for_again(app, app_ctx, job_kinds, monkeypatch):
    """A job that outlasts its interval (the live reports at a city's size, say) is not queued
    behind itself: its next slot is let go while it is queued or running."""
    entry = schedule.Entry("test.record", every=timedelta(minutes=15))
    monkeypatch.setitem(app.extensions, schedule.SCHEDULE_KEY, [entry])
    at = datetime(2026, 12, 6, 10, 7, tzinfo=UTC)
    running = JobRun(kind="test.record", title="Recording", params={}, state=JobState.RUNNING)
    db.session.add(running)
    transaction.commit()
    assert schedule.tick(_EverySlotFree(), at) == []
    running.state = JobState.FINISHED
    transaction.commit()
    asked = schedule.tick(_EverySlotFree(), at + timedelta(minutes=15))
    assert len(asked) == 1 and [call[0] for call in job_kinds] == asked


def test_every_scheduled_job_is_registered_and_runs(app_ctx):
    scheduled = {entry.job for entry in schedule.entries()}
    assert {
        "mail.send",
        "people.refresh-unit-figures",
        "autonomy.eligibility",
        "autonomy.notify-reviews",
        "hiring.anonymise",
        "hiring.lapse_offers",
        "reports.refresh-live",
        "reports.audit",
    } <= scheduled
    for name in sorted(scheduled):
        run = jobs.enqueue(name)
        transaction.commit()
        db.session.refresh(run)
        assert run.state is JobState.FINISHED, (name, run.message)
