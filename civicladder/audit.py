"""The audit trail: one call records who did what to which object, before and after, and why."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from werkzeug.local import LocalProxy

from civicladder.db import db
from civicladder.models import AuditEvent, User

SYSTEM_LABEL = "system"


def _plain(value: Any) -> Any:
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
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.email if actor is not None else SYSTEM_LABEL,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "-",
        object_id=str(object_id) if object_id is not None else None,
        object_label=(label if label is not None else str(obj if obj is not None else ""))[:300],
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        reason=reason,
    )
    db.session.add(event_row)
    return event_row


def _unwrap(value: Any) -> Any:
    if isinstance(value, LocalProxy):
        return value._get_current_object()
    return value


def snapshot(obj: Any, fields: list[str]) -> dict:
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


def search_statement(
    *,
    actor: str | None = None,
    object_text: str | None = None,
    action: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> sa.Select:
    """The audit log, newest first, filtered by actor, object, action and date range."""
    stmt = sa.select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if actor:
        stmt = stmt.where(AuditEvent.actor_label.ilike(f"%{_escape_like(actor)}%", escape="\\"))
    if object_text:
        pattern = f"%{_escape_like(object_text)}%"
        stmt = stmt.where(
            sa.or_(
                AuditEvent.object_label.ilike(pattern, escape="\\"),
                AuditEvent.object_type.ilike(pattern, escape="\\"),
                AuditEvent.object_id == object_text,
            )
        )
    if action:
        stmt = stmt.where(AuditEvent.action.ilike(f"{_escape_like(action)}%", escape="\\"))
    if date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= _start_of(date_from))
    if date_to:
        stmt = stmt.where(AuditEvent.occurred_at < _start_of(date_to, plus_days=1))
    return stmt


def _start_of(day: date, plus_days: int = 0) -> datetime:
    from datetime import UTC, timedelta

    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=plus_days)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
