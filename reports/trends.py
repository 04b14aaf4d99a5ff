"""A report's main figures over its period and the ones before it, for the trend table:
grouped by period in one query per measure, so the count stays fixed whatever the number of
people (competency levels gained per period come with the period's figures, from one pass over
the evidence: `queries.gains`)."""

from __future__ import annotations

import sqlalchemy as sa

from academy.models import CourseSession, Enrollment, EnrollmentStatus
from autonomy.models import AutonomyGrant
from civicladder.db import db
from civicladder.models import AuditEvent
from hiring.models import Application, ApplicationStatus
from reports import queries, rules
from reports.rules import Period
from reports.tables import Scope, TrendFigures


def _bucket(column, periods: list[Period], instants: bool = False):
    """Which of the periods a date (or an instant) falls in, as its index; NULL for none."""
    whens = []
    for index, period in enumerate(periods):
        if instants:
            start, end = queries.bounds(period)
            whens.append((sa.and_(column >= start, column < end), index))
        else:
            whens.append((sa.and_(column >= period.start, column <= period.end), index))
    return sa.case(*whens)


def trend(scope: Scope, period: Period, levels_gained: list[int]) -> TrendFigures:
    periods = rules.trend_periods(period)
    # The report period's members, through all its trend periods, as `queries.gains` counts.
    members = queries.members_of(scope, period)
    found = TrendFigures(periods=[p.code for p in periods], levels_gained=list(levels_gained))
    _training(found, members, periods)
    _grants(found, members, periods)
    _hires(found, members, periods)
    return found


def _training(trend: TrendFigures, members, periods: list[Period]) -> None:
    bucket = _bucket(CourseSession.starts_at, periods, instants=True).label("bucket")
    completed = Enrollment.status == EnrollmentStatus.COMPLETED
    rows = db.session.execute(
        sa.select(bucket, sa.func.count(Enrollment.id), sa.func.count(sa.case((completed, 1))))
        .join(members, members.c.id == Enrollment.employee_id)
        .join(CourseSession, CourseSession.id == Enrollment.session_id)
        .where(Enrollment.status.in_(queries.SEATED), bucket.is_not(None))
        .group_by(bucket)
    )
    for index, enrolments, completions in rows:
        trend.enrolments[index] = enrolments
        trend.completions[index] = completions


def _grants(trend: TrendFigures, members, periods: list[Period]) -> None:
    G = AutonomyGrant
    bucket = _bucket(G.effective_on, periods).label("bucket")
    rows = db.session.execute(
        sa.select(bucket, sa.func.count(G.id))
        .join(members, members.c.id == G.employee_id)
        .where(G.status.in_(queries.HELD), bucket.is_not(None))
        .group_by(bucket)
    )
    for index, grants in rows:
        trend.grants[index] = grants


def _hires(trend: TrendFigures, members, periods: list[Period]) -> None:
    bucket = _bucket(AuditEvent.occurred_at, periods, instants=True).label("bucket")
    rows = db.session.execute(
        sa.select(bucket, sa.func.count(sa.distinct(Application.employee_id)))
        .join(members, members.c.id == Application.employee_id)
        .join(AuditEvent, queries.hire_event())
        .where(Application.status == ApplicationStatus.HIRED, bucket.is_not(None))
        .group_by(bucket)
    )
    for index, hires in rows:
        trend.internal_hires[index] = hires
