"""Test setup: the schema is built by the migrations; each test runs in a rolled-back savepoint.

SQLite by default; PostgreSQL when TEST_DATABASE_URL is set. Under pytest-xdist each worker has
a database of its own (a file, or `<name>_gw0`, `<name>_gw1`, ... beside TEST_DATABASE_URL's).
Service tests use `app_ctx`; view tests use `client` / `client_as` and must not hold an app
context while making requests (a request reuses a held context, and with it `g` and the
signed-in user).

Factories only flush: the test's data lives in its transaction, and each request the test makes
gets a savepoint of its own, so a request that fails rolls back its own writes and nothing else.
Data that many tests only read is built once per module with `module_data` (see ModuleData).

Concurrency tests use `real_commits` instead: a second app on a database of its own (built by
the migrations once per test module), where work commits for real and several connections race.
"""

from __future__ import annotations

import gc
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import profiles
from flask import request_started
from flask_migrate import upgrade
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

from civicladder import caching, clock
from civicladder.app import create_app
from civicladder.db import db
from civicladder.security import hash_password
from civicladder.transaction import unit_of_work
from tests.autonomy.factories import autonomy_factories
from tests.civicladder.factories import PASSWORD, make_user_factory
from tests.competencies.factories import competency_factories
from tests.people.factories import people_factories

# The extension's own session (one per app context), kept before `_transaction` swaps it out.
_SHARED_SESSION = db.session


# --- garbage collection ------------------------------------------------------------------------


def pytest_collection_finish(session) -> None:
    """What is loaded by now (the app's modules, SQLAlchemy's mappers, the collected tests) lives
    until the process ends: freeze it out of the cyclic collector, which otherwise walks it
    again at every full collection, and collect the young less often. Measured on the route-wide
    tests: the collector's share of their time falls from about a fifth to a few per cent."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


# --- one database per test process --------------------------------------------------------------


@contextmanager
def _postgres_admin(url: sa.URL) -> Iterator[sa.Connection]:
    """A connection to the server's `postgres` maintenance database, outside any transaction."""
    engine = sa.create_engine(
        url.set(drivername="postgresql+psycopg", database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _worker_database(url: str, worker: str) -> str:
    """The URL of this xdist worker's own database, `<name>_<worker>`, created when missing."""
    parsed = sa.make_url(url)
    name = f"{parsed.database}_{worker}"
    with _postgres_admin(parsed) as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ...; unset without -n
        if worker:
            url = _worker_database(url, worker)
        _reset_postgres(url)
        return url
    # xdist gives each worker its own temporary directory, so its own file.
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            # The limiter runs, with limits far above what the suite does from one address;
            # the rate-limit tests lower them.
            "RATELIMIT_ENABLED": True,
            "SIGNIN_LIMIT_PER_ACCOUNT": "10000 per minute",
            "SIGNIN_LIMIT_PER_ADDRESS": "10000 per minute",
            "APPLICATION_LIMIT_PER_ADDRESS": "10000 per minute",
            "APPLICATION_LIMIT_PER_EMAIL": "10000 per minute",
            "STATUS_LINK_LIMIT_PER_ADDRESS": "10000 per minute",
            "STATUS_LINK_LIMIT_PER_EMAIL": "10000 per minute",
            "OFFER_ANSWER_LIMIT_PER_ADDRESS": "10000 per minute",
            "OFFER_ANSWER_LIMIT_PER_LINK": "10000 per minute",
            "MAIL_URL": None,
            # argon2's cheapest setting (its "only for testing" profile): the suite hashes a lot.
            "ARGON2_TIME_COST": profiles.CHEAPEST.time_cost,
            "ARGON2_MEMORY_COST": profiles.CHEAPEST.memory_cost,
            "ARGON2_PARALLELISM": profiles.CHEAPEST.parallelism,
            # Connections of its own would commit outside the test's transaction; the
            # real-commits tests turn it on (tests/autonomy/test_stored_eligibility.py).
            "ELIGIBILITY_SIDE_BY_SIDE": False,
            # Every call reads its token, so statement counts do not depend on the order of
            # calls; tests/api/test_token_cache.py turns the cache on.
            "API_TOKEN_CACHE_SECONDS": 0,
        }
    )
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def password_hash(app) -> str:
    """One argon2 hash (at the test app's cost) shared by every test user."""
    with app.app_context():
        return hash_password(PASSWORD)


# --- one transaction per test, one savepoint per request ----------------------------------------


def _bound_session(connection: sa.Connection) -> scoped_session:
    """A session on `connection` whose commit releases a savepoint and rollback returns to it."""
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    session = scoped_session(factory, scopefunc=lambda: "test")
    # Requests and app contexts end with remove(); keep the test's objects alive instead.
    session.real_remove = session.remove
    session.remove = lambda: None
    return session


class ModuleData:
    """One connection whose transaction holds data built once for a test module.

    While it is open, every test of the module runs in a savepoint on this connection (rolled
    back at the test's end), so a test may write freely and the next one still finds the data
    as built. `build(fn)` runs fn with the app's session on this connection and keeps what it
    wrote; return ids or plain values from it, since the objects belong to that build only.
    The factories are here too (`make_user`, `people`, `competencies`), as the function-scoped
    fixtures cannot serve a module.
    """

    def __init__(self, app, password_hash: str):
        self.app = app
        with app.app_context():
            self.connection = db.engine.connect()
        self.outer = self.connection.begin()
        self.make_user = make_user_factory(password_hash)
        self.people = people_factories(self.make_user)
        self.competencies = competency_factories()
        self.autonomy = autonomy_factories()

    def build(self, fn: Callable[[], Any]) -> Any:
        session = _bound_session(self.connection)
        saved = db.session
        db.session = session
        try:
            with self.app.test_request_context():
                result = fn()
            session.commit()
            return result
        finally:
            db.session = saved
            session.real_remove()

    def close(self) -> None:
        self.outer.rollback()
        self.connection.close()


_module_data: ModuleData | None = None


@pytest.fixture
def redis_url() -> str:
    """The Redis database the tests may use (TEST_REDIS_URL): required in CI, else skipped."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail("TEST_REDIS_URL must be set in CI (bash .ci/run sets it)")
    pytest.skip("set TEST_REDIS_URL=redis://127.0.0.1:6379/15 to test what is shared via Redis")


@pytest.fixture
def on_day(monkeypatch):
    """Set the day the app believes it is: `on_day(date(2026, 3, 1))`."""

    def set_day(day) -> None:
        monkeypatch.setattr(clock, "today", lambda: day)

    return set_day


@pytest.fixture(scope="module")
def module_data(app, password_hash) -> Iterator[ModuleData]:
    """The module's shared connection: build read-mostly data once, e.g.

    @pytest.fixture(scope="module")
    def city(module_data):
        return module_data.build(lambda: module_data.people.employee().id)
    """
    global _module_data
    assert _module_data is None, "module data from another module is still open"
    _module_data = ModuleData(app, password_hash)
    try:
        yield _module_data
    finally:
        _module_data.close()
        _module_data = None


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with nothing cached in this process (`civicladder.caching`): a test's
    rolled-back data leaves the versions as they were, so what it cached would stay current."""
    caching.forget_all()
    yield


@pytest.fixture(autouse=True)
def _transaction(request):
    """Bind the session to one connection whose transaction is rolled back after the test.

    The session's commits release savepoints only. Before each request (from any app's test
    client) the test's own writes are released into the transaction, so the request's unit of
    work opens a savepoint of its own and its rollback undoes only what the request wrote.

    Browser tests (marker `browser`) run against a live server with its own database and
    real commits, so they are left alone here.
    """
    if request.node.get_closest_marker("browser"):
        yield None
        return
    app = request.getfixturevalue("app")
    shared = _module_data
    if shared is not None:
        connection = shared.connection
        outer = connection.begin_nested()
    else:
        with app.app_context():
            connection = db.engine.connect()
        outer = connection.begin()
    session = _bound_session(connection)

    def _savepoint_per_request(sender, **extra):
        if db.session is session:  # not while a test has put another session in place
            session.commit()

    request_started.connect(_savepoint_per_request, weak=False)
    original = db.session
    db.session = session
    try:
        yield session
    finally:
        db.session = original
        request_started.disconnect(_savepoint_per_request)
        session.real_remove()
        outer.rollback()
        if shared is None:
            connection.close()


@pytest.fixture
def app_ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(password_hash):
    return make_user_factory(password_hash)


@pytest.fixture
def people(make_user):
    """Factories for departments, units and employees: people.employee(manager=m, ...)."""
    return people_factories(make_user)


@pytest.fixture
def competencies():
    return competency_factories()


def start_test_session(app, user) -> tuple[str, str]:
    """A session on the server for `user`, as a test client's browser would hold it: its token
    and the browser's identifier (the session protection's hash of address and user agent)."""
    from civicladder import user_sessions
    from civicladder.extensions import login_manager

    with app.test_request_context(environ_base=app.test_client().environ_base):
        return user_sessions.start(user), login_manager._session_identifier_generator()


def client_with_session(app, user, token: str, identifier: str):
    """A test client whose cookie holds a session already started (`start_test_session`)."""
    test_client = app.test_client()
    with test_client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
        session["_id"] = identifier
    test_client.user = user
    return test_client


@pytest.fixture
def client_as(app, make_user):
    """A test client signed in as a user, or as a new user with the given roles."""
    from civicladder.access import Role
    from civicladder.models import User

    def sign_in(who, *more_roles, **user_kwargs):
        if isinstance(who, User):
            user = who
        else:
            user = make_user(roles={Role(who), *map(Role, more_roles)}, **user_kwargs)
        token, identifier = start_test_session(app, user)
        db.session.commit()
        return client_with_session(app, user, token, identifier)

    return sign_in


# Transaction control, and the table versions a commit moves (`civicladder.caching`): here the
# commit of the test's own writes, which the harness makes as the next request starts.
_IGNORED = re.compile(
    r"^\s*(SAVEPOINT|RELEASE|ROLLBACK TO|BEGIN|COMMIT|ROLLBACK|INSERT INTO cache_version)", re.I
)


@pytest.fixture
def count_queries(app):
    """Count the SQL statements a block runs (transaction control excluded)."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not _IGNORED.match(statement):
                statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def assert_max_queries(count_queries):
    @contextmanager
    def at_most(limit: int):
        with count_queries() as statements:
            yield statements
        assert len(statements) <= limit, (
            f"{len(statements)} queries (limit {limit}):\n" + "\n".join(statements)
        )

    return at_most


# --- real commits from several connections at once -------------------------------------------


@dataclass
class Outcome:
    """What one racing thread got: its function's value, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None


_FIRST_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)


class RealCommits:
    """A second app on a database of its own, where every unit of work really commits.

    `run(fn)` does setup or inspection in one committed transaction (return ids or plain
    values: objects are detached afterwards). `client(user_id)` is a test client signed in on
    this app. `concurrent(n, fn)` calls fn(0) ... fn(n-1) in n threads released together; each
    thread has its own app context, session and connection. So that checks made before writing
    really overlap, each thread's first INSERT/UPDATE/DELETE waits until every thread has reached
    its own first write, or for `rendezvous_seconds` when some are held back by a lock (which
    is what a correct service does to the loser).
    """

    rendezvous_seconds = 0.5

    def __init__(self, app):
        self.app = app
        self._local = threading.local()
        self._cookies: dict[int, str] = {}
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._before_statement)

    def _before_statement(self, conn, cursor, statement, parameters, context, executemany):
        rendezvous = getattr(self._local, "rendezvous", None)
        if rendezvous is not None and _FIRST_WRITE.match(statement):
            self._local.rendezvous = None
            with suppress(threading.BrokenBarrierError):
                rendezvous.wait(timeout=self.rendezvous_seconds)

    def run(self, fn: Callable, *args, **kwargs):
        """fn's result, after committing its work the way a request or CLI command does."""
        with self.app.app_context(), unit_of_work():
            return fn(*args, **kwargs)

    def client(self, user_id: int | None = None):
        """A test client of this app, signed in as the user when given one.

        The first client for a user signs in through the form; later ones share its session
        cookie, like two tabs of one browser (and skip hashing the password again).
        """
        from civicladder.models import User

        test_client = self.app.test_client()
        if user_id is None:
            return test_client
        cookie_name = self.app.config["SESSION_COOKIE_NAME"]
        if user_id not in self._cookies:
            email = self.run(lambda: db.session.get(User, user_id).email)
            signed_in = test_client.post("/sign-in", data={"email": email, "password": PASSWORD})
            assert signed_in.status_code == 302, signed_in.text
            self._cookies[user_id] = test_client.get_cookie(cookie_name).value
        test_client.set_cookie(cookie_name, self._cookies[user_id])
        return test_client

    def concurrent(self, n: int, fn: Callable[[int], Any]) -> list[Outcome]:
        start = threading.Barrier(n)
        rendezvous = threading.Barrier(n)
        outcomes = [Outcome() for _ in range(n)]

        def race(i: int) -> None:
            self._local.rendezvous = rendezvous
            try:
                start.wait(timeout=30)
                outcomes[i].value = fn(i)
            except BaseException as error:  # reported to the test, which decides
                outcomes[i].error = error
            finally:
                self._local.rendezvous = None

        threads = [threading.Thread(target=race, args=(i,)) for i in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a racing thread never finished"
        return outcomes

    def count(self, stmt: sa.Select) -> int:
        """How many rows `stmt` finds, read in a fresh transaction."""
        counting = sa.select(sa.func.count()).select_from(stmt.subquery())
        return self.run(lambda: db.session.scalar(counting))


def _own_database(database_url: str, tmp_path_factory) -> str:
    """A URL for an empty database beside the suite's: a file, or `<name>_commits`."""
    if not database_url.startswith("postgresql"):
        return "sqlite:///" + str(tmp_path_factory.mktemp("commits") / "commits.sqlite3")
    url = sa.make_url(database_url)
    name = f"{url.database}_commits"
    with _postgres_admin(url) as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def _real_commits_app(app, database_url, tmp_path_factory):
    url = _own_database(database_url, tmp_path_factory)
    second = create_app(dict(app.config) | {"SQLALCHEMY_DATABASE_URI": url})
    second.instance_path = app.instance_path
    with second.app_context():
        upgrade()
    yield second
    with second.app_context():
        db.engine.dispose()
    if url.startswith("postgresql"):
        parsed = sa.make_url(url)
        with _postgres_admin(parsed) as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


@pytest.fixture
def real_commits(_real_commits_app, _transaction):
    """Real commits from several connections at once (see RealCommits); the schema lives for
    the test module, so tests there use values of their own (fresh emails, codes)."""
    saved = db.session
    db.session = _SHARED_SESSION
    try:
        yield RealCommits(_real_commits_app)
    finally:
        db.session = saved
