"""Courses, their outcomes and prerequisites, sessions, enrolments and certificates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.rules import expiry
from civicladder.db import UTCDateTime, db, enum_column, utcnow
from civicladder.enums import LabelledEnum
from civicladder.languages import N_
from civicladder.lifecycle import Lifecycle
from competencies.models import Competency
from people.models import Employee


class DeliveryMode(LabelledEnum):
    IN_PERSON = "in_person", N_("In person")
    ONLINE = "online", N_("Online")
    BLENDED = "blended", N_("Blended")


class EnrollmentStatus(LabelledEnum):
    REQUESTED = "requested", N_("Awaiting approval")
    APPROVED = "approved", N_("Approved")
    ENROLLED = "enrolled", N_("Enrolled")
    WAITLISTED = "waitlisted", N_("On the waitlist")
    ATTENDED = "attended", N_("Attended")
    COMPLETED = "completed", N_("Completed")
    FAILED = "failed", N_("Not passed")
    NO_SHOW = "no_show", N_("Did not attend")
    WITHDRAWN = "withdrawn", N_("Withdrawn")
    DECLINED = "declined", N_("Declined")


S = EnrollmentStatus
ENROLLMENT = Lifecycle(
    "enrollment",
    {
        S.REQUESTED: {S.APPROVED, S.DECLINED, S.WITHDRAWN, S.ENROLLED, S.WAITLISTED},
        S.APPROVED: {S.ENROLLED, S.WAITLISTED, S.WITHDRAWN},
        S.WAITLISTED: {S.ENROLLED, S.WITHDRAWN},
        S.ENROLLED: {S.ATTENDED, S.COMPLETED, S.FAILED, S.NO_SHOW, S.WITHDRAWN},
        S.ATTENDED: {S.COMPLETED, S.FAILED},
        # Asking again after withdrawing or being declined reopens the same enrolment.
        S.WITHDRAWN: {S.REQUESTED},
        S.DECLINED: {S.REQUESTED},
    },
    reason_required={S.DECLINED},
)
# Still holding or waiting for a place: a person has at most one of these per session.
OPEN_STATUSES = (S.REQUESTED, S.APPROVED, S.ENROLLED, S.WAITLISTED)
# What the instructor records: attendance (the result may follow), then a result.
RESULT_STATUSES = (S.ATTENDED, S.COMPLETED, S.FAILED, S.NO_SHOW)
# A final result already recorded can be corrected, with a reason, to another one.
FINAL_RESULTS = (S.COMPLETED, S.FAILED, S.NO_SHOW)
CORRECTION = Lifecycle(
    "enrollment.corrected",
    {result: set(FINAL_RESULTS) - {result} for result in FINAL_RESULTS},
    reason_required=set(FINAL_RESULTS),
)


class Course(db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200), index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    hours: Mapped[int]
    delivery_mode: Mapped[DeliveryMode] = mapped_column(
        enum_column(DeliveryMode, "delivery_mode"), index=True
    )
    needs_manager_approval: Mapped[bool] = mapped_column(default=False)

    outcomes: Mapped[list[CourseOutcome]] = relationship(
        back_populates="course",
        cascade="all, delete-orphan",
        order_by="CourseOutcome.competency_id",
    )
    level_prerequisites: Mapped[list[CourseLevelPrerequisite]] = relationship(
        cascade="all, delete-orphan"
    )
    course_prerequisites: Mapped[list[CourseCoursePrerequisite]] = relationship(
        cascade="all, delete-orphan", foreign_keys="CourseCoursePrerequisite.course_id"
    )

    __table_args__ = (sa.CheckConstraint("hours BETWEEN 1 AND 1000", name="hours_range"),)

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CourseOutcome(db.Model):
    """A competency the course develops, the level it grants, and for how long it counts."""

    __tablename__ = "course_outcome"
    __table_args__ = (
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        sa.CheckConstraint("validity_months IS NULL OR validity_months > 0", name="validity"),
    )

    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competency.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    level: Mapped[int]
    validity_months: Mapped[int | None]

    course: Mapped[Course] = relationship(back_populates="outcomes")
    competency: Mapped[Competency] = relationship()


class CourseLevelPrerequisite(db.Model):
    """Before the course: a competency shown at least at a level."""

    __tablename__ = "course_level_prerequisite"
    __table_args__ = (sa.CheckConstraint("min_level BETWEEN 1 AND 5", name="min_level_range"),)

    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competency.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    min_level: Mapped[int]

    competency: Mapped[Competency] = relationship()


class CourseCoursePrerequisite(db.Model):
    """Before the course: another course completed."""

    __tablename__ = "course_course_prerequisite"
    __table_args__ = (sa.CheckConstraint("course_id <> required_course_id", name="not_itself"),)

    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    required_course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course.id", ondelete="RESTRICT"), primary_key=True, index=True
    )

    required_course: Mapped[Course] = relationship(foreign_keys=[required_course_id])


class CourseSession(db.Model):
    """One running of a course. `enrolled` counts the seats taken and never passes capacity;
    `arrivals` numbers the seat requests in the order the database took them."""

    __tablename__ = "course_session"
    __table_args__ = (
        sa.CheckConstraint("enrolled <= capacity", name="within_capacity"),
        sa.CheckConstraint("enrolled >= 0", name="enrolled_not_negative"),
        sa.CheckConstraint("capacity BETWEEN 1 AND 10000", name="capacity_range"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course.id", ondelete="RESTRICT"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    instructor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL"), index=True
    )
    capacity: Mapped[int]
    enrolled: Mapped[int] = mapped_column(default=0)
    arrivals: Mapped[int] = mapped_column(default=0)
    # The calendar event's SEQUENCE: raised when the time or place changes, and on cancelling.
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancellation_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    course: Mapped[Course] = relationship()
    instructor: Mapped[Employee | None] = relationship()

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.enrolled)

    def __str__(self) -> str:
        return f"{self.course.code} on {self.starts_at:%Y-%m-%d}"


class Enrollment(db.Model):
    """An employee's place (or wish for one) in a session, through its lifecycle."""

    __tablename__ = "enrollment"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "employee_id"),
        sa.Index("ix_enrollment_session_status_arrival", "session_id", "status", "arrival"),
        # Managers' queues look for the few requests waiting among a city's million enrolments.
        sa.Index("ix_enrollment_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("course_session.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[EnrollmentStatus] = mapped_column(
        enum_column(EnrollmentStatus, "enrollment_status"), default=EnrollmentStatus.REQUESTED
    )
    # The session's arrival number when the person asked for a seat (or was approved for one):
    # the waitlist is served in this order.
    arrival: Mapped[int | None]
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    score: Mapped[int | None]
    result_on: Mapped[date | None] = mapped_column(sa.Date)

    session: Mapped[CourseSession] = relationship()
    employee: Mapped[Employee] = relationship()

    def __str__(self) -> str:
        return f"Enrolment {self.id}"


class Certificate(db.Model):
    """Issued on completion; anyone holding the code can check it on the verification page.

    It keeps what it certified as it stood at issue (the course's code, title and hours, the
    session's days, the instructor, the levels granted), whatever later happens to the course.
    `outcomes` holds one entry per competency: code, name, level, validity_months (null when
    the level does not lapse; `granted` works out the day it lapses from the issue day) and,
    for certificates issued by the app, the evidence_id it wrote.
    """

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="RESTRICT"), unique=True
    )
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # The day the course was completed: the session's last day.
    issued_on: Mapped[date] = mapped_column(sa.Date)
    expires_on: Mapped[date | None] = mapped_column(sa.Date)
    course_code: Mapped[str] = mapped_column(sa.String(30))
    course_title: Mapped[str] = mapped_column(sa.String(200))
    hours: Mapped[int]
    first_day: Mapped[date] = mapped_column(sa.Date)
    last_day: Mapped[date] = mapped_column(sa.Date)
    instructor_name: Mapped[str] = mapped_column(sa.String(200), default="")
    outcomes: Mapped[list] = mapped_column(sa.JSON)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    revocation_reason: Mapped[str] = mapped_column(sa.Text, default="")

    enrollment: Mapped[Enrollment] = relationship()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def expired(self, today: date) -> bool:
        return self.expires_on is not None and self.expires_on <= today

    @property
    def granted(self) -> list[GrantedLevel]:
        """The levels certified, each with the day it stops counting (None: it does not)."""
        return [
            GrantedLevel(
                o["code"], o["name"], o["level"], expiry(self.issued_on, o["validity_months"])
            )
            for o in self.outcomes or []
        ]


@dataclass(frozen=True)
class GrantedLevel:
    code: str
    name: str
    level: int
    expires_on: date | None

    def __str__(self) -> str:
        return f"Certificate {self.code}"


class SessionRating(db.Model):
    """A participant's optional rating of a session they completed, given once.

    Shown only as aggregates, and only when enough people answered (academy.rules.MIN_GROUP).
    """

    __tablename__ = "session_rating"
    __table_args__ = (sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course_session.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
