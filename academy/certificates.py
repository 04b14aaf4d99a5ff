"""Certificates: what one certifies (kept as it stood at issue), its state, and revoking it."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext

from academy import rules, signals
from academy.models import Certificate, CourseSession, Enrollment
from civicladder import audit, clock, querying
from civicladder.access import Role, require_role
from civicladder.db import db, locked
from civicladder.errors import Conflict, Invalid, NotFound
from civicladder.languages import written_in
from civicladder.models import User
from civicladder.notify import notify
from competencies.models import Competency, CompetencyEvidence, EvidenceSource

VALID, EXPIRED, REVOKED = "valid", "expired", "revoked"


def session_days(session: CourseSession) -> tuple[date, date]:
    """The session's first and last day, as the city's calendar (the pages' time zone) has them."""
    zone = querying.display_zone()
    return session.starts_at.astimezone(zone).date(), session.ends_at.astimezone(zone).date()


def completion_day(session: CourseSession) -> date:
    """The day a completion is dated: the session's last day (today, for a result given
    before that day is over)."""
    return min(session_days(session)[1], clock.today())


def as_issued(
    session: CourseSession, completed_on: date, evidence: dict[int, CompetencyEvidence]
) -> dict:
    """What a certificate for this session keeps: the course, the session's days, the
    instructor and the levels granted as they stand now, with the evidence each one wrote
    (`evidence`, by competency id), valid from the day completed."""
    course = session.course
    first_day, last_day = session_days(session)
    outcomes = [
        {
            "code": o.competency.code,
            "name": o.competency.name,
            "level": o.level,
            "validity_months": o.validity_months,
        }
        | ({"evidence_id": evidence[o.competency_id].id} if o.competency_id in evidence else {})
        for o in course.outcomes
    ]
    dated = [rules.expiry(completed_on, o.validity_months) for o in course.outcomes]
    dated = [d for d in dated if d is not None]
    return {
        "issued_on": completed_on,
        # A certificate lasts as long as its shortest-lived competency.
        "expires_on": min(dated) if dated else None,
        "course_code": course.code,
        "course_title": course.title,
        "hours": course.hours,
        "first_day": first_day,
        "last_day": last_day,
        "instructor_name": session.instructor.full_name if session.instructor else "",
        "outcomes": outcomes,
    }


def state(certificate: Certificate, today: date | None = None) -> str:
    if certificate.revoked:
        return REVOKED
    return EXPIRED if certificate.expired(today or clock.today()) else VALID


def revoke(actor: User, certificate: Certificate, reason: str) -> Certificate:
    """HR takes a certificate back, saying why; its holder is told."""
    require_role(actor, Role.HR)
    return record_revocation(actor, certificate, reason)


def record_revocation(actor: User | None, certificate: Certificate, reason: str) -> Certificate:
    """Revoke the certificate (the caller has checked who may): locked first, so of two
    identical requests one revokes and the other is told it already was."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Give a reason for revoking the certificate.", field="reason")
    certificate = db.session.scalar(
        locked(sa.select(Certificate), of=Certificate).where(Certificate.id == certificate.id)
    )
    if certificate is None:
        raise NotFound("There is no certificate at this address.")
    if certificate.revoked:
        raise Conflict(
            f"This certificate was already revoked on {certificate.revoked_at:%Y-%m-%d}."
        )
    certificate.revoked_at = clock.now()
    certificate.revoked_by_id = actor.id if actor is not None else None
    certificate.revocation_reason = reason
    db.session.flush()
    employee = certificate.enrollment.employee
    audit.record(
        actor,
        "certificate.revoked",
        certificate,
        before={"revoked": False},
        after={"revoked": True},
        reason=reason,
        label=f"{employee.full_name}: {certificate.course_code}",
    )
    signals.certificate_revoked.send(actor, certificate=certificate)
    if employee.user is not None and employee.user.active:
        with written_in(employee.user.locale):
            notify(
                employee.user,
                gettext("Certificate revoked: %(course)s", course=certificate.course_title),
                gettext(
                    "Your certificate %(code)s for %(course)s was revoked.",
                    code=certificate.code,
                    course=certificate.course_title,
                )
                + " "
                + gettext("Reason: %(reason)s", reason=reason),
                link=url_for("academy.certificate", certificate_id=certificate.id),
            )
    return certificate


def evidence_of(certificate: Certificate) -> list[CompetencyEvidence]:
    """The competency evidence the certificate's completion wrote. Certificates issued before
    they kept their evidence ids find it by holder, competency, source and day."""
    outcomes = certificate.outcomes or []
    ids = [o["evidence_id"] for o in outcomes if "evidence_id" in o]
    stmt = sa.select(CompetencyEvidence).where(
        CompetencyEvidence.employee_id == certificate.enrollment.employee_id
    )
    if ids and len(ids) == len(outcomes):
        stmt = stmt.where(CompetencyEvidence.id.in_(ids))
    else:
        stmt = stmt.join(Competency, Competency.id == CompetencyEvidence.competency_id).where(
            Competency.code.in_([o["code"] for o in outcomes] or [""]),
            CompetencyEvidence.source == EvidenceSource.COURSE_COMPLETION,
            CompetencyEvidence.observed_on.in_(
                sorted({certificate.issued_on, certificate.last_day})
            ),
        )
    return list(db.session.scalars(stmt.order_by(CompetencyEvidence.id)))


def certificate_of(enrollment: Enrollment) -> Certificate | None:
    return db.session.scalar(
        sa.select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    )
