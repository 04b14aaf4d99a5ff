"""Results: the instructor records them; a completion writes competency evidence and issues a
certificate; a participant who completed may rate the session once."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext

from academy import certificates, rules
from academy.models import (
    CORRECTION,
    ENROLLMENT,
    FINAL_RESULTS,
    RESULT_STATUSES,
    Certificate,
    CourseSession,
    Enrollment,
    EnrollmentStatus,
    SessionRating,
)
from civicladder import audit, clock
from civicladder.access import Role
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, Forbidden, Invalid, NotFound
from civicladder.languages import written_in
from civicladder.lifecycle import move
from civicladder.models import User
from civicladder.notify import notify
from competencies import services as competency_services
from competencies.models import EvidenceSource
from competencies.withdrawal import withdraw_evidence
from people import queries as people_queries

S = EnrollmentStatus
# No 0, O, 1 or I: a code is read off paper and typed in.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def may_record(actor: User | None, session: CourseSession) -> bool:
    """HR, or the session's instructor."""
    if actor is None or actor.has_role(Role.HR):
        return True
    own = people_queries.own_employee_id(actor)
    return own is not None and own == session.instructor_id


def record_result(
    actor: User | None, enrollment: Enrollment, result: EnrollmentStatus, score: int | None = None
) -> Enrollment:
    """Attended (the result to follow), completed (with an optional score), failed or no-show,
    for someone who had a seat."""
    session = enrollment.session
    if actor is not None and people_queries.own_employee_id(actor) == enrollment.employee_id:
        raise Forbidden("You cannot record your own result; the instructor or HR records it.")
    if not may_record(actor, session):
        raise Forbidden("Only the session's instructor or HR can record results.")
    if result not in RESULT_STATUSES:
        raise Invalid("Choose attended, completed, not passed or did not attend.", field="result")
    if session.starts_at > clock.now():
        raise Invalid("Results can be recorded once the session has started.", field="result")
    if score is not None and not 0 <= score <= 100:
        raise Invalid("A score is from 0 to 100.", field="score")
    move(ENROLLMENT, enrollment, result, actor)
    if result == S.ATTENDED:
        return enrollment
    enrollment.result_on = clock.today()
    enrollment.score = score if result == S.COMPLETED else None
    if result == S.COMPLETED:
        _grant(actor, enrollment)
    return enrollment


def _grant(actor: User | None, enrollment: Enrollment) -> Certificate:
    """Evidence for each competency the course develops, and the certificate, all dated the
    session's last day."""
    session, employee = enrollment.session, enrollment.employee
    course = session.course
    completed_on = certificates.completion_day(session)
    evidence = {}
    for outcome in course.outcomes:
        # The instructor is not the employee's manager, so the evidence is the academy's word
        # (recorded as the system); the enrolment's audit event names who recorded the result.
        evidence[outcome.competency_id] = competency_services.record_evidence(
            None,
            employee,
            outcome.competency,
            level=outcome.level,
            observed_on=completed_on,
            source=EvidenceSource.COURSE_COMPLETION,
            expires_on=rules.expiry(completed_on, outcome.validity_months),
            note=f"Completed {course.code} {course.title} ({session.starts_at:%Y-%m-%d})",
        )
    facts = certificates.as_issued(session, completed_on, evidence)
    certificate = Certificate(enrollment_id=enrollment.id, code=new_code(), **facts)
    db.session.add(certificate)
    db.session.flush()
    audit.record(
        actor,
        "certificate.issued",
        certificate,
        after={"enrollment": enrollment.id, "code": certificate.code},
        label=f"{employee.full_name}: {course.code}",
    )
    if employee.user is not None and employee.user.active:
        with written_in(employee.user.locale):
            notify(
                employee.user,
                gettext("Certificate: %(course)s", course=course.title),
                gettext(
                    "You completed %(course)s. Your certificate's code is %(code)s.",
                    course=course.title,
                    code=certificate.code,
                ),
                link=url_for("academy.certificate", certificate_id=certificate.id),
            )
    return certificate


def correct_result(
    actor: User | None,
    enrollment: Enrollment,
    result: EnrollmentStatus,
    reason: str,
    score: int | None = None,
) -> Enrollment:
    """The instructor or HR corrects a recorded result, saying why. A completion taken back
    revokes its certificate and withdraws the evidence it wrote; a completion given writes
    them as a first recording would."""
    enrollment = locked_get(Enrollment, enrollment.id, "There is no such enrolment.")
    if actor is not None and people_queries.own_employee_id(actor) == enrollment.employee_id:
        raise Forbidden("You cannot correct your own result; the instructor or HR does.")
    if not may_record(actor, enrollment.session):
        raise Forbidden("Only the session's instructor or HR can correct results.")
    if enrollment.status not in FINAL_RESULTS:
        raise Conflict("There is no result to correct yet: record the result instead.")
    if result not in FINAL_RESULTS:
        raise Invalid("Choose completed, not passed or did not attend.", field="result")
    if score is not None and not 0 <= score <= 100:
        raise Invalid("A score is from 0 to 100.", field="score")
    earlier = certificates.certificate_of(enrollment)
    if result == S.COMPLETED and earlier is not None:
        raise Conflict(
            "This person's certificate for this session was revoked and cannot be issued "
            "again; enrol them in a new session."
        )
    before = enrollment.status
    move(CORRECTION, enrollment, result, actor, reason=reason)
    enrollment.score = score if result == S.COMPLETED else None
    if before == S.COMPLETED and earlier is not None:
        why = f"Result corrected to {result.label.lower()}: {reason.strip()}"
        if not earlier.revoked:  # HR may have revoked it already; its evidence still goes
            certificates.record_revocation(actor, earlier, why)
        withdraw_evidence(actor, certificates.evidence_of(earlier), why, authorised=True)
    if result == S.COMPLETED:
        _grant(actor, enrollment)
    _tell_corrected(enrollment, result, reason)
    return enrollment


def _tell_corrected(enrollment: Enrollment, result: EnrollmentStatus, reason: str) -> None:
    person = enrollment.employee.user
    if person is None or not person.active:
        return
    title = enrollment.session.course.title
    with written_in(person.locale):
        notify(
            person,
            gettext("Result corrected: %(course)s", course=title),
            gettext(
                "Your result for %(course)s was corrected to %(result)s.",
                course=title,
                result=gettext(result.label).lower(),
            )
            + " "
            + gettext("Reason: %(reason)s", reason=reason.strip()),
            link=url_for("academy.my_training"),
        )


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def rate(actor: User, enrollment: Enrollment, rating: int, comment: str = "") -> SessionRating:
    if people_queries.own_employee_id(actor) != enrollment.employee_id:
        raise NotFound("There is no enrolment at this address that you can rate.")
    if enrollment.status != S.COMPLETED:
        raise Conflict("You can rate a session after you have completed it.")
    if not 1 <= rating <= 5:
        raise Invalid("Choose a rating from 1 to 5.", field="rating")
    exists = sa.select(SessionRating.enrollment_id).where(
        SessionRating.enrollment_id == enrollment.id
    )
    if db.session.scalar(exists):
        raise Conflict("You have already rated this session.")
    row = SessionRating(
        enrollment_id=enrollment.id,
        session_id=enrollment.session_id,
        rating=rating,
        comment=comment.strip(),
    )
    db.session.add(row)
    db.session.flush()
    # Who rated is in the trail for accountability, never what they said.
    audit.record(actor, "session_rating.given", enrollment, label=f"Enrolment {enrollment.id}")
    return row


def get_certificate(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound("There is no certificate at this address.")
    return certificate
