"""The work done on a schedule (the nightly eligibility, the quarter-hourly live reports, mail
retries, retention), defined in code and run by `flask worker`: an operator starts workers and
nothing else.

Each entry names a registered job and when it is due: every so many minutes, or once a day at a
time of day (UTC). Time is cut into slots (the quarter-hour, the day); the first worker to see
a slot begin takes it with an atomic Redis SET NX on the slot's key and asks for the job, so
several workers ask once per slot, and a worker started late asks at once for the slot under
way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask import Flask, current_app

SCHEDULE_KEY = "civicladder.schedule"
_SLOT_PREFIX = "civicladder:schedule:"


@dataclass(frozen=True)
class Entry:
    job: str
    every: timedelta | None = None  # every so long, slots counted from midnight UTC
    daily_at: time | None = None  # once a day, at this UTC time

    def slot(self, now: datetime) -> tuple[datetime, timedelta]:
        """The slot `now` falls in: when it began, and how long slots last."""
        now = now.astimezone(UTC)
        midnight = datetime.combine(now.date(), time(0), tzinfo=UTC)
        if self.every is not None:
            count = (now - midnight) // self.every
            return midnight + count * self.every, self.every
        at = datetime.combine(now.date(), self.daily_at, tzinfo=UTC)
        day = timedelta(days=1)
        return (at if now >= at else at - day), day

    def describe(self) -> str:
        if self.every is not None:
            return f"every {int(self.every.total_seconds() // 60)} minutes"
        return f"daily at {self.daily_at:%H:%M} UTC"


def register(
    app: Flask, job: str, *, every: timedelta | None = None, daily_at: time | None = None
) -> None:
    """A package puts one of its registered jobs on the schedule."""
    if (every is None) == (daily_at is None):
        raise ValueError("a scheduled job runs either every so long or daily at a time")
    if every is not None and (every <= timedelta(0) or timedelta(days=1) % every):
        raise ValueError("`every` must divide a day evenly")
    app.extensions.setdefault(SCHEDULE_KEY, []).append(Entry(job, every, daily_at))


def entries() -> list[Entry]:
    return list(current_app.extensions.get(SCHEDULE_KEY, []))


def due(redis, now: datetime, listed: Iterable[Entry] | None = None) -> list[Entry]:
    """The entries whose current slot no worker has taken yet; taking them as it goes."""
    taken = []
    for entry in entries() if listed is None else listed:
        start, length = entry.slot(now)
        key = f"{_SLOT_PREFIX}{current_app.config['JOBS_QUEUE']}:{entry.job}:{start.isoformat()}"
        # Kept for two slots, so a slot is never taken twice while it can still be current.
        if redis.set(key, now.isoformat(), nx=True, ex=int(length.total_seconds() * 2)):
            taken.append(entry)
    return taken


def tick(redis, now: datetime) -> list[int]:
    """Ask for every job whose slot has come (each in its own committed transaction); the ids
    of the runs asked for. A slot whose job is still queued or running from an earlier slot
    is let go, so a job that outlasts its interval never piles up behind itself."""
    from civicladder import jobs, transaction

    asked = []
    for entry in due(redis, now):
        with transaction.unit_of_work():
            if jobs.in_flight(entry.job) is not None:
                continue
            run = jobs.enqueue(entry.job, title=jobs.scheduled_title(entry.job))
        asked.append(run.id)
    return asked
