"""Changes to reports: HR publishes a unit's or a department's report as a snapshot; those who
read a snapshot comment on it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l

from civicladder import audit, clock, jobs, notify
from civicladder.access import Role, require_role
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, Forbidden, Invalid
from civicladder.languages import N_
from civicladder.layout import format_datetime
from civicladder.models import JobRun, User
from people.models import BargainingUnit, Department
from reports import assemble, exports, readers, rules
from reports import audit as disclosure_audit
from reports.models import LiveReport, ReportComment, ReportSnapshot
from reports.rules import Period
from reports.tables import UNIT, Scope

MAX_COMMENT = 4000
# Kept with each comment in English, written in the reader's language where shown.
UNION_SIDE = N_("Union representative")
HR_SIDE = N_("Human resources")
MANAGER_SIDE = N_("Manager")


def _side(actor: User, snapshot: ReportSnapshot) -> str:
    """Which side a comment speaks for, as the thread shows it."""
    if actor.has_role(Role.HR):
        return HR_SIDE
    return UNION_SIDE if snapshot.bargaining_unit_id is not None else MANAGER_SIDE


PUBLISH_JOB = "reports.publish"


def request_publication(actor: User, scope_kind: str, scope_id: int, period: Period) -> JobRun:
    """Ask for a report to be published (see `_publish`): checked now, done by a job, since
    counting a large unit's year, checking it against everything its readers open and
    rendering its PDF take from seconds to a minute at a city's size. Refused when the period
    is not over, the report is published, or it is being published already; the owner's row is
    locked first, so two people asking at once get one job and one refusal."""
    require_role(actor, Role.HR)
    rules.check_ended(period, clock.today())
    scope = _locked_scope(scope_kind, scope_id)
    _check_unpublished(scope, period)
    if run := jobs.in_flight(PUBLISH_JOB, **_publish_params(scope, period)):
        raise Conflict(
            gettext(
                "The %(period)s report for %(scope)s is being published already (asked for at "
                "%(moment)s).",
                period=period.code,
                scope=scope.name,
                moment=format_datetime(run.created_at),
            )
        )
    run = jobs.enqueue(
        PUBLISH_JOB,
        actor=actor,
        title=gettext(
            "Publish the %(period)s report for %(scope)s", period=period.code, scope=scope.name
        ),
        **_publish_params(scope, period),
    )
    audit.record(
        actor,
        "report_snapshot.publication_requested",
        run,
        after=_publish_params(scope, period),
        label=f"{scope.name}, {period.code}",
    )
    return run


def _publish_params(scope: Scope, period: Period) -> dict:
    return {"scope_kind": scope.kind, "scope_id": scope.id, "period": period.code}


def _locked_scope(scope_kind: str, scope_id: int) -> Scope:
    if scope_kind == UNIT:
        unit = locked_get(
            BargainingUnit, scope_id, gettext("That bargaining unit no longer exists.")
        )
        return assemble.unit_scope(unit)
    department = locked_get(Department, scope_id, gettext("That department no longer exists."))
    return assemble.department_scope(department)


def published_by_job(run: JobRun, scope_kind: str, scope_id: int, period: str) -> dict:
    """The publishing job's work: the snapshot and its PDF in the job's one transaction, so a
    worker that dies half-way leaves nothing, and the next try publishes once."""
    actor = db.session.get(User, run.requested_by_id) if run.requested_by_id else None
    if scope_kind == UNIT:
        owner = db.session.get(BargainingUnit, scope_id)
        if owner is None:
            raise Conflict(gettext("That bargaining unit no longer exists."))
        snapshot = publish_unit_report(actor, owner, rules.parse_period(period))
    else:
        owner = db.session.get(Department, scope_id)
        if owner is None:
            raise Conflict(gettext("That department no longer exists."))
        snapshot = publish_department_report(actor, owner, rules.parse_period(period))
    return {
        "snapshot_id": snapshot.id,
        "link": url_for("reports.snapshot", snapshot_id=snapshot.id),
        # In the asker's language (civicladder.jobs runs the work in it).
        "link_text": gettext(
            "Read the published %(period)s report for %(scope)s",
            period=period,
            scope=snapshot.scope_name,
        ),
    }


def _check_unpublished(scope: Scope, period: Period) -> None:
    existing = readers.snapshot_for(scope, period.code)
    if existing is not None:
        raise Conflict(
            gettext(
                "The %(period)s report for %(scope)s was published on %(day)s; a published "
                "report never changes.",
                period=period.code,
                scope=scope.name,
                day=existing.published_at.date().isoformat(),
            )
        )


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
    unit = locked_get(BargainingUnit, unit.id, gettext("That bargaining unit no longer exists."))
    snapshot = _publish(
        actor, assemble.unit_scope(unit), period, pdf=pdf, bargaining_unit_id=unit.id
    )
    if tell_reps:
        for rep in readers.unit_reps(unit.id):
            notify.notify(
                rep,
                _l(
                    "The %(period)s progress report for %(unit)s is published",
                    period=period.code,
                    unit=unit.name,
                ),
                _l(
                    "Its figures are frozen: management reads the same numbers. You can comment "
                    "on it."
                ),
                url_for("reports.snapshot", snapshot_id=snapshot.id),
            )
    return snapshot


def publish_department_report(
    actor: User | None, department: Department, period: Period
) -> ReportSnapshot:
    """Freeze a department's report for a period that is over (see `_publish`)."""
    require_role(actor, Role.HR)
    department = locked_get(Department, department.id, gettext("That department no longer exists."))
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
    _check_unpublished(scope, period)
    counted: dict = {}  # the year's blocks, counted once for the report and its check
    content = assemble.report(scope, period, counted)
    if findings := disclosure_audit.check_publishing(scope, period, content, counted):
        shown = "; ".join(finding.describe() for finding in findings[:5])
        if len(findings) > 5:
            shown += " " + gettext("(and %(num)s more)", num=len(findings) - 5)
        raise Conflict(
            gettext(
                "The %(period)s report for %(scope)s is not published: with the reports "
                "already published, a small group could be worked out from it. %(findings)s.",
                period=period.code,
                scope=scope.name,
                findings=shown,
            )
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
        raise Forbidden(gettext("Only the people who read this report comment on it."))
    body = (body or "").strip()
    if not body:
        raise Invalid(gettext("Write the comment before posting it."), field="body")
    if len(body) > MAX_COMMENT:
        raise Invalid(
            gettext("Keep the comment under %(num)s characters.", num=format_decimal(MAX_COMMENT)),
            field="body",
        )
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
                _l(
                    "%(name)s commented on the %(period)s report for %(scope)s",
                    name=actor.full_name,
                    period=snapshot.period,
                    scope=snapshot.scope_name,
                ),
                link=url_for("reports.snapshot", snapshot_id=snapshot.id, _anchor="comments"),
            )
