"""Alembic environment: runs revisions against the app's database, online only."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from civicladder.caching import UNWATCHED
from civicladder.db import include_in_schema_comparison

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_ext = current_app.extensions["migrate"]
target_metadata = migrate_ext.db.metadata


def _skip_empty(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_online() -> None:
    args = dict(migrate_ext.configure_args)
    args.setdefault("process_revision_directives", _skip_empty)
    args.setdefault("include_object", include_in_schema_comparison)
    engine = migrate_ext.db.engine
    with engine.connect() as connection:
        # A revision's writes move no cache version: the table that keeps them may not exist
        # yet, and app servers start afresh with the code that needs the new schema.
        connection.execution_options(**{UNWATCHED: True})
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations copy a table and drop the old one; with foreign keys enforced,
            # that DROP would delete every child row through ON DELETE CASCADE. The pragma only
            # takes effect outside a transaction, so it goes to the driver before SQLAlchemy
            # begins one (its begin event would wrap anything sent through the Connection).
            _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
            # SQLite's DDL is transactional: a failed revision leaves nothing half-done.
            args["transactional_ddl"] = True
        context.configure(connection=connection, target_metadata=target_metadata, **args)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows with broken references: {broken}")
        if sqlite:
            connection.commit()
            _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def _sqlite_pragma(connection, statement: str) -> None:
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


if context.is_offline_mode():
    raise SystemExit("CivicLadder runs migrations online only: `flask db upgrade`.")
run_migrations_online()
