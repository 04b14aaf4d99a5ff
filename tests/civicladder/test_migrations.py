"""The migrations build exactly the schema the models describe, and guard the audit trail."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from civicladder.db import db


def test_migrated_database_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_reach_the_single_head(app):
    with app.app_context(), db.engine.connect() as connection:
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    assert version == "0003"


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"]
)
def test_database_refuses_to_change_audit_events(_transaction, statement, make_user):
    from civicladder import audit

    user = make_user()
    audit.record(user, "test.event", user)
    _transaction.flush()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), _transaction.begin_nested():
        _transaction.execute(sa.text(statement))


def test_database_refuses_to_truncate_audit_events(_transaction, make_user):
    if _transaction.get_bind().dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL; SQLite's DELETE is refused above")
    from civicladder import audit

    user = make_user()
    audit.record(user, "test.event", user)
    _transaction.flush()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), _transaction.begin_nested():
        _transaction.execute(sa.text("TRUNCATE audit_event CASCADE"))
    assert _transaction.scalar(sa.text("SELECT count(*) FROM audit_event")) > 0


def test_truncate_guard_comes_and_goes_with_its_migration(app):
    """Downgrading 0003 drops the guard and upgrading puts it back (PostgreSQL only)."""
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the TRUNCATE guard exists only on PostgreSQL")
        triggers = sa.text(
            "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_event_no_truncate'"
        )
        downgrade(revision="0001")
        try:
            with db.engine.connect() as connection:
                assert connection.scalar(triggers) == 0
        finally:
            upgrade()
        with db.engine.connect() as connection:
            assert connection.scalar(triggers) == 1
