"""The audit trail: one call records who did what to which object, before and after, and why."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from werkzeug.local import LocalProxy

from civicladder import bulk, clock, querying
from civicladder.db import db
from civicladder.models import AuditEvent, User

SYSTEM_LABEL = "system"
# Who acts when no person does: another system calling the API, named while its call runs
# (`acting_as`); the system itself otherwise.
_acting: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_acting", default=None)


@contextmanager
def acting_as(label: str) -> Iterator[None]:
    """Record what happens inside, with no person acting, as done by `label` (an API client)."""
    token = _acting.set(label[:254])
    try:
        yield
    finally:
        _acting.reset(token)


# Stored as they are; by exact type, since an enum member can also be a str or an int.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set) else items
    return value


def record(
    actor: User | None,
    action: str,
    obj: Any,
    *,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
    label: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (flushing first so new objects have ids)."""
    # `current_user` is a proxy: store what it stands for, not the proxy's own type.
    actor = _unwrap(actor)
    obj = _unwrap(obj)
    object_id = getattr(obj, "id", None)
    if obj is not None and object_id is None:
        db.session.flush()
        object_id = getattr(obj, "id", None)
    event_row = AuditEvent(
        **_values(
            actor,
            action,
            type(obj).__name__ if obj is not None else "-",
            object_id,
            label if label is not None else str(obj if obj is not None else ""),
            before,
            after,
            reason,
        )
    )
    db.session.add(event_row)
    return event_row


def _values(actor, action, object_type, object_id, label, before, after, reason) -> dict:
    """An audit event's columns, as `record` and `record_many` both store them."""
    return {
        "actor_id": actor.id if actor is not None else None,
        "actor_label": actor.email if actor is not None else (_acting.get() or SYSTEM_LABEL),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id) if object_id is not None else None,
        "object_label": label[:300],
        "before": _plain(before) if before is not None else None,
        "after": _plain(after) if after is not None else None,
        "reason": reason,
    }


def _unwrap(value: Any) -> Any:
    if isinstance(value, LocalProxy):
        return value._get_current_object()
    return value


def snapshot(obj: Any, fields: Iterable[str]) -> dict:
    """The named attributes of an object, as a plain dict for before/after."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, so an event shows what actually changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise RuntimeError("audit events are append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise RuntimeError("audit events are append-only")


# Object types whose label, before/after details and reason an administrator reads in the audit
# log: user accounts, which are theirs to manage. Every other object belongs to a domain whose
# records an administrator does not open (an employee's personnel record, their competency
# evidence, and whatever later packages record), so for those the log shows who did what to which
# object and when, and no more. An allow-list, so a new kind of record starts out hidden.
ADMIN_DETAIL_TYPES = frozenset({"User"})


def search_statement(
    *,
    actor: str | None = None,
    object_text: str | None = None,
    action: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    detail_types: Collection[str] | None = None,
) -> sa.Select:
    """The audit log, newest first, filtered by actor, object, action and date range.

    Dates are whole days in the display time zone. With `detail_types`, the object text matches
    the labels of only those types (elsewhere only the type and id), so a search cannot reveal
    what the page would hide.
    """
    stmt = sa.select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if actor := querying.search_text(actor):
        stmt = stmt.where(querying.contains(AuditEvent.actor_label, actor))
    if object_text := querying.search_text(object_text):
        label = querying.contains(AuditEvent.object_label, object_text)
        if detail_types is not None:
            label = sa.and_(AuditEvent.object_type.in_(sorted(detail_types)), label)
        stmt = stmt.where(
            sa.or_(
                label,
                querying.contains(AuditEvent.object_type, object_text),
                AuditEvent.object_id == object_text,
            )
        )
    if action := querying.search_text(action):
        stmt = stmt.where(querying.starts_with(AuditEvent.action, action))
    return stmt.where(*querying.within_days(AuditEvent.occurred_at, date_from, date_to))


@dataclass(frozen=True)
class AuditEntry:
    """One event as a page shows it: details only where the reader's remit covers the object."""

    occurred_at: datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str | None
    object_label: str
    before: dict | None
    after: dict | None
    reason: str | None
    details_shown: bool


def entries(events: Iterable[AuditEvent], detail_types: Collection[str]) -> list[AuditEntry]:
    """The events as entries, with label, before/after and reason kept only for detail_types."""
    shown = []
    for e in events:
        full = e.object_type in detail_types
        shown.append(
            AuditEntry(
                occurred_at=e.occurred_at,
                actor_label=e.actor_label,
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                object_label=e.object_label if full else "",
                before=e.before if full else None,
                after=e.after if full else None,
                reason=e.reason if full else None,
                details_shown=full,
            )
        )
    return shown


@dataclass(frozen=True)
class Recorded:
    """One object's part in record_many: which object, and its before/after."""

    object_type: str
    object_id: int | str
    label: str
    before: dict | None = None
    after: dict | None = None


def record_many(
    actor: User | None,
    action: str,
    objects: Iterable[Recorded],
    *,
    reason: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Record the same action on many objects in one bulk insert; the same events as `record`.

    For imports of thousands of rows, where adding an ORM object per event is the slow part.
    Returns how many events were written.
    """
    when = clock.now()
    actor = _unwrap(actor)
    rows = [
        {"occurred_at": when}
        | _values(
            actor,
            action,
            item.object_type,
            item.object_id,
            item.label,
            item.before,
            item.after,
            reason,
        )
        for item in objects
    ]
    bulk.insert_rows(AuditEvent.__table__, rows, on_progress)
    return len(rows)
