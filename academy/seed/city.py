"""The academy part of the synthetic city: a course for every 200 employees, sessions from three
years back to six months ahead, and about five enrolments per employee, streamed in bulk.

Each session's story (capacity, who asked, what became of them) comes from a generator seeded
by the city's seed and the session's number, so the enrolments and the certificates that follow
them are generated in two passes that agree, without holding millions of rows in memory.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import click
import sqlalchemy as sa

from academy.completion import CODE_ALPHABET
from academy.models import (
    Certificate,
    Course,
    CourseOutcome,
    CourseSession,
    DeliveryMode,
    Enrollment,
    EnrollmentStatus,
)
from academy.rules import add_months
from civicladder import audit, bulk, querying
from civicladder.cli import CityContext
from civicladder.db import db
from competencies.models import Competency
from people.models import Employee

EMPLOYEES_PER_COURSE = 200
MIN_COURSES = 15
ENROLMENTS_PER_EMPLOYEE = 5
PAST_DAYS, FUTURE_DAYS = 3 * 365, 182
SESSION_LENGTH = timedelta(hours=6)
S = EnrollmentStatus
TOPICS = ("Foundations of", "Practice in", "Advanced", "Refresher:", "Workshop:")
MODES = list(DeliveryMode)
SESSION_COLUMNS = (
    "id", "course_id", "starts_at", "ends_at", "location", "online_url",
    "instructor_id", "capacity", "enrolled", "arrivals",
)  # fmt: skip
ENROLLMENT_COLUMNS = (
    "id", "session_id", "employee_id", "status", "arrival", "requested_at",
    "decision_reason", "score", "result_on",
)  # fmt: skip
CERTIFICATE_COLUMNS = (
    "id", "enrollment_id", "code", "issued_on", "expires_on", "course_code", "course_title",
    "hours", "first_day", "last_day", "instructor_name", "outcomes", "revocation_reason",
)  # fmt: skip


def build(ctx: CityContext) -> None:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Course)):
        raise click.ClickException(
            "The database already has courses: `flask seed city` only builds into a database "
            "without them. The city was not generated."
        )
    staff = ctx.built["staff"]
    courses = _courses(ctx)
    plan = _SessionPlan(ctx, courses, len(staff))
    with ctx.progress("course sessions", plan.count) as bar:
        sessions = bulk.load(CourseSession.__table__, SESSION_COLUMNS, plan.sessions(bar.update))
    with ctx.progress("enrolments", plan.count) as bar:
        enrolments = bulk.load(
            Enrollment.__table__, ENROLLMENT_COLUMNS, plan.enrollments(bar.update), batch=20000
        )
    certificates = bulk.load(Certificate.__table__, CERTIFICATE_COLUMNS, plan.certificates())
    bulk.finish(
        [
            Course.__table__,
            CourseOutcome.__table__,
            CourseSession.__table__,
            Enrollment.__table__,
            Certificate.__table__,
        ]
    )
    counts = {
        "courses": len(courses),
        "sessions": sessions,
        "enrolments": enrolments,
        "certificates": certificates,
    }
    audit.record(
        None,
        "city.academy_generated",
        None,
        after=counts | {"seed": ctx.seed},
        label=f"Synthetic city, seed {ctx.seed}",
    )
    ctx.say(", ".join(f"{value:,} {name}" for name, value in counts.items()))


def _courses(ctx: CityContext) -> list[tuple[int, int | None, tuple]]:
    """The courses and their outcomes; returns (course id, validity in months, what its
    certificates keep: code, title, hours, outcomes) for each."""
    rng = ctx.rng
    competencies = ctx.built["competencies"]
    words = {
        ident: (code, name)
        for ident, code, name in db.session.execute(
            sa.select(Competency.id, Competency.code, Competency.name)
        )
    }
    count = max(MIN_COURSES, ctx.employees // EMPLOYEES_PER_COURSE)
    first = bulk.next_id(Course.__table__)
    courses, outcomes, made = [], [], []
    for n in range(count):
        ident = first + n
        mode = rng.choice(MODES)
        course = (
            ident,
            f"C{n + 1:05d}",
            f"{rng.choice(TOPICS)} topic {n + 1}",
            "",
            rng.choice((3, 4, 6, 8, 12, 16, 24)),
            mode,
            rng.random() < 0.3,
        )
        courses.append(course)
        validity = rng.choice((None, None, 12, 24, 36))
        granted = []
        for competency in sorted(rng.sample(competencies, rng.choice((1, 1, 2)))):
            level = rng.choice((2, 3, 3, 4))
            outcomes.append((ident, competency, level, validity))
            code, name = words[competency]
            granted.append(
                {"code": code, "name": name, "level": level, "validity_months": validity}
            )
        made.append((ident, validity, (course[1], course[2], course[4], granted)))
    bulk.load(
        Course.__table__,
        ("id", "code", "title", "description", "hours", "delivery_mode", "needs_manager_approval"),
        courses,
    )
    bulk.load(
        CourseOutcome.__table__,
        ("course_id", "competency_id", "level", "validity_months"),
        outcomes,
    )
    return made


class _SessionPlan:
    def __init__(self, ctx: CityContext, courses: list[tuple[int, int | None]], people: int):
        self.ctx = ctx
        self.courses = courses
        self.people = people
        self.first_employee = ctx.built["staff"].first_id
        self._offsets = [0]  # enrolments held by the sessions before session n
        # About a dozen requests a session: enough sessions for five enrolments a person.
        self.count = max(len(courses) * 2, people * ENROLMENTS_PER_EMPLOYEE // 12)
        self.first_session = bulk.next_id(CourseSession.__table__)
        self.first_enrollment = bulk.next_id(Enrollment.__table__)
        self.first_certificate = bulk.next_id(Certificate.__table__)
        self.today = ctx.as_of

    def _story(self, n: int):
        """Session n: its course, start, capacity and the people who asked, in arrival order."""
        rng = random.Random(f"{self.ctx.seed}:academy:{n}")
        course, validity, _ = self.courses[n % len(self.courses)]
        offset = rng.randint(-PAST_DAYS, FUTURE_DAYS)
        start = datetime.combine(
            self.today + timedelta(days=offset), time(13 + rng.randint(0, 4)), tzinfo=UTC
        )
        capacity = rng.choice((8, 10, 12, 15, 20, 25))
        asked = min(self.people, max(1, int(capacity * rng.uniform(0.4, 1.3))))
        people = rng.sample(range(self.people), asked)
        return rng, course, validity, start, offset < 0, capacity, people

    def _enrolments_before(self, n: int) -> int:
        offsets = self._offsets
        while len(offsets) <= n:
            people = self._story(len(offsets) - 1)[-1]
            offsets.append(offsets[-1] + len(people) - 1)
        return offsets[n]

    def sessions(self, progress) -> Iterator[tuple]:
        for n in range(self.count):
            _, course, _, start, _, capacity, people = self._story(n)
            instructor = self.first_employee + people[0]  # the first to ask teaches instead
            seats = min(capacity, len(people) - 1)
            yield (
                self.first_session + n, course, start, start + SESSION_LENGTH,
                f"Training Center, Room {100 + n % 40}", "", instructor, capacity, seats,
                len(people) - 1,
            )  # fmt: skip
            if n % 1000 == 999:
                progress(1000)

    def _outcomes(self, n: int) -> Iterator[tuple]:
        """(enrolment id, session id, employee id, status, arrival, start, score, validity)."""
        rng, course, validity, start, past, capacity, people = self._story(n)
        session_id = self.first_session + n
        ident = self.first_enrollment + self._enrolments_before(n)
        for arrival, person in enumerate(people[1:], start=1):
            if arrival <= capacity:
                if past:
                    roll = rng.random()
                    status = S.COMPLETED if roll < 0.8 else S.FAILED if roll < 0.9 else S.NO_SHOW
                else:
                    status = S.ENROLLED
            else:
                status = S.WITHDRAWN if past else S.WAITLISTED
            score = rng.randint(60, 100) if status == S.COMPLETED else None
            yield ident, session_id, self.first_employee + person, status, arrival, start, score
            ident += 1

    def enrollments(self, progress) -> Iterator[tuple]:
        for n in range(self.count):
            for ident, session_id, employee, status, arrival, start, score in self._outcomes(n):
                asked = start - timedelta(days=20 + arrival)
                result_on = start.date() if status in (S.COMPLETED, S.FAILED, S.NO_SHOW) else None
                yield (
                    ident, session_id, employee, status, arrival, asked, "", score, result_on,
                )  # fmt: skip
            if n % 1000 == 999:
                progress(1000)

    def certificates(self) -> Iterator[tuple]:
        """Each completion's certificate, with what it certified, dated the session's last day
        in the city's time zone. The instructors' names are read now, before the rows are
        written: PostgreSQL's COPY holds the connection while it takes them."""
        return self._certificates(self._instructor_names())

    def _certificates(self, names: dict[int, str]) -> Iterator[tuple]:
        ident = self.first_certificate
        rng = random.Random(f"{self.ctx.seed}:academy:codes")
        zone = querying.display_zone()
        for n in range(self.count):
            _, validity, (course_code, title, hours, granted) = self.courses[n % len(self.courses)]
            _, _, _, start, _, _, people = self._story(n)
            first_day = start.astimezone(zone).date()
            last_day = (start + SESSION_LENGTH).astimezone(zone).date()
            instructor = names.get(self.first_employee + people[0], "")
            for enrollment, _, _, status, _, _, _ in self._outcomes(n):
                if status != S.COMPLETED:
                    continue
                expires = add_months(last_day, validity) if validity else None
                raw = "".join(rng.choice(CODE_ALPHABET) for _ in range(12))
                code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
                yield (
                    ident, enrollment, code, last_day, expires, course_code, title, hours,
                    first_day, last_day, instructor, granted, "",
                )  # fmt: skip
                ident += 1

    def _instructor_names(self) -> dict[int, str]:
        """The sessions' instructors' names, in one query over the city's staff."""
        last = self.first_employee + self.people
        rows = db.session.execute(
            sa.select(Employee.id, Employee.first_name, Employee.last_name).where(
                Employee.id >= self.first_employee, Employee.id < last
            )
        )
        return {ident: f"{first} {last_name}" for ident, first, last_name in rows}
