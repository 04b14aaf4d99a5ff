"""The migrations build exactly the schema the models describe, and guard the audit trail."""

import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from civicladder import caching
from civicladder.db import db, include_in_schema_comparison


def test_migrated_database_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        opts = {"compare_type": True, "include_object": include_in_schema_comparison}
        context = MigrationContext.configure(connection, opts=opts)
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_reach_the_single_head(app):
    with app.app_context():
        with db.engine.connect() as connection:
            version = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            version = version.scalar()
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1 and version == heads[0]


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


@pytest.fixture
def scratch_database_url(database_url, tmp_path):
    """An empty database of the same kind as the suite's, for migrating with data in place."""
    if not database_url.startswith("postgresql"):
        yield "sqlite:///" + str(tmp_path / "scratch.sqlite3")
        return
    server = sa.engine.make_url(database_url).set(drivername="postgresql+psycopg")
    name = f"{server.database}_scratch_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


SEED_0001 = [
    "INSERT INTO department (id, name, kind, path) VALUES (1, 'Parks', 'agency', 'Parks')",
    "INSERT INTO employee (id, employee_number, first_name, last_name, department_id, "
    "hire_date, status) VALUES (1, 'E1', 'Dana', 'Ruiz', 1, '2020-01-01', 'active'), "
    "(2, 'E2', 'Sam', 'Lee', 1, '2021-01-01', 'active')",
    "INSERT INTO user_account (id, email, full_name, active, session_token, employee_id, "
    "created_at) VALUES (1, 'dana@city.test', 'Dana Ruiz', true, 't1', 1, "
    "'2026-01-01 00:00:00+00'), (2, 'admin@city.test', 'Admin', true, 't2', NULL, "
    "'2026-01-01 00:00:00+00')",
    "INSERT INTO user_role (user_id, role) VALUES (1, 'employee'), (1, 'manager'), (2, 'admin')",
    "INSERT INTO competency_category (id, name, description) VALUES (1, 'Safety', '')",
    "INSERT INTO competency (id, code, name, description, category_id) "
    "VALUES (1, 'SAF', 'Safety', '', 1)",
    "INSERT INTO competency_evidence (id, employee_id, competency_id, level, source, "
    "observed_on, verified_by_id, note, recorded_at) VALUES (1, 1, 1, 3, 'imported', "
    "'2025-01-01', 1, '', '2026-01-01 00:00:00+00')",
    "INSERT INTO notification (id, user_id, created_at, subject, body) "
    "VALUES (1, 1, '2026-01-01 00:00:00+00', 'Hello', '')",
]


@contextmanager
def _old_schema_writes():
    """A transaction writing rows at an older revision, before the table of cache versions
    exists: its writes move no version (`civicladder.caching`), as the migrations' own."""
    with db.engine.begin() as connection:
        yield connection.execution_options(**{caching.UNWATCHED: True})


def _rows(connection, statement: str) -> list[tuple]:
    return [tuple(row) for row in connection.exec_driver_sql(statement)]


def test_moving_the_account_link_keeps_every_row(scratch_database_url):
    """0002 moves user_account.employee_id to employee.user_id, up and down, losing nothing."""
    from flask_migrate import downgrade, upgrade

    from civicladder.app import create_app

    scratch = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": scratch_database_url}
    )
    with scratch.app_context():
        upgrade(revision="0001")
        with _old_schema_writes() as connection:
            for statement in SEED_0001:
                connection.exec_driver_sql(statement)
        upgrade(revision="0002")
        with db.engine.connect() as connection:
            assert _rows(connection, "SELECT id, user_id FROM employee ORDER BY id") == [
                (1, 1),
                (2, None),
            ]
            kept = _rows(connection, "SELECT user_id, role FROM user_role ORDER BY user_id, role")
            assert kept == [(1, "employee"), (1, "manager"), (2, "admin")]
            assert _rows(connection, "SELECT id, verified_by_id FROM competency_evidence") == [
                (1, 1)
            ]
            assert _rows(connection, "SELECT id, user_id FROM notification") == [(1, 1)]
        downgrade(revision="0001")
        with db.engine.connect() as connection:
            back = _rows(connection, "SELECT id, employee_id FROM user_account ORDER BY id")
            assert back == [(1, 1), (2, None)]
            assert len(_rows(connection, "SELECT * FROM user_role")) == 3
            assert len(_rows(connection, "SELECT * FROM competency_evidence")) == 1
        db.engine.dispose()


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
        downgrade(revision="0002")
        try:
            with db.engine.connect() as connection:
                assert connection.scalar(triggers) == 0
        finally:
            upgrade()
        with db.engine.connect() as connection:
            assert connection.scalar(triggers) == 1


def test_reporting_line_paths_are_filled_from_the_existing_managers(scratch_database_url):
    """0006 gives every existing employee the path of ids down from the top of their chain."""
    from flask_migrate import downgrade, upgrade

    from civicladder.app import create_app

    scratch = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": scratch_database_url}
    )
    with scratch.app_context():
        upgrade(revision="0005")
        with _old_schema_writes() as connection:
            connection.exec_driver_sql(SEED_0001[0])
            connection.exec_driver_sql(
                "INSERT INTO employee (id, employee_number, first_name, last_name, "
                "department_id, manager_id, hire_date, status) VALUES "
                "(1, 'E1', 'A', 'A', 1, NULL, '2020-01-01', 'active'), "
                "(7, 'E7', 'B', 'B', 1, 1, '2020-01-01', 'active'), "
                "(3, 'E3', 'C', 'C', 1, 7, '2020-01-01', 'active'), "
                "(9, 'E9', 'D', 'D', 1, NULL, '2020-01-01', 'active')"
            )
        upgrade(revision="0006")
        with db.engine.connect() as connection:
            paths = _rows(connection, "SELECT id, line_path FROM employee ORDER BY id")
        assert paths == [(1, "/1/"), (3, "/1/7/3/"), (7, "/1/7/"), (9, "/9/")]
        downgrade(revision="0005")
        with db.engine.connect() as connection:
            assert len(_rows(connection, "SELECT id FROM employee")) == 4
        db.engine.dispose()


def _membership_migration():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[2] / "migrations" / "versions" / "0021_membership_history.py"
    spec = importlib.util.spec_from_file_location("membership_history_0021", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_membership_backfill_walks_back_through_the_recorded_changes():
    from datetime import date

    history = _membership_migration().history
    now = {"bargaining_unit_id": 2, "department_id": 5, "status": "separated"}
    changes = [
        (date(2025, 3, 1), {"department_id": 4}),  # moved from 4 to 5
        (date(2025, 3, 1), {"bargaining_unit_id": 1}),  # and from unit 1 to 2, the same day
        (date(2026, 1, 2), {"status": "active"}),  # separated
    ]
    assert history(now, date(2019, 5, 6), changes) == [
        {
            "bargaining_unit_id": 1,
            "department_id": 4,
            "status": "active",
            "started_on": date(2019, 5, 6),
            "ended_on": date(2025, 2, 28),
        },
        {
            "bargaining_unit_id": 2,
            "department_id": 5,
            "status": "active",
            "started_on": date(2025, 3, 1),
            "ended_on": date(2026, 1, 1),
        },
        {
            "bargaining_unit_id": 2,
            "department_id": 5,
            "status": "separated",
            "started_on": date(2026, 1, 2),
            "ended_on": None,
        },
    ]


def test_membership_backfill_gives_an_employee_without_a_trail_one_row_from_the_hire_date(
    scratch_database_url,
):
    """0021 fills the history of the employees already there: from the audit trail where it
    says what changed, otherwise one row from the hire date with the values of today."""
    from flask_migrate import downgrade, upgrade

    from civicladder.app import create_app

    scratch = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": scratch_database_url}
    )
    with scratch.app_context():
        upgrade(revision="0018")
        with _old_schema_writes() as connection:
            connection.exec_driver_sql(
                "INSERT INTO department (id, name, kind, path) VALUES "
                "(1, 'Parks', 'agency', 'Parks'), (2, 'Roads', 'agency', 'Roads')"
            )
            connection.exec_driver_sql(
                "INSERT INTO bargaining_unit (id, code, name) VALUES (1, 'L1', 'Local 1')"
            )
            connection.exec_driver_sql(
                "INSERT INTO employee (id, employee_number, first_name, last_name, "
                "department_id, bargaining_unit_id, hire_date, status) VALUES "
                "(1, 'E1', 'A', 'A', 2, 1, '2020-01-01', 'separated'), "
                "(2, 'E2', 'B', 'B', 1, NULL, '2021-06-15', 'leave')"
            )
            connection.exec_driver_sql(
                "INSERT INTO audit_event (occurred_at, actor_label, action, object_type, "
                "object_id, object_label, before, after) VALUES "
                "('2025-04-01 09:00:00+00', 'hr', 'employee.updated', 'Employee', '1', 'A', "
                "'{\"department_id\": 1}', '{\"department_id\": 2}'), "
                "('2026-02-01 23:30:00+00', 'hr', 'employee.updated', 'Employee', '1', 'A', "
                '\'{"status": "active"}\', \'{"status": "separated"}\')'
            )
        upgrade(revision="0021")
        with db.engine.connect() as connection:
            rows = _rows(
                connection,
                "SELECT employee_id, bargaining_unit_id, department_id, status, "
                "CAST(started_on AS VARCHAR(10)), CAST(ended_on AS VARCHAR(10)) "
                "FROM membership ORDER BY employee_id, started_on",
            )
        assert rows == [
            (1, 1, 1, "active", "2020-01-01", "2025-03-31"),
            (1, 1, 2, "active", "2025-04-01", "2026-01-31"),
            (1, 1, 2, "separated", "2026-02-01", None),
            (2, None, 1, "leave", "2021-06-15", None),
        ]
        downgrade(revision="0018")
        db.engine.dispose()


def test_discretion_lines_become_items_keyed_from_their_words_and_come_back(
    scratch_database_url,
):
    """0027 turns each level's plain-language lines into items without limits, keys made from
    the words (one made unique within its level), and back again on a downgrade."""
    from flask_migrate import downgrade, upgrade

    from civicladder.app import create_app

    scratch = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": scratch_database_url}
    )
    lines = "May close a complaint!\n\n  May close a complaint? \nMay waive fees up to $250"
    with scratch.app_context():
        upgrade(revision="0026")
        with _old_schema_writes() as connection:
            connection.exec_driver_sql(
                "INSERT INTO autonomy_track (id, code, name, description) VALUES (1, 'T', 'T', '')"
            )
            connection.exec_driver_sql(
                "INSERT INTO autonomy_level (id, track_id, rank, version, name, discretion, "
                "min_months, second_approval, focused_review_days, outcome_window_days, "
                "created_at) VALUES (1, 1, 1, 1, 'Guided', %s, 0, false, 90, 90, "
                "'2026-01-01 00:00:00')"
                if db.engine.dialect.name == "postgresql"
                else "INSERT INTO autonomy_level (id, track_id, rank, version, name, discretion, "
                "min_months, second_approval, focused_review_days, outcome_window_days, "
                "created_at) VALUES (1, 1, 1, 1, 'Guided', ?, 0, 0, 90, 90, "
                "'2026-01-01 00:00:00')",
                (lines,),
            )
        upgrade(revision="0027")
        with db.engine.connect() as connection:
            items = _rows(
                connection,
                "SELECT position, key, words, limit_amount, unit FROM discretion_item "
                "ORDER BY position",
            )
        assert items == [
            (1, "may-close-a-complaint", "May close a complaint!", None, ""),
            (2, "may-close-a-complaint-2", "May close a complaint?", None, ""),
            (3, "may-waive-fees-up-to-250", "May waive fees up to $250", None, ""),
        ]
        downgrade(revision="0026")
        with db.engine.connect() as connection:
            back = _rows(connection, "SELECT discretion FROM autonomy_level")
        assert back == [
            ("May close a complaint!\nMay close a complaint?\nMay waive fees up to $250",)
        ]
        db.engine.dispose()


def test_case_identifiers_are_given_to_the_framework_already_here(scratch_database_url):
    """0031 gives every category, competency and descriptor already stored its own UUID, and
    goes back down without losing the framework."""
    from flask_migrate import downgrade, upgrade

    from civicladder.app import create_app

    scratch = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": scratch_database_url}
    )
    with scratch.app_context():
        upgrade(revision="0030")
        with _old_schema_writes() as connection:
            connection.exec_driver_sql(
                "INSERT INTO competency_category (id, name, description) VALUES (1, 'Safety', '')"
            )
            connection.exec_driver_sql(
                "INSERT INTO competency (id, code, name, description, category_id) "
                "VALUES (1, 'SAF', 'Safety', '', 1), (2, 'LIF', 'Lifting', '', 1)"
            )
            connection.exec_driver_sql(
                "INSERT INTO proficiency_descriptor (competency_id, level, descriptor) "
                "VALUES (1, 1, 'Knows'), (1, 2, 'Does'), (2, 1, 'Lifts')"
            )
        upgrade(revision="0031")
        with db.engine.connect() as connection:
            found = [
                value
                for table in ("competency_category", "competency", "proficiency_descriptor")
                for (value,) in _rows(connection, f"SELECT case_identifier FROM {table}")  # noqa: S608
            ]
            dated = _rows(connection, "SELECT changed_at FROM competency")
        assert len(found) == len(set(found)) == 6
        assert all(str(uuid.UUID(value)) == value for value in found)
        assert all(when is not None for (when,) in dated)
        downgrade(revision="0030")
        with db.engine.connect() as connection:
            assert len(_rows(connection, "SELECT * FROM proficiency_descriptor")) == 3
        db.engine.dispose()
