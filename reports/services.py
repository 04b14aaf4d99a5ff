"""Changes to reports: HR publishes a unit's report as a snapshot; both sides comment on one."""

from __future__ import annotations

from civicladder import audit, clock
from civicladder.access import Role, require_role
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, Forbidden, Invalid
from civicladder.models import User
from people.models import BargainingUnit
from reports import assemble, queries, rules
from reports.models import ReportComment, ReportSnapshot
from reports.rules import Period

MAX_COMMENT = 4000
UNION_SIDE = "Union representative"
MANAGEMENT_SIDE = "Human resources"


def publish_unit_report(actor: User | None, unit: BargainingUnit, period: Period) -> ReportSnapshot:
    """Freeze the unit's report for a period that is over: figures, content hash, time.

    Permanent: a unit has one snapshot per period, and publishing it again is a Conflict
    (the command line skips those instead). The unit's row is locked first, so two people
    publishing at the same moment give one snapshot and one clean refusal.
    """
    require_role(actor, Role.HR)
    rules.check_ended(period, clock.today())
    unit = locked_get(BargainingUnit, unit.id, "That bargaining unit no longer exists.")
    existing = queries.snapshot_for(unit.id, period.code)
    if existing is not None:
        raise Conflict(
            f"The {period.code} report for {unit.name} was published on "
            f"{existing.published_at:%Y-%m-%d}; a published report never changes."
        )
    content = assemble.unit_report(unit, period)
    snapshot = ReportSnapshot(
        bargaining_unit_id=unit.id,
        period=period.code,
        period_start=period.start,
        period_end=period.end,
        content=content,
        content_hash=rules.content_hash(content),
        published_at=clock.now(),
        published_by_id=actor.id if actor is not None else None,
    )
    db.session.add(snapshot)
    db.session.flush()
    audit.record(
        actor,
        "report_snapshot.published",
        snapshot,
        after={"period": period.code, "content_hash": snapshot.content_hash},
        label=f"{unit.name}, {period.code}",
    )
    return snapshot


def add_comment(actor: User, snapshot: ReportSnapshot, body: str) -> ReportComment:
    """A union rep of the snapshot's unit, or HR, comments; both sides read every comment."""
    unit_id = snapshot.bargaining_unit_id
    if unit_id is None or not queries.may_read_unit(actor, unit_id):
        raise Forbidden("Only HR and the unit's union representatives comment on its reports.")
    body = (body or "").strip()
    if not body:
        raise Invalid("Write the comment before posting it.", field="body")
    if len(body) > MAX_COMMENT:
        raise Invalid(f"Keep the comment under {MAX_COMMENT:,} characters.", field="body")
    comment = ReportComment(
        snapshot_id=snapshot.id,
        author_id=actor.id,
        author_name=actor.full_name,
        author_side=MANAGEMENT_SIDE if actor.has_role(Role.HR) else UNION_SIDE,
        body=body,
        created_at=clock.now(),
    )
    db.session.add(comment)
    db.session.flush()
    audit.record(
        actor,
        "report_comment.added",
        comment,
        after={"snapshot_id": snapshot.id, "content_hash": snapshot.content_hash, "body": body},
    )
    return comment
