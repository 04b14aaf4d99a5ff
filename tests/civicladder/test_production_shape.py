"""The production shape on this machine (deploy/shape.py): PgBouncer in transaction pooling mode
in front of PostgreSQL, two gunicorn app servers from two separate checkouts of the current
commit (own code, own instance folder; the same SECRET_KEY, DATABASE_URL through PgBouncer and
REDIS_URL), and one `flask worker`. Real processes over HTTP; every one is stopped at the end.
Checked: a sign-in on one server is honoured by the other, a file uploaded through one
downloads through the other, a job asked for through one is done by the worker, and seats hold
under 50 requests at once split across both.

PostgreSQL only: PgBouncer pools PostgreSQL connections, so on SQLite there is nothing to test.
The checkouts are of the last commit: uncommitted changes are not in them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import psycopg
import pytest
import sqlalchemy as sa
from argon2 import profiles
from redis import Redis
from rq import Queue

from academy.models import CourseSession, Enrollment
from academy.models import EnrollmentStatus as S
from civicladder import config
from civicladder.access import Role
from civicladder.db import db
from civicladder.models import JobRun, JobState, User
from deploy import shape
from tests.academy.factories import academy_factories
from tests.civicladder.factories import PASSWORD
from tests.civicladder.real_server import _CSRF_FIELD, Visitor
from tests.civicladder.smtp_server import SMTPServer

pytestmark = pytest.mark.shape

SEATS = 10
REQUESTS = 50
WORKERS_SEEN = 8  # requests to one server that all but surely reach each of its 2 workers


def _needed(what: str, how: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is needed in CI ({how})")
    pytest.skip(f"{what}: {how}")


@pytest.fixture
def production_shape(request, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("not applicable on SQLite: the shape pools PostgreSQL connections")
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        _needed("TEST_REDIS_URL", "set it, e.g. redis://127.0.0.1:6379/15; bash .ci/run does")
    try:
        shape.pgbouncer_binary()
    except shape.ShapeError as error:
        _needed("pgbouncer", str(error))
    real_commits = request.getfixturevalue("real_commits")
    url = real_commits.app.config["SQLALCHEMY_DATABASE_URI"].replace("+psycopg", "", 1)
    queue = f"shape-{uuid.uuid4().hex}"
    settings = {
        "JOBS_QUEUE": queue,
        # Every request of the test comes from one address, and the limits' counts live in
        # Redis across runs: the per-address limits would refuse a later run.
        "SIGNIN_LIMIT_PER_ADDRESS": "10000 per minute",
        "APPLICATION_LIMIT_PER_ADDRESS": "10000 per minute",
        # The test users' hashes are made at argon2's cheapest cost; kept at it.
        "ARGON2_TIME_COST": str(profiles.CHEAPEST.time_cost),
        "ARGON2_MEMORY_COST": str(profiles.CHEAPEST.memory_cost),
        "ARGON2_PARALLELISM": str(profiles.CHEAPEST.parallelism),
    }
    with SMTPServer() as mail:
        settings["MAIL_URL"] = mail.url
        try:
            with shape.running(url, redis_url, settings=settings, schedule=False) as running:
                running.mail = mail
                yield real_commits, running
        finally:
            Queue(queue, connection=Redis.from_url(redis_url)).delete(delete_jobs=True)


def test_two_app_servers_a_worker_and_pgbouncer_work_as_one_site(production_shape):
    real, running = production_shape
    a, b = running.servers

    # Two checkouts: each server runs the code of its own folder.
    for server in (a, b):
        found = subprocess.run(  # noqa: S603 (this interpreter, the checkout's own package)
            [sys.executable, "-c", "import civicladder; print(civicladder.__file__)"],
            cwd=server.folder,
            env=shape.app_env(server.folder, {}),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert found.startswith(str(server.folder) + os.sep), found
    assert a.folder != b.folder

    admin_email = f"admin-{uuid.uuid4().hex[:8]}@city.test"
    real.run(lambda: _make_admin(admin_email))

    # A sign-in on A is honoured by B: the same cookie opens B's pages.
    visitor = Visitor(a.url).sign_in(admin_email, PASSWORD)
    visitor.base_url = b.url
    assert _final_path(visitor, "/admin/users/new") == "/admin/users/new"
    # And not because B lets anyone in: a stranger is sent to sign in.
    assert _final_path(Visitor(b.url), "/admin/users/new") == "/sign-in"

    # A job asked for through A (the invitation email of a new user) is done by the worker.
    visitor.base_url = a.url
    invited = f"invited-{uuid.uuid4().hex[:8]}@city.example.gov"
    token = _csrf(visitor.get("/admin/users/new").body)
    made = visitor.post(
        "/admin/users/new",
        {"csrf_token": token, "full_name": "Invited Person", "email": invited, "roles": "employee"},
    )
    assert made.status == 200, made.body[:500]
    _wait_for(
        lambda: any(message["To"] == invited for message in running.mail.received),
        "the invitation email, sent by the worker",
        running,
    )
    _wait_for(
        lambda: real.run(_mail_jobs) == [JobState.FINISHED],
        "the sending job recorded as finished",
        running,
    )

    # A file uploaded through A downloads through B: a candidate applies with a work sample
    # through A; HR, signed in on B, downloads it byte for byte (neither keeps it on its disk).
    hr_email, round_id, questions = real.run(_open_round)
    sample = ("A work sample written for the shape test.\n" * 30_000).encode()  # 1.2 chunks
    candidate = f"sam.{uuid.uuid4().hex[:8]}@example.test"  # a new address each run
    posted = Visitor(a.url).post_form(
        f"/jobs/{round_id}",
        {
            "full_name": "Sam Shape",
            "email": candidate,
            **{f"answer_{qid}": "An answer." for qid in questions},
        },
        {"upload": ("sample.txt", sample)},
    )
    assert posted.status == 200, posted.body[:2000]
    application_id = real.run(lambda: _application_of(candidate))
    fetched = (
        Visitor(b.url)
        .sign_in(hr_email, PASSWORD)
        .get(f"/hiring/applications/{application_id}/file")
    )
    assert fetched.status == 200 and fetched.body == sample
    assert fetched.header("Content-Length") == str(len(sample))

    # What a server keeps between requests follows a change made through the other: B has
    # rendered the framework; HR renames a category through A; B's next page shows the name.
    old_name, new_name = f"Shape skills {uuid.uuid4().hex[:6]}", f"Renamed {uuid.uuid4().hex[:6]}"
    category_id = real.run(lambda: _category(hr_email, old_name))
    reader = Visitor(b.url).sign_in(hr_email, PASSWORD)
    for _ in range(WORKERS_SEEN):  # enough requests to reach each of B's workers
        assert old_name in reader.get("/competencies").body.decode()
    editor = Visitor(a.url).sign_in(hr_email, PASSWORD)
    edit = f"/competencies/categories/{category_id}/edit"
    renamed = editor.post(edit, {"csrf_token": _csrf(editor.get(edit).body), "name": new_name})
    assert renamed.status == 200, renamed.body[:1000]
    for _ in range(WORKERS_SEEN):
        page = reader.get("/competencies").body.decode()
        assert new_name in page and old_name not in page

    # Seats hold: 50 requests at once for 10 seats, split across both servers.
    session_id, emails = real.run(lambda: _session_and_people(real))
    visitors = [Visitor((a, b)[n % 2].url) for n in range(REQUESTS)]
    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda pair: pair[0].sign_in(pair[1], PASSWORD), zip(visitors, emails, strict=True)
            )
        )
    tokens = []
    for n, person in enumerate(visitors):
        person.base_url = (b, a)[n % 2].url  # each asks through the other server
        tokens.append(_csrf(person.get(f"/academy/sessions/{session_id}").body))
    start = Barrier(REQUESTS)

    def ask(n: int):
        start.wait(timeout=60)
        return visitors[n].post(
            f"/academy/sessions/{session_id}/request", {"csrf_token": tokens[n]}
        )

    with ThreadPoolExecutor(REQUESTS) as pool:
        answers = list(pool.map(ask, range(REQUESTS)))
    assert [answer.status for answer in answers] == [200] * REQUESTS  # the redirect, followed
    seats, statuses = real.run(
        lambda: (
            db.session.get(CourseSession, session_id).enrolled,
            db.session.scalars(
                sa.select(Enrollment.status)
                .where(Enrollment.session_id == session_id)
                .order_by(Enrollment.arrival)
            ).all(),
        )
    )
    assert seats == SEATS
    assert statuses == [S.ENROLLED] * SEATS + [S.WAITLISTED] * (REQUESTS - SEATS)
    # Every visitor read the session's page (kept per reader, caching.kept_page) before the
    # race: on either server, the page now shows the seats the race took.
    for server in (a, b):
        visitors[0].base_url = server.url
        for _ in range(WORKERS_SEEN):
            page = visitors[0].get(f"/academy/sessions/{session_id}").body.decode()
            assert f"{SEATS} of {SEATS} taken" in page

    # Why the app turns prepared statements off: through PgBouncer, psycopg's own default
    # fails once statements are prepared on connections that others then get; the app's works.
    assert _prepared_statement_errors(running.pgbouncer.url, prepare_threshold=5) > 0
    options = config.engine_options("pgbouncer", running.pgbouncer.url)
    assert _prepared_statement_errors(running.pgbouncer.url, **options["connect_args"]) == 0

    # Every server is still up, and PgBouncer logged no error from these connections.
    for part in (a.process, b.process, running.worker.process):
        assert part.running(), part.log_tail()
    assert "prepared statement" not in running.pgbouncer.log_tail(500)


def _prepared_statement_errors(url: str, **connect_args) -> int:
    """One statement run 40 times over four connections in turn, each run its own
    transaction (so PgBouncer may hand each to another server connection); the failures."""
    connections = [psycopg.connect(url, autocommit=True, **connect_args) for _ in range(4)]
    failures = 0
    try:
        for n in range(40):
            try:
                connections[n % 4].execute(
                    "SELECT count(*) FROM user_account WHERE id > %s", (n,)
                ).fetchone()
            except psycopg.Error:
                failures += 1
    finally:
        for connection in connections:
            connection.close()
    return failures


def _mail_jobs() -> list[JobState]:
    return db.session.scalars(sa.select(JobRun.state).where(JobRun.kind == "mail.send")).all()


def _category(hr_email: str, name: str) -> int:
    from competencies import services as competency_services

    hr = db.session.scalar(sa.select(User).where(User.email == hr_email))
    return competency_services.create_category(hr, name).id


def _make_admin(email: str) -> None:
    from civicladder.security import hash_password
    from tests.civicladder.factories import make_user_factory

    make_user_factory(hash_password(PASSWORD))({Role.ADMIN}, email=email)


def _open_round():
    """An open hiring round and an HR officer: (HR's email, the round, its questions)."""
    from civicladder.security import hash_password
    from hiring.models import RoundQuestion, RoundStatus
    from tests.civicladder.factories import make_user_factory
    from tests.competencies.factories import competency_factories
    from tests.hiring.factories import hiring_factories

    make_user = make_user_factory(hash_password(PASSWORD))
    hiring = hiring_factories(make_user, competency_factories())
    hr = make_user({Role.HR}, email=f"hr-{uuid.uuid4().hex[:8]}@city.test")
    hiring_round = hiring.round(RoundStatus.OPEN)
    questions = db.session.scalars(
        sa.select(RoundQuestion.id).where(RoundQuestion.round_id == hiring_round.id)
    ).all()
    return hr.email, hiring_round.id, questions


def _application_of(email: str) -> int:
    from hiring.models import Application

    return db.session.scalar(sa.select(Application.id).where(Application.email == email))


def _session_and_people(real):
    from civicladder.security import hash_password
    from tests.civicladder.factories import make_user_factory
    from tests.competencies.factories import competency_factories
    from tests.people.factories import people_factories

    people = people_factories(make_user_factory(hash_password(PASSWORD)))
    academy = academy_factories(competency_factories())
    run = uuid.uuid4().hex[:8]
    session = academy.session(capacity=SEATS, days=3)
    emails = []
    for n in range(REQUESTS):
        _, user = people.employee_user(
            employee_number=f"SHAPE{run}-{n}", email=f"s{run}.{n}@city.test"
        )
        emails.append(user.email)
    return session.id, emails


def _csrf(body: bytes) -> str:
    found = _CSRF_FIELD.search(body.decode())
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def _final_path(visitor: Visitor, path: str) -> str:
    with visitor.opener.open(visitor.base_url + path, timeout=60) as response:
        return urllib.parse.urlsplit(response.url).path


def _wait_for(check, what: str, running, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, (
            f"{what} did not happen within {seconds:.0f} s; the worker's log:\n"
            + running.worker.process.log_tail()
        )
        time.sleep(0.2)
