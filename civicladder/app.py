"""The application factory: settings, extensions, access, errors, the unit of work, blueprints."""

from __future__ import annotations

import importlib
import logging
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, MapAdapter

from civicladder import (
    access,
    caching,
    errors,
    instrumentation,
    languages,
    security,
    transaction,
)
from civicladder.access import Role
from civicladder.config import load
from civicladder.db import ping_when_idle, wants_write_lock
from civicladder.extensions import csrf, db, limiter, migrate
from civicladder.languages import N_
from civicladder.navigation import ADMIN_TASKS, ADMINISTRATION, NavItem, register_nav_item
from civicladder.panels import HOME, register_panel


def create_app(config: dict | None = None) -> Flask:
    app = CivicLadder(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.update(load(app.instance_path, config))
    app.url_map.converters["int"] = RowId
    if app.config["PROXY_COUNT"]:
        # Behind a load balancer: the client's address (for per-address sign-in limits) and
        # HTTPS (for HSTS and secure cookies) come from the proxy's headers.
        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    logging.basicConfig(level=logging.INFO)
    # WeasyPrint tells each step of each page it lays out at INFO: noise in a command's output.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

    _init_database(app)
    instrumentation.register(app)  # before the unit of work, so its count includes the commit
    csrf.init_app(app)
    limiter.init_app(app)
    languages.register(app)
    _init_login(app)
    security.register(app)
    errors.register(app, rollback=transaction.rollback)
    transaction.register(app)
    _init_shell(app)
    for name in app.config.get("INSTALLED_PACKAGES", INSTALLED_PACKAGES):
        importlib.import_module(name).init_app(app)
    access.register(app)
    # Every model is imported now: relate them here, once, rather than in the first query of
    # each process (about 0.14 s). gunicorn builds the app in its master (preload_app), so
    # every worker it forks, and forks again after max_requests, starts with them related.
    sa.orm.configure_mappers()
    caching.watch(app)  # every table is known now
    return app


def load_templates(app: Flask) -> int:
    """Compile every template now; how many. gunicorn's master calls it once before forking
    its workers (gunicorn.conf.py), so no worker compiles a template in someone's request (the
    first HR home of a fresh worker took 120-146 ms instead of 37-41)."""
    names = app.jinja_env.list_templates()
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


# The domain packages, lowest layer first; each plugs in through its own init_app(app). This is
# the one place in the shell that names them (by name only: the shell imports none of them).
INSTALLED_PACKAGES = (
    "people",
    "competencies",
    "hiring",
    "academy",
    "autonomy",
    "reports",
    "api",
    "scim",
)


class CivicLadder(Flask):
    """The app: Flask, building page addresses at PUBLIC_URL where there is no request.

    Commands and jobs build their notices' links with `url_for` like views do. Flask builds URLs
    outside a request only from SERVER_NAME (with APPLICATION_ROOT and PREFERRED_URL_SCHEME),
    but SERVER_NAME would also change requests: it becomes the host of every full address a
    request builds (instead of the host the request came to) and the test client's host, and
    APPLICATION_ROOT the session cookie's path. So those stay unset, and PUBLIC_URL answers only
    where Flask would otherwise refuse: in an application context without a request.
    """

    def create_url_adapter(self, request) -> MapAdapter | None:
        if request is not None or self.config.get("SERVER_NAME"):
            return super().create_url_adapter(request)
        public = urlsplit(self.config["PUBLIC_URL"])
        return self.url_map.bind(
            public.netloc, script_name=public.path or "/", url_scheme=public.scheme
        )


class RowId(IntegerConverter):
    """`<int:...>` in routes: ids beyond what the database stores are simply not found."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _init_database(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir(), render_as_batch=True, compare_type=True)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_tune(db.engine)
        else:
            ping_when_idle(db.engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])


def _migrations_dir() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")


_tuned_engines: set[int] = set()
# How long a writer waits for another's transaction to finish before giving up.
SQLITE_BUSY_TIMEOUT_MS = 15000


def _sqlite_tune(engine: sa.Engine) -> None:
    """Foreign keys on, WAL, and transactions SQLAlchemy controls (its documented pysqlite
    begin-event recipe: pysqlite's own BEGIN handling breaks SAVEPOINT).

    Writers begin `BEGIN IMMEDIATE`, taking the write lock up front, so two writers queue for
    up to the busy timeout instead of one failing with "database is locked" when both read
    first and then try to write; readers begin deferred and, in WAL mode, read a snapshot
    while a writer works. Which transactions are writers: `civicladder.db.wants_write_lock`.
    """
    if id(engine) in _tuned_engines:
        return
    _tuned_engines.add(id(engine))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Stays set in the file; in-memory databases keep their own mode.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if wants_write_lock() else "BEGIN")


def _init_login(app: Flask) -> None:
    from civicladder import oidc, user_sessions

    user_sessions.register(app)
    oidc.register(app)


def _init_shell(app: Flask) -> None:
    """The shell's own pages, navigation, home panel, template helpers and commands."""
    from civicladder import (  # noqa: F401 (caching, files: their tables)
        caching,
        cli,
        export_jobs,
        files,
        import_jobs,
        jobs,
        layout,
        notify,
        schedule,
    )
    from civicladder.views import admin, auth, home
    from civicladder.views import credentials as credential_pages
    from civicladder.views import jobs as job_pages

    layout.register(app)
    for module in (auth, home, admin, job_pages, credential_pages):
        app.register_blueprint(module.bp)
    admins = (Role.ADMIN,)
    register_nav_item(app, NavItem(N_("Home"), "home.index", order=0))
    section = {"group": ADMINISTRATION}
    register_nav_item(app, NavItem(N_("Audit log"), "admin.audit_log", admins, 90, **section))
    register_nav_item(app, NavItem(N_("Outbox"), "admin.outbox", admins, 91, **section))
    register_nav_item(
        app, NavItem(N_("Background jobs"), "jobs.index", (Role.HR, Role.ADMIN), 92, **section)
    )
    for label, endpoint, order in (
        (N_("Search the audit log"), "admin.audit_log", 90),
        (N_("Read the outbox"), "admin.outbox", 91),
        (N_("Follow the background jobs"), "jobs.index", 92),
        (N_("Choose who signs in with a password"), "admin.sign_in_settings", 93),
    ):
        register_nav_item(app, NavItem(label, endpoint, admins, order), ADMIN_TASKS)
    register_panel(app, HOME, "admin", admin.admin_panel, order=60)
    jobs.register(app, notify.SEND_JOB, notify.send_due, title=N_("Sending email"))
    schedule.register(app, notify.SEND_JOB, every=timedelta(minutes=5))
    export_jobs.init_app(app)
    import_jobs.init_app(app)
    files.init_app(app)
    cli.register(app)
