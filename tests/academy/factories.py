"""Factories for the academy: courses with outcomes, sessions, enrolments as they stand."""

from __future__ import annotations

import itertools
from datetime import timedelta
from types import SimpleNamespace

from academy.certificates import as_issued, completion_day
from academy.completion import new_code
from academy.models import (
    Certificate,
    Course,
    CourseCoursePrerequisite,
    CourseLevelPrerequisite,
    CourseOutcome,
    CourseSession,
    DeliveryMode,
    Enrollment,
    EnrollmentStatus,
)
from civicladder import clock
from civicladder.db import db

_sequence = itertools.count(1)


def academy_factories(competencies):
    def course(
        outcomes=None,
        *,
        needs_manager_approval: bool = False,
        level_prerequisites=(),
        course_prerequisites=(),
        **overrides,
    ) -> Course:
        """A course; `outcomes` as (competency, level, validity months), one made up if none."""
        n = next(_sequence)
        values = {
            "code": f"CRS-{n}",
            "title": f"Course {n}",
            "description": "",
            "hours": 6,
            "delivery_mode": DeliveryMode.IN_PERSON,
        }
        values.update(overrides)
        made = Course(needs_manager_approval=needs_manager_approval, **values)
        if outcomes is None:
            outcomes = [(competencies.competency(), 2, None)]
        made.outcomes = [
            CourseOutcome(competency_id=c.id, level=level, validity_months=months)
            for c, level, months in outcomes
        ]
        made.level_prerequisites = [
            CourseLevelPrerequisite(competency_id=c.id, min_level=level)
            for c, level in level_prerequisites
        ]
        made.course_prerequisites = [
            CourseCoursePrerequisite(required_course_id=c.id) for c in course_prerequisites
        ]
        db.session.add(made)
        db.session.flush()
        return made

    def session(
        course_: Course | None = None,
        *,
        days: float = 7,
        capacity: int = 10,
        instructor=None,
        **overrides,
    ) -> CourseSession:
        """A session starting `days` from now (negative: it has started)."""
        starts = clock.now() + timedelta(days=days)
        made = CourseSession(
            course_id=(course_ or course()).id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=6),
            capacity=capacity,
            location=overrides.pop("location", "Room 1"),
            instructor_id=instructor.id if instructor else None,
            **overrides,
        )
        db.session.add(made)
        db.session.flush()
        return made

    def enrollment(
        session_: CourseSession, employee, status: EnrollmentStatus = EnrollmentStatus.ENROLLED
    ) -> Enrollment:
        """An enrolment put straight into a state (a seat counted when it holds one)."""
        session_.arrivals += 1
        if status in (EnrollmentStatus.ENROLLED, EnrollmentStatus.ATTENDED):
            session_.enrolled += 1
        made = Enrollment(
            session_id=session_.id,
            employee_id=employee.id,
            status=status,
            arrival=session_.arrivals,
        )
        db.session.add(made)
        db.session.flush()
        return made

    def certificate(enrollment_: Enrollment, expires_on=None, **overrides) -> Certificate:
        """A certificate for the enrolment's session as it stands, dated its last day."""
        session_ = enrollment_.session
        facts = as_issued(session_, completion_day(session_), {})
        made = Certificate(
            enrollment_id=enrollment_.id,
            code=new_code(),
            **(facts | {"expires_on": expires_on} | overrides),
        )
        db.session.add(made)
        db.session.flush()
        return made

    return SimpleNamespace(
        course=course, session=session, enrollment=enrollment, certificate=certificate
    )
