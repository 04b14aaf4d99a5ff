"""Which transactions are writers: requests that change things and CLI work take SQLite's write
lock when they begin, so writers queue; pages that only read keep deferred transactions."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from civicladder import services
from civicladder.access import Role
from civicladder.db import db, wants_write_lock, write_transaction
from civicladder.models import AuditEvent, User


@pytest.mark.parametrize(
    "method, writes",
    [("GET", False), ("HEAD", False), ("OPTIONS", False), ("POST", True), ("DELETE", True)],
)
def test_requests_that_may_change_things_are_writers(app, method, writes):
    with app.test_request_context(method=method):
        assert wants_write_lock() is writes


def test_outside_a_request_only_declared_work_is_a_writer(app):
    with app.app_context():
        assert wants_write_lock() is False
        with write_transaction():
            assert wants_write_lock() is True
        assert wants_write_lock() is False


@contextmanager
def begins(app):
    """The BEGIN statements the app's engine sends while the block runs."""
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if re.match(r"\s*BEGIN", statement, re.I):
            seen.append(statement.strip().upper())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def sqlite_app(real_commits):
    with real_commits.app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the BEGIN statement and journal mode are SQLite's own")
    return real_commits


def test_sqlite_writers_begin_immediate_and_readers_deferred(sqlite_app, make_user):
    real = sqlite_app
    admin_id = real.run(lambda: make_user({Role.ADMIN}).id)
    target = real.run(lambda: make_user().id)
    client = real.client(admin_id)

    with begins(real.app) as reading:
        assert client.get(f"/admin/users/{target}").status_code == 200
    with begins(real.app) as writing:
        response = client.post(
            f"/admin/users/{target}/deactivate", data={"reason": "left", "confirmed": "yes"}
        )
        assert response.status_code == 302

    assert reading and set(reading) == {"BEGIN"}
    assert writing and set(writing) == {"BEGIN IMMEDIATE"}


def test_sqlite_cli_commands_that_write_begin_immediate(sqlite_app):
    real = sqlite_app
    runner = real.app.test_cli_runner()
    args = ["create-admin", "--email", "first.admin@city.example.gov", "--name", "First Admin"]

    # The `flask` command pushes an app context for every command; the test runner does not.
    with begins(real.app) as seen, real.app.app_context():
        result = runner.invoke(args=[*args, "--password", "a long enough password"])

    assert result.exit_code == 0, result.output
    assert seen and set(seen) == {"BEGIN IMMEDIATE"}


def test_sqlite_database_reads_while_a_writer_works(sqlite_app):
    with sqlite_app.app.app_context():
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"


def test_writers_outside_requests_queue_instead_of_failing(real_commits, make_user):
    real = real_commits
    admin_id = real.run(lambda: make_user({Role.ADMIN}).id)
    target = real.run(lambda: make_user().id)

    def deactivate(i: int):
        return real.run(
            lambda: (
                services.set_active(
                    db.session.get(User, admin_id), db.session.get(User, target), False
                ).id
            )
        )

    outcomes = real.concurrent(2, deactivate)

    assert [outcome.error for outcome in outcomes] == [None, None]
    deactivations = sa.select(AuditEvent.id).where(
        AuditEvent.action == "user.deactivated", AuditEvent.object_id == str(target)
    )
    assert real.count(deactivations) == 1
