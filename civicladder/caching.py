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
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.orm import Mapped, mapped_column

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


def versions() -> dict[str, int]:
    """Every name's version, read once per request (or command) and kept for it."""
    found = g.get(_VERSIONS_KEY) if has_app_context() else None
    if found is None:
        found = dict(db.session.execute(sa.select(CacheVersion.name, CacheVersion.version)).all())
        if has_app_context():
            g.setdefault(_VERSIONS_KEY, found)
    return found


def cached(name: str, key: Hashable, make: Callable[[], T]) -> T:
    """The value for `name` and `key`, made by `make()` when this process has none made under
    the current version of `name`."""
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
    for name in names:
        moved = db.session.execute(
            sa.update(CacheVersion)
            .where(CacheVersion.name == name)
            .values(version=CacheVersion.version + 1)
        ).rowcount
        if not moved:
            db.session.add(CacheVersion(name=name, version=1))
            db.session.flush()
    if has_app_context():
        g.pop(_VERSIONS_KEY, None)  # this request reads its own change


def forget_all() -> None:
    """Drop this process's values (tests that rebuild a database under the same versions)."""
    with _lock:
        _values.clear()
