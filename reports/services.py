"""Changes to reports: HR publishes a unit's or a department's report as a snapshot; those who
read a snapshot comment on it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from civicladder import audit, clock, notify
from civicladder.access import Role, require_role
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, Forbidden, Invalid
from civicladder.models import User
from people.models import BargainingUnit, Department
from reports import assemble, exports, readers, rules
from reports import audit as disclosure_audit
from reports.models import LiveReport, ReportComment, ReportSnapshot
from reports.rules import Period
from reports.tables import Scope

MAX_COMMENT = 4000
UNION_SIDE = "Union representative"
HR_SIDE = "Human resources"
MANAGER_SIDE = "Manager"


def _side(actor: User, snapshot: ReportSnapshot) -> str:
    """Which side a comment speaks for, as the thread shows it."""
    if actor.has_role(Role.HR):
        return HR_SIDE
    return UNION_SIDE if snapshot.bargaining_unit_id is not None else MANAGER_SIDE


def publish_unit_report(
    actor: User | None,
    unit: BargainingUnit,
    period: Period,
    *,
    tell_reps: bool = True,
    pdf: bool = True,
) -> ReportSnapshot:
    """Freeze a unit's report for a period that is over (see `_publish`); the unit's union
    representatives are told (the demo, whose history is the system's, tells nobody)."""
    require_role(actor, Role.HR)
    unit = locked_get(BargainingUnit, unit.id, "That bargaining unit no longer exists.")
    snapshot = _publish(
        actor, assemble.unit_scope(unit), period, pdf=pdf, bargaining_unit_id=unit.id
    )
    if tell_reps:
        for rep in readers.unit_reps(unit.id):
            notify.notify(
                rep,
                f"The {period.code} progress report for {unit.name} is published",
                "Its figures are frozen: management reads the same numbers. You can comment on it.",
                url_for("reports.snapshot", snapshot_id=snapshot.id),
            )
    return snapshot


def publish_department_report(
    actor: User | None, department: Department, period: Period
) -> ReportSnapshot:
    """Freeze a department's report for a period that is over (see `_publish`)."""
    require_role(actor, Role.HR)
    department = locked_get(Department, department.id, "That department no longer exists.")
    return _publish(
        actor, assemble.department_scope(department), period, department_id=department.id
    )


def _publish(
    actor: User | None, scope: Scope, period: Period, *, pdf: bool = True, **scope_column
) -> ReportSnapshot:
    """The figures, their content hash and the time, frozen for good, with the PDF rendered
    once and kept beside them (`pdf=False` leaves it to the first download: the demo).

    Permanent: a scope has one snapshot per period, and publishing it again is a Conflict
    (the command line skips those instead). The caller locks the unit's or department's row
    first, so two people publishing at the same moment give one snapshot and one refusal.
    """
    rules.check_ended(period, clock.today())
    existing = readers.snapshot_for(scope, period.code)
    if existing is not None:
        raise Conflict(
            f"The {period.code} report for {scope.name} was published on "
            f"{existing.published_at:%Y-%m-%d}; a published report never changes."
        )
    counted: dict = {}  # the year's blocks, counted once for the report and its check
    content = assemble.report(scope, period, counted)
    if findings := disclosure_audit.check_publishing(scope, period, content, counted):
        shown = "; ".join(finding.describe() for finding in findings[:5])
        more = f" (and {len(findings) - 5} more)" if len(findings) > 5 else ""
        raise Conflict(
            f"The {period.code} report for {scope.name} is not published: with the reports "
            f"already published, a small group could be worked out from it. {shown}{more}."
        )
    snapshot = ReportSnapshot(
        period=period.code,
        period_start=period.start,
        period_end=period.end,
        content=content,
        content_hash=rules.content_hash(content),
        published_at=clock.now(),
        published_by_id=actor.id if actor is not None else None,
        **scope_column,
    )
    db.session.add(snapshot)
    # Live figures of the scope counted ahead were protected with this period still open.
    db.session.execute(
        sa.delete(LiveReport).where(
            LiveReport.scope_kind == scope.kind, LiveReport.scope_id == scope.id
        )
    )
    db.session.flush()
    audit.record(
        actor,
        "report_snapshot.published",
        snapshot,
        after={"period": period.code, "content_hash": snapshot.content_hash},
        label=f"{scope.name}, {period.code}",
    )
    if pdf:
        exports.store_pdf(snapshot)
    return snapshot


def add_comment(actor: User, snapshot: ReportSnapshot, body: str) -> ReportComment:
    """A union rep of the snapshot's unit, or HR, comments; both sides read every comment."""
    if not readers.may_read_snapshot(actor, snapshot):
        raise Forbidden("Only the people who read this report comment on it.")
    body = (body or "").strip()
    if not body:
        raise Invalid("Write the comment before posting it.", field="body")
    if len(body) > MAX_COMMENT:
        raise Invalid(f"Keep the comment under {MAX_COMMENT:,} characters.", field="body")
    comment = ReportComment(
        snapshot_id=snapshot.id,
        author_id=actor.id,
        author_name=actor.full_name,
        author_side=_side(actor, snapshot),
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
    _tell_other_side(actor, snapshot)
    return comment


def _tell_other_side(actor: User, snapshot: ReportSnapshot) -> None:
    """HR's comment goes to the unit's representatives; anyone else's to the HR officer who
    published the report."""
    if actor.has_role(Role.HR):
        others = (
            readers.unit_reps(snapshot.bargaining_unit_id) if snapshot.bargaining_unit_id else []
        )
    else:
        publisher = snapshot.published_by
        others = [publisher] if publisher is not None and publisher.active else []
    for other in others:
        if other.id != actor.id:
            notify.notify(
                other,
                f"{actor.full_name} commented on the {snapshot.period} report for "
                f"{snapshot.scope_name}",
                link=url_for("reports.snapshot", snapshot_id=snapshot.id, _anchor="comments"),
            )
