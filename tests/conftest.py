"""Test setup: the schema is built by the migrations; each test runs in a rolled-back savepoint.

SQLite by default; PostgreSQL when TEST_DATABASE_URL is set. Service tests use `app_ctx`;
view tests use `client` / `client_as` and must not hold an app context while making requests
(a request reuses a held context, and with it `g` and the signed-in user).
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from argon2 import profiles
from flask_migrate import upgrade
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

from civicladder.app import create_app
from civicladder.db import db
from civicladder.security import hash_password
from tests.civicladder.factories import PASSWORD, make_user_factory
from tests.competencies.factories import competency_factories
from tests.people.factories import people_factories


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
        _reset_postgres(url)
        return url
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
            "MAIL_URL": None,
            # argon2's cheapest setting (its "only for testing" profile): the suite hashes a lot.
            "ARGON2_TIME_COST": profiles.CHEAPEST.time_cost,
            "ARGON2_MEMORY_COST": profiles.CHEAPEST.memory_cost,
            "ARGON2_PARALLELISM": profiles.CHEAPEST.parallelism,
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


@pytest.fixture(autouse=True)
def _transaction(request):
    """Bind the session to one connection; the test's commits release savepoints only.

    Browser tests (marker `browser`) run against a live server with its own database and
    real commits, so they are left alone here.
    """
    if request.node.get_closest_marker("browser"):
        yield None
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    session = scoped_session(factory, scopefunc=lambda: "test")
    real_remove = session.remove
    session.remove = lambda: None  # requests end with remove(); keep objects alive for the test
    original = db.session
    db.session = session
    try:
        yield session
    finally:
        db.session = original
        real_remove()
        outer.rollback()
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
        test_client = app.test_client()
        from civicladder import user_sessions
        from civicladder.extensions import login_manager

        with app.test_request_context(environ_base=test_client.environ_base):
            identifier = login_manager._session_identifier_generator()
            token = user_sessions.start(user)
        db.session.commit()
        with test_client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
            session["_id"] = identifier
        test_client.user = user
        return test_client

    return sign_in


_IGNORED = re.compile(r"^\s*(SAVEPOINT|RELEASE|ROLLBACK TO|BEGIN|COMMIT|ROLLBACK)", re.I)


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
