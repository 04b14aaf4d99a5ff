"""The SQL statement header: per-request counts without transaction control, off by default."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from argon2 import profiles

from civicladder.access import public
from civicladder.app import create_app
from civicladder.db import db
from civicladder.instrumentation import HEADER, is_transaction_control


@pytest.fixture
def counting_app(database_url, monkeypatch):
    """A second app with the header on, with a route that runs two statements in a savepoint.

    The suite's own app has the header off, and the suite binds `db.session` to one rolled-back
    connection of that app's engine; this app needs a session of its own on its own engine,
    where the listener is.
    """
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQL_STATEMENT_HEADER": True,
            "ARGON2_TIME_COST": profiles.CHEAPEST.time_cost,
            "ARGON2_MEMORY_COST": profiles.CHEAPEST.memory_cost,
            "ARGON2_PARALLELISM": profiles.CHEAPEST.parallelism,
        }
    )
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))

    @app.get("/probe/<int:count>")
    @public
    def probe(count: int):
        with db.session.begin_nested():
            for _ in range(count):
                db.session.execute(sa.select(sa.literal(1)))
        return {"ran": count}

    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_each_response_carries_its_own_requests_statement_count(counting_app):
    client = counting_app.test_client()

    assert client.get("/probe/2").headers[HEADER] == "2"
    assert client.get("/probe/5").headers[HEADER] == "5"
    assert client.get("/healthz").headers[HEADER] == "0"


def test_the_header_is_off_unless_asked_for(client):
    assert HEADER not in client.get("/healthz").headers


@pytest.mark.parametrize(
    ("statement", "control"),
    [
        ("BEGIN", True),
        ("  begin immediate", True),
        ("SAVEPOINT sa_savepoint_1", True),
        ("RELEASE SAVEPOINT sa_savepoint_1", True),
        ("ROLLBACK TO SAVEPOINT sa_savepoint_1", True),
        ("COMMIT", True),
        ("SELECT 1", False),
        ("UPDATE user_session SET last_seen_at = 1", False),
        ("WITH RECURSIVE reporting_line AS (SELECT 1) SELECT 1", False),
    ],
)
def test_transaction_control_is_not_counted(statement, control):
    assert is_transaction_control(statement) is control
