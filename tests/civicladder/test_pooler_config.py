"""DATABASE_POOLER: through PgBouncer in transaction pooling mode psycopg prepares nothing
(PgBouncer 1.18 cannot carry prepared statements between server connections); without it the
engine is as before; a pooler the app does not know, or one in front of SQLite, stops start-up."""

from __future__ import annotations

import pytest

from civicladder.config import ConfigError, load

POSTGRES = "postgresql://civicladder@127.0.0.1:6432/civicladder"


def test_through_pgbouncer_psycopg_prepares_no_statements(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.setenv("DATABASE_POOLER", "PgBouncer")
    config = load(str(tmp_path))
    assert config["DATABASE_POOLER"] == "pgbouncer"
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"prepare_threshold": None}
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_without_a_pooler_the_engine_is_left_as_it_was(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.delenv("DATABASE_POOLER", raising=False)
    config = load(str(tmp_path))
    assert config["DATABASE_POOLER"] is None
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {}


def test_an_unknown_pooler_stops_start_up(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.setenv("DATABASE_POOLER", "pgpool")
    with pytest.raises(ConfigError, match="not a pooler CivicLadder knows: use pgbouncer"):
        load(str(tmp_path))


def test_a_pooler_in_front_of_sqlite_stops_start_up(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_POOLER", "pgbouncer")
    with pytest.raises(ConfigError, match="is not a PostgreSQL URL"):
        load(str(tmp_path))
