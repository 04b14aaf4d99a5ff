"""Values many requests read and few changes move, kept between requests in each app process
and checked against a version the database holds.

A package names what it caches ("framework") and, in the service that changes it, calls
`bump(name)`: the version row is updated in the change's own transaction, so it moves exactly
when the change commits, on every app server at once (each reads the versions once per
request, one small query). A process keeps one value per name and key, with the version it
was made under; a value made under an older version is made again on its next use.

Cache only what does not depend on the reader beyond the key given (rendered HTML is fine when
the key holds everything that varies it), and never an ORM object: it would belong to another
request's session.

Every table has a version too, moved without anyone naming it: each statement SQLAlchemy sends
is read for the tables it writes (`watch`), and when the session commits, the versions of the
tables its transaction wrote move in that same transaction (a COPY or other raw write names its
table with `wrote`). A part of a page kept with `part` remembers which tables (and named
values) the request had read by the time the part was made, with their versions; it is served
again only while none of them has moved. So a part cannot outlive a committed change to what it
shows, whichever service, command, job or API call made the change, and no service has to
remember to say so.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

import sqlalchemy as sa
from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
)
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy.orm import Mapped, Session, mapped_column

from civicladder import clock
from civicladder.db import db

T = TypeVar("T")
_VERSIONS_KEY = "cache_versions"
_lock = threading.Lock()
# (name, key) -> (version, value), for this process.
_values: dict[tuple[str, Hashable], tuple[int, object]] = {}
# Values kept per name before the oldest keys are dropped (keys are few: a role, a flag).
KEYS_PER_NAME = 64


class CacheVersion(db.Model):
    """How many times a cached thing has changed (`civicladder.caching`)."""

    __tablename__ = "cache_version"

    name: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


def _kept_for_now() -> dict | None:
    """Where this request (or, outside one, this command) keeps what it has read: the request's
    own environ, since an app context may outlive one request (a test's)."""
    if has_request_context():
        return request.environ
    return g.__dict__ if has_app_context() else None


def versions() -> dict[str, int]:
    """Every name's version, read once per request (or command) and kept for it."""
    store = _kept_for_now()
    found = store.get(_VERSIONS_KEY) if store is not None else None
    if found is None:
        found = dict(db.session.execute(sa.select(CacheVersion.name, CacheVersion.version)).all())
        if store is not None:
            store.setdefault(_VERSIONS_KEY, found)
    return found


def cached(name: str, key: Hashable, make: Callable[[], T]) -> T:
    """The value for `name` and `key`, made by `make()` when this process has none made under
    the current version of `name`."""
    _note_read((name,))  # a part made around this value depends on it too
    version = versions().get(name, 0)
    kept = _values.get((name, key))
    if kept is not None and kept[0] == version:
        return kept[1]  # type: ignore[return-value]
    value = make()
    with _lock:
        mine = [k for k in _values if k[0] == name and k != (name, key)]
        for old in mine[: max(0, len(mine) - KEYS_PER_NAME + 1)]:
            del _values[old]
        _values[(name, key)] = (version, value)
    return value


def bump(*names: str) -> None:
    """Move these names to a new version, in the caller's transaction: once it commits, every
    process makes their values again. Several changes at once serialise on the row."""
    _move(db.session.connection(), names)


def forget_all() -> None:
    """Drop this process's values (tests that rebuild a database under the same versions)."""
    with _lock:
        _values.clear()
        _parts.clear()
        _parts_size[0] = 0


# --- tables written and read ------------------------------------------------------------------

TABLE = "table:"  # a table's version is kept under this prefix and the table's name
_WRITTEN = "civicladder.caching.written"  # Connection.info: tables written since the last bump
# An execution option: a connection that has it moves no version (the migrations', run while
# the table of versions may not exist yet).
UNWATCHED = "caching_unwatched"
_READ_KEY = "cache_read"  # every version name the request has read so far
# Tables no part shows: the sign-in sessions (read by every signed-in request, written by every
# sign-in) and the versions themselves.
NOT_SHOWN = frozenset({"user_session", "cache_version"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WRITES = frozenset({"insert", "update", "delete", "merge", "truncate", "copy"})
_WRITE_IN_CTE = re.compile(r"\b(?:INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\b", re.I)
_known_tables: frozenset[str] = frozenset()


def watch(app: Flask) -> None:
    """Follow what the app's engines write and read (see the module's docstring)."""
    global _known_tables
    _known_tables = frozenset(db.metadata.tables) - NOT_SHOWN
    _tables_in.cache_clear()
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        for name, hook in (
            ("after_cursor_execute", _after_execute),
            ("commit", _at_commit),
            ("rollback", _at_rollback),
            ("savepoint", _at_savepoint),
            ("rollback_savepoint", _at_rollback_savepoint),
            ("release_savepoint", _at_release_savepoint),
        ):
            if not sa.event.contains(engine, name, hook):
                sa.event.listen(engine, name, hook)
    if not sa.event.contains(Session, "before_commit", _before_commit):
        sa.event.listen(Session, "before_commit", _before_commit)


@functools.lru_cache(maxsize=8192)
def _tables_in(statement: str) -> tuple[frozenset[str], bool]:
    """The app's tables a statement names, and whether it writes (SQL text is cached by
    SQLAlchemy, so the same few hundred strings come back)."""
    words = {word.lower() for word in _WORD.findall(statement)}
    first = _WORD.search(statement)
    verb = first.group(0).lower() if first else ""
    writes = verb in _WRITES or (verb == "with" and bool(_WRITE_IN_CTE.search(statement)))
    return frozenset(TABLE + name for name in words & _known_tables), writes


def _after_execute(conn, cursor, statement, parameters, context, executemany) -> None:
    options = conn.get_execution_options()
    if options.get(UNWATCHED):
        return
    tables, writes = _tables_in(statement)
    if not tables:
        return
    if not writes:
        _note_read(tables)
        return
    compiled = getattr(context, "compiled", None)
    target = getattr(getattr(compiled, "statement", None), "table", None)
    if isinstance(target, sa.Table) and target.name in _known_tables:
        tables = frozenset({TABLE + target.name})
    if conn.in_transaction() and options.get("isolation_level") != "AUTOCOMMIT":
        conn.info.setdefault(_WRITTEN, set()).update(tables)
    else:  # the statement committed itself
        _move(conn, tables, raw=True)


def wrote(connection: sa.Connection, *tables: str) -> None:
    """Say that a write the driver made directly (a COPY) changed these tables."""
    connection.info.setdefault(_WRITTEN, set()).update(
        TABLE + name for name in tables if name in _known_tables
    )


def _before_commit(session: Session) -> None:
    """The session's outermost commit: its pending changes are flushed, then the versions of
    every table its transaction wrote move, in the same transaction."""
    if session.in_nested_transaction() or not session.in_transaction():
        return
    session.flush()
    connection = session.connection()
    written = connection.info.pop(_WRITTEN, None)
    if written and not connection.get_execution_options().get(UNWATCHED):
        _move(connection, written)


def _at_commit(conn) -> None:
    """Any connection's commit: what the session's own commit has not moved already (a
    connection of its own, `engine.begin()`)."""
    conn.info.pop(_SAVED, None)
    written = conn.info.pop(_WRITTEN, None)
    if written and not conn.get_execution_options().get(UNWATCHED):
        _move(conn, written, raw=True)


def _at_rollback(conn) -> None:
    conn.info.pop(_WRITTEN, None)
    conn.info.pop(_SAVED, None)


# A savepoint remembers what had been written before it, so rolling back to it forgets only
# the writes it undid.
_SAVED = "civicladder.caching.saved"


def _at_savepoint(conn, name) -> None:
    conn.info.setdefault(_SAVED, []).append(set(conn.info.get(_WRITTEN, ())))


def _at_rollback_savepoint(conn, name, context) -> None:
    saved = conn.info.get(_SAVED)
    if saved:
        conn.info[_WRITTEN] = saved.pop()


def _at_release_savepoint(conn, name, context) -> None:
    saved = conn.info.get(_SAVED)
    if saved:
        saved.pop()


def _move(connection: sa.Connection, names: Iterable[str], raw: bool = False) -> None:
    """One version more for each name, in `connection`'s transaction; in name order, so two
    transactions moving the same names never wait on each other in a circle."""
    ordered = sorted(set(names))
    if not ordered:
        return
    mark = "(?, 1)" if connection.dialect.paramstyle == "qmark" else "(%s, 1)"
    marks = ", ".join([mark] * len(ordered))
    sql = (
        f"INSERT INTO cache_version (name, version) VALUES {marks} "  # noqa: S608 (placeholders only)
        "ON CONFLICT (name) DO UPDATE SET version = cache_version.version + 1"
    )
    if raw:  # inside the connection's own commit: straight to the driver
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, ordered)
        finally:
            cursor.close()
    else:
        connection.exec_driver_sql(sql, tuple(ordered))
    store = _kept_for_now()
    if store is not None:
        store.pop(_VERSIONS_KEY, None)  # this request reads its own change


def _note_read(names: Iterable[str]) -> None:
    store = _kept_for_now()
    if store is not None:
        store.setdefault(_READ_KEY, set()).update(names)


def _wrote_uncommitted() -> bool:
    """Whether the request's transaction holds writes that no commit has counted yet."""
    session = db.session()
    return session.in_transaction() and bool(session.connection().info.get(_WRITTEN))


# --- parts of pages -----------------------------------------------------------------------------

# (app, name, key, language, quarter hour) -> (version names, their versions, html); the least
# recently used are dropped once they hold more than PAGE_PARTS_MB of text.
_parts: OrderedDict[tuple, tuple[tuple[str, ...], tuple[int, ...], Markup]] = OrderedDict()
_parts_size = [0]  # characters held in _parts
# Lists that leave out what has started or ended (sessions to come, open rounds) follow the
# clock, not a write: a part is made again in each quarter of an hour at the latest.
PART_SECONDS = 900


def part(name: str, key: Hashable, make: Callable[[], Markup]) -> Markup:
    """The HTML `make()` renders for `name` and `key` (who is reading, and anything else it
    varies with besides the page's language and the time), kept in this process and served
    again while nothing it read has changed. `make` returns Markup: HTML its templates escaped.
    Never for HTML with a form's CSRF token, which belongs to one browser's session (a whole
    page is kept with `kept_page`, which puts each reader's own token back)."""

    def made() -> tuple[Markup, bool]:
        html = make()
        if not isinstance(html, Markup):
            raise TypeError(f"part {name!r} was made as {type(html).__name__}, not Markup")
        return html, True

    return _kept((name, key), made)


def kept_text(name: str, key: Hashable, make: Callable[[], str]) -> str:
    """Like `part`, for a document that is not HTML (a signed list): the text `make()` gives,
    kept until anything it read changes."""
    return _kept((name, key), lambda: (make(), True))


def _kept(name_and_key: tuple, make: Callable[[], tuple[str, bool]]) -> str:
    """What `make` gives, kept unless it says not to (see `part`)."""
    if not current_app.config.get("KEEP_PAGE_PARTS", True):
        return make()[0]
    bucket = int(clock.now().timestamp()) // PART_SECONDS
    app = id(current_app._get_current_object())  # tests run several apps in one process
    full = (app, *name_and_key, str(get_locale() or ""), bucket)
    current = versions()
    kept = _parts.get(full)
    if kept is not None and tuple(current.get(n, 0) for n in kept[0]) == kept[1]:
        with _lock:
            if full in _parts:
                _parts.move_to_end(full)
        _note_read(kept[0])
        return kept[2]
    html, keep = make()
    if not keep or _wrote_uncommitted():  # what it shows might yet be rolled back
        return html
    read = tuple(sorted(_kept_for_now().get(_READ_KEY) or ()))
    limit = current_app.config.get("PAGE_PARTS_MB", 32) * 1024 * 1024
    with _lock:
        old = _parts.pop(full, None)
        _parts_size[0] += len(html) - (len(old[2]) if old else 0)
        _parts[full] = (read, tuple(current.get(n, 0) for n in read), html)
        while _parts_size[0] > limit and len(_parts) > 1:
            _parts_size[0] -= len(_parts.popitem(last=False)[1][2])
    return html


# Stands for the reader's CSRF token in a kept page; each response gets the reader's own.
_CSRF_STAND_IN = "kept-page-csrf-token-5c1e9a"


def kept_page(view: Callable) -> Callable:
    """A GET page kept whole, per address and reader (anyone signed out shares one), until
    anything it read changes (see `part`). The view still runs behind its access rule on every
    request that is not served kept, and a kept page is served only while the data the view
    checked the reader's access against is unchanged. Only a 200 answer is kept, never one
    made while messages wait to be shown (they belong to one browser), and every form in it
    carries the reader's own CSRF token."""

    @functools.wraps(view)
    def kept(*args, **kwargs):
        if (
            request.method != "GET"
            or not current_app.config.get("KEEP_PAGE_PARTS", True)
            or session.get("_flashes")
        ):
            return view(*args, **kwargs)
        reader = current_user.get_id() if current_user.is_authenticated else None
        answer: dict = {}

        def made() -> tuple[Markup, bool]:
            field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
            own = g.pop(field, None)
            setattr(g, field, _CSRF_STAND_IN)  # what Flask-WTF's csrf_token() gives meanwhile
            try:
                result = view(*args, **kwargs)
            finally:
                g.pop(field, None)
                if own is not None:
                    setattr(g, field, own)
            if isinstance(result, tuple) and len(result) == 2 and result[1] == 200:
                result = result[0]
            if isinstance(result, str):
                return Markup(result), True  # noqa: S704 (a page its templates rendered)
            answer["other"] = result  # a redirect, a refusal: answered now, never kept
            return Markup(""), False

        page = f"{view.__module__}.{view.__qualname__}"
        html = _kept((page, request.full_path, reader), made)
        if "other" in answer:
            return _with_own_token(answer["other"])
        return str(html).replace(_CSRF_STAND_IN, generate_csrf())

    return kept


def _with_own_token(result):
    """An answer made while the stand-in token was in place, with the reader's own in it."""
    if isinstance(result, tuple) and result and isinstance(result[0], str):
        return (result[0].replace(_CSRF_STAND_IN, generate_csrf()), *result[1:])
    if isinstance(result, Response) and result.mimetype == "text/html" and not result.is_streamed:
        text = result.get_data(as_text=True)
        if _CSRF_STAND_IN in text:
            result.set_data(text.replace(_CSRF_STAND_IN, generate_csrf()))
    return result
