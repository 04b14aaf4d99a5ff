"""Pooled PostgreSQL connections are pinged only after lying idle (civicladder.db.ping_when_idle):
one the server closed meanwhile is replaced before anyone uses it, and one in steady use costs
no round trip."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from civicladder.db import _CHECKED_IN_AT, ping_when_idle


@pytest.fixture
def engine(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("a SQLite file has no server to close the connection")
    engine = sa.create_engine(
        database_url.replace("postgresql://", "postgresql+psycopg://", 1), pool_size=1
    )
    ping_when_idle(engine, 5)
    pings = []
    real_ping = engine.dialect.do_ping

    def counted(dbapi_connection):
        pings.append(1)
        return real_ping(dbapi_connection)

    engine.dialect.do_ping = counted
    engine.pings = pings
    yield engine
    engine.dispose()


def _backend(connection: sa.Connection) -> int:
    return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def _lay_idle(engine: sa.Engine, seconds: float) -> None:
    """Make the pooled connection look checked in `seconds` ago."""
    for record in list(engine.pool._pool.queue):
        record.info[_CHECKED_IN_AT] -= seconds


def test_a_connection_in_steady_use_is_not_pinged(engine):
    for _ in range(3):
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    assert engine.pings == []


def test_an_idle_connection_the_server_closed_is_replaced_before_use(engine):
    with engine.connect() as connection:
        first = _backend(connection)
    with psycopg.connect(engine.url.set(drivername="postgresql").render_as_string(False)) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (first,))
    _lay_idle(engine, 6)
    with engine.connect() as connection:
        assert _backend(connection) != first
    assert engine.pings == [1]
