"""Read side of training records: certificates, evidence running out, ratings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import aliased, joinedload

from academy import rules
from academy.models import (
    Certificate,
    Course,
    CourseOutcome,
    CourseSession,
    Enrollment,
    SessionRating,
)
from civicladder import clock
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import NotFound
from competencies.models import CompetencyEvidence
from competencies.queries import still_counts, withdrawn
from people import queries as people_queries
from people.models import Employee

# --- certificates ------------------------------------------------------------------------------


def certificate_statement() -> sa.Select:
    # What a certificate shows is kept on it; only the holder's name is looked up.
    return sa.select(Certificate).options(
        joinedload(Certificate.enrollment).joinedload(Enrollment.employee)
    )


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this code, typed in any case, with or without its dashes."""
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(cleaned) != 12:
        return None
    formatted = "-".join(cleaned[i : i + 4] for i in range(0, 12, 4))
    return db.session.scalar(certificate_statement().where(Certificate.code == formatted))


def visible_certificate(user, certificate_id: int) -> Certificate:
    """The certificate, for its holder, HR, or a manager whose line holds them; else 404."""
    found = db.session.scalar(certificate_statement().where(Certificate.id == certificate_id))
    if found is None or not people_queries.can_view(user, found.enrollment.employee_id):
        raise NotFound(gettext("There is no certificate at this address that you can open."))
    return found


def may_download(user, certificate: Certificate) -> bool:
    """The signed credential is its holder's to carry (and HR's to hand over): a manager who
    may read the certificate does not download it."""
    return user.has_role(Role.HR) or (
        certificate.enrollment.employee_id == people_queries.own_employee_id(user)
    )


def own_certificate(user, certificate_id: int) -> Certificate:
    """The certificate, for its holder or HR; else 404."""
    found = db.session.scalar(certificate_statement().where(Certificate.id == certificate_id))
    if found is None or not may_download(user, found):
        raise NotFound(gettext("There is no certificate at this address that you can download."))
    return found


def certificates_of(employee_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            certificate_statement()
            .join(Enrollment, Enrollment.id == Certificate.enrollment_id)
            .where(Enrollment.employee_id == employee_id)
            .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
        )
    )


# --- evidence running out ----------------------------------------------------------------------

EXPIRY_WINDOW_DAYS = 60


@dataclass(frozen=True)
class Expiring:
    employee: Employee
    evidence: CompetencyEvidence
    renewing: Course | None


def expiring_evidence(employee_condition, limit: int = 50) -> list[Expiring]:
    """Evidence that stops counting within 60 days, for the employees the condition selects,
    with a course that renews it (the first by title granting at least that level); evidence
    already renewed by later evidence of the same or a higher level is left out."""
    today = clock.today()
    later = aliased(CompetencyEvidence)
    renewed = sa.exists().where(
        later.employee_id == CompetencyEvidence.employee_id,
        later.competency_id == CompetencyEvidence.competency_id,
        later.level >= CompetencyEvidence.level,
        sa.or_(later.expires_on.is_(None), later.expires_on > CompetencyEvidence.expires_on),
        ~withdrawn(later),
    )
    rows = list(
        db.session.scalars(
            sa.select(CompetencyEvidence)
            .join(Employee, Employee.id == CompetencyEvidence.employee_id)
            .options(
                joinedload(CompetencyEvidence.competency),
                joinedload(CompetencyEvidence.employee),
            )
            .where(
                employee_condition,
                CompetencyEvidence.expires_on > today,
                CompetencyEvidence.expires_on <= today + timedelta(days=EXPIRY_WINDOW_DAYS),
                still_counts(today),
                ~renewed,
            )
            .order_by(CompetencyEvidence.expires_on, CompetencyEvidence.id)
            .limit(limit)
        )
    )
    courses = _renewing_courses({row.competency_id for row in rows})
    return [
        Expiring(
            row.employee,
            row,
            next(
                (c for c, level in courses.get(row.competency_id, []) if level >= row.level), None
            ),
        )
        for row in rows
    ]


def _renewing_courses(competency_ids: set[int]) -> dict[int, list[tuple[Course, int]]]:
    if not competency_ids:
        return {}
    found: dict[int, list[tuple[Course, int]]] = {}
    rows = db.session.execute(
        sa.select(CourseOutcome.competency_id, Course, CourseOutcome.level)
        .join(Course, Course.id == CourseOutcome.course_id)
        .where(CourseOutcome.competency_id.in_(competency_ids))
        .order_by(Course.title, Course.id)
    ).all()
    for competency_id, course, level in rows:
        found.setdefault(competency_id, []).append((course, level))
    return found


# --- ratings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingSummary:
    answers: int
    mean: float | None  # None while too few answered to show anything


def rating_summary(session_id: int | None = None, course_id: int | None = None) -> RatingSummary:
    stmt = sa.select(sa.func.count(SessionRating.enrollment_id), sa.func.sum(SessionRating.rating))
    if session_id is not None:
        stmt = stmt.where(SessionRating.session_id == session_id)
    if course_id is not None:
        stmt = stmt.join(CourseSession, CourseSession.id == SessionRating.session_id).where(
            CourseSession.course_id == course_id
        )
    count, total = db.session.execute(stmt).one()
    return RatingSummary(count, rules.shown_rating(count, total or 0))


def rating_comments(session_id: int) -> list[str]:
    """The session's comments, shuffled out of order by text, and none while too few answered."""
    rows = list(
        db.session.scalars(
            sa.select(SessionRating.comment)
            .where(SessionRating.session_id == session_id, SessionRating.comment != "")
            .order_by(SessionRating.comment)
        )
    )
    answers = rating_summary(session_id=session_id).answers
    return rows if answers >= rules.MIN_GROUP else []


def rated_enrollment_ids(enrollment_ids: list[int]) -> set[int]:
    if not enrollment_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(SessionRating.enrollment_id).where(
                SessionRating.enrollment_id.in_(enrollment_ids)
            )
        )
    )
