"""The SQLAlchemy handle, naming convention, shared column types and concurrency primitives.

Two requests that check something and then write must not both act on the same stale check.
Which tool to reach for:

- A row lock, `locked_get(Model, id)` or `db.session.scalars(locked(stmt))`, when the service
  reads a row (and what hangs off it) to decide what to write: role changes, deactivation,
  a union rep's units, taking an offer. The second request waits for the first to commit, then
  reads the new state and sees there is nothing left to do (a no-op) or a rule that now fails
  (a Conflict). Lock the row everything hangs off (the user, the course session) first, then
  count or read its children in separate statements, which see what the previous holder
  committed.
- A conditional UPDATE, `claimed(sa.update(...).where(<still allowed>))`, when the whole rule
  fits in the WHERE clause: consuming a one-time link (`used_at IS NULL`), taking a seat
  (`enrolled < capacity`). It is one statement, holds no lock before the write, and its row
  count says whether this request won. Never fold a lock and a count into one statement with
  a subquery: under READ COMMITTED PostgreSQL does not re-read the subquery after the lock wait.
- Turns, `take_turns("roster import")`, when a writer plans from a whole set of rows rather
  than one (a roster or outcome import compares a file with every employee it names): the
  transaction holds the named lock until it ends, so a second writer of that kind waits at the
  start and then plans from what the first committed, instead of writing over it or tripping
  on its new rows.
- A unique constraint for "create if absent": check first for a friendly message, and let the
  constraint refuse the loser of a race; `civicladder.errors` turns that into a 409.

On PostgreSQL the lock is `SELECT ... FOR UPDATE`. On SQLite, which renders FOR UPDATE as
nothing, the same code is safe because writers take the database's write lock when their
transaction begins (`BEGIN IMMEDIATE`), so they queue instead of interleaving: every request
with a non-safe HTTP method does this on its own, and CLI commands, jobs or scripts that write
wrap their work in `civicladder.transaction.unit_of_work()`, which declares it here
(`write_transaction()`). Reads (GET pages) keep deferred transactions and, with WAL,
are never blocked by a writer.
"""

from __future__ import annotations

import contextvars
import enum
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.expression import FunctionElement

from civicladder.errors import NotFound

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class utc_day(FunctionElement):  # noqa: N801 (an SQL function, named as one)
    """The day (UTC) of a `UTCDateTime` value, comparable with a Date column on every backend:
    `utc_day(CourseSession.starts_at) <= Membership.ended_on`."""

    type = sa.Date()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day)
def _utc_day(element, compiler, **kw) -> str:
    # SQLite keeps a UTCDateTime as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, a Date as 'YYYY-MM-DD'.
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 10)"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw) -> str:
    # timestamptz to date would use the session's time zone: read it in UTC first.
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS DATE)"


def enum_column(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A portable enum stored as its string value, guarded by a CHECK constraint."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
        length=max(len(m.value) for m in enum_cls),
    )


def fetch(model: type, ident, message: str):
    """The row with this primary key, or NotFound with a message for the person at the screen."""
    row = db.session.get(model, ident)
    if row is None:
        raise NotFound(message)
    return row


def locked(stmt: sa.Select, of=None) -> sa.Select:
    """`stmt` as `SELECT ... FOR UPDATE` (of the tables in `of`, when given), refreshing rows
    the session already holds.

    Without populate_existing the session would hand back its own copy of a row loaded before
    the lock, with the values another request has since changed; with it, the locked rows (and
    their eager-loaded collections) are read again after the wait. No-op lock on SQLite, where
    the write transaction already keeps other writers out.
    """
    return stmt.with_for_update(of=of).execution_options(populate_existing=True)


def locked_get(model: type, ident, message: str | None = None):
    """The row with this primary key, locked until the transaction ends and read afresh.

    Use it before checking a row a service is about to change (see the module docstring).
    Only the model's own table is locked (PostgreSQL refuses FOR UPDATE on the nullable side
    of an outer join, which a joined eager load would add). Raises NotFound with `message`
    when the row is gone (it may have been deleted meanwhile).
    """
    row = db.session.get(model, ident, with_for_update={"of": model}, populate_existing=True)
    if row is None:
        raise NotFound(message or "That record no longer exists.")
    return row


def claimed(stmt: sa.Update) -> bool:
    """Run a conditional UPDATE meant to match one row; True when it did (this request won).

    The WHERE clause carries the rule ("still unused", "seats left"), so of two requests at the
    same moment only one matches: on PostgreSQL the second waits for the first's row lock and
    re-checks the WHERE clause against the committed row; on SQLite writers are serialised.
    """
    return db.session.execute(stmt).rowcount == 1


# The first key of every advisory lock the app takes ("CL"); the second names the lock.
_LOCK_SPACE = 0x434C


def take_turns(name: str) -> None:
    """Hold the lock called `name` until this transaction ends; wait here while another
    transaction holds it (see the module docstring). PostgreSQL's transaction-level advisory
    lock, keyed by the name, so every app server and worker shares it; on SQLite the writer's
    transaction already keeps every other writer out. Take it before reading what the write
    depends on."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    key = zlib.crc32(name.encode()) - 2**31  # PostgreSQL's int4
    db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_SPACE, key)))


_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


@contextmanager
def write_transaction() -> Iterator[None]:
    """Declare that the work inside will write, so SQLite transactions begin IMMEDIATE.

    For CLI commands and scripts (usable as a decorator too); requests with a non-safe HTTP
    method get this without asking. Enter it before the first statement of the unit of work:
    a transaction that already began as a reader stays one. Harmless on PostgreSQL.
    """
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def wants_write_lock() -> bool:
    """Whether a transaction beginning now is a writer's (read by SQLite's begin event)."""
    if _write_intent.get():
        return True
    from flask import has_request_context, request

    return has_request_context() and request.method not in SAFE_METHODS


def utcnow() -> datetime:
    from civicladder import clock

    return clock.now()


# PostgreSQL-only indexes (trigram search) are made by migrations alone: the models cannot
# declare "on PostgreSQL only" in a way the schema comparison follows. Their names end so.
DATABASE_ONLY_INDEX_SUFFIX = "_trgm"


def include_in_schema_comparison(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic's comparison of models and database: leave out database-only indexes."""
    return not (type_ == "index" and name and name.endswith(DATABASE_ONLY_INDEX_SUFFIX))


_CHECKED_IN_AT = "civicladder_checked_in_at"


def ping_when_idle(engine: sa.Engine, after_seconds: float) -> None:
    """Check a pooled connection with a ping before handing it out only when it has lain idle
    for `after_seconds` or more (a database restart or an idle timeout may have closed it
    meanwhile); a dead one is replaced before the request sees it. SQLAlchemy's pool_pre_ping
    pings at every checkout: a round trip per request to catch what only happens to idle
    connections. A connection that dies while in steady use fails its request as it would
    with pool_pre_ping too, and the pool then replaces every connection made before it."""

    @sa.event.listens_for(engine, "connect")
    def _made(dbapi_connection, record):
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @sa.event.listens_for(engine, "checkin")
    def _back(dbapi_connection, record):
        if record is not None:
            record.info[_CHECKED_IN_AT] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _out(dbapi_connection, record, proxy):
        idle = time.monotonic() - record.info.get(_CHECKED_IN_AT, 0.0)
        if idle < after_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool drops this connection and checks out another.
            raise sa.exc.DisconnectionError() from error


def read_without_transaction() -> None:
    """For a request that only reads, on PostgreSQL: run each statement on its own (autocommit),
    sparing the BEGIN and COMMIT round trips. A reader loses nothing by it: under READ
    COMMITTED every statement sees its own snapshot inside a transaction too. Call it before
    the request's first statement; it does nothing once a transaction has begun, on SQLite,
    or for a session bound to one connection (the tests')."""
    session = db.session()
    if session.in_transaction():
        return
    bind = session.get_bind()
    if isinstance(bind, sa.Engine) and bind.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
