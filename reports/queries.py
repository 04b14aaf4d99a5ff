"""The read side of reports: a unit's raw figures for a period, in a fixed number of grouped
queries whatever the unit's size; the units a person may read; snapshots and their comments.

Who counts: the people who were members of the unit (or in the department) at some time in the
period and not separated then, by the membership history, each in the department of their last
membership row in the period. What people did counts where they were on the day they did it:
an enrolment, a grant, a decision or a hire counts in a scope's period only if on its day the
person held a membership of the scope (not separated), and in the department of that row. So
every count of records adds up exactly: a year's is the sum of its quarters', a department's
the sum of those below it and its own staff's, whoever moved, left or came back in between
(`reports.cells` relies on both). Counts of people (enrolled, completed) count the people who
did it on such a day, in the department they are counted in as members.

Training counts enrolments that held a seat in sessions that started in the period; competency
levels gained compare the best level shown in the period with the best still unexpired at its
start; the autonomy level held is the latest grant in effect on the period's last day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from academy.models import Course, CourseSession, Enrollment, EnrollmentStatus
from autonomy.models import AutonomyGrant, AutonomyLevel, AutonomyTrack, GrantStatus
from civicladder.db import UTCDateTime, db, utc_day
from civicladder.models import AuditEvent
from competencies.models import Competency, CompetencyCategory, CompetencyEvidence
from competencies.queries import withdrawn
from hiring.models import Application, ApplicationStatus
from people.models import PATH_SEPARATOR, Department, EmployeeStatus, Membership
from reports.rules import Period
from reports.tables import ADDED, NO_LEVEL, UNIT, DepartmentRow, PathFigures, Scope, UnitFigures

# Enrolments that held a seat: what "enrolled" means in a report.
SEATED = (
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.ATTENDED,
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.FAILED,
    EnrollmentStatus.NO_SHOW,
)
# Grants that were in effect at some time (a proposal or a declined one never was).
HELD = (GrantStatus.ACTIVE, GrantStatus.SUPERSEDED, GrantStatus.REVOKED)


def bounds(period: Period) -> tuple[datetime, datetime]:
    """The period as UTC instants, the first included, the second not."""
    start = datetime.combine(period.start, time(0), tzinfo=UTC)
    return start, datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=UTC)


def periods_table(periods: list[Period]):
    """The periods as rows a query joins to: (code, first day, last day, the first instant,
    the instant after the last), so several periods are counted in one pass."""
    rows = []
    for period in periods:
        opens, closes = bounds(period)
        rows.append(
            sa.select(
                sa.literal(period.code, sa.String(10)).label("code"),
                sa.literal(period.start, sa.Date).label("first"),
                sa.literal(period.end, sa.Date).label("last"),
                sa.literal(opens, UTCDateTime()).label("opens"),
                sa.literal(closes, UTCDateTime()).label("closes"),
            )
        )
    return (rows[0] if len(rows) == 1 else sa.union_all(*rows)).subquery("periods")


def members_of(scope: Scope, periods: list[Period]):
    """Whom the report of each period counts, as a subquery of (period, id, department_id,
    and the period's bounds): everyone who was a member of the scope at some time in the
    period and not separated then, each with the department of their last such row in it
    (the breakdown's). From the membership history, so a recount of a past period after
    someone separates or moves counts what was counted before."""
    held, later = Membership.__table__.alias("held"), Membership.__table__.alias("later")
    per = periods_table(periods)
    # An anti-join rather than a window: PostgreSQL estimates its rows well, and the joins to
    # a unit's training and evidence are planned for the members there are.
    return (
        sa.select(
            per.c.code.label("period"),
            held.c.employee_id.label("id"),
            held.c.department_id,
            per.c.first,
            per.c.last,
            per.c.opens,
            per.c.closes,
        )
        .select_from(held)
        .join(per, sa.and_(*_overlapping(held, per)))
        .where(
            *_held_in(held, scope),
            ~sa.exists().where(
                later.c.employee_id == held.c.employee_id,
                *_held_in(later, scope),
                *_overlapping(later, per),
                sa.or_(
                    later.c.started_on > held.c.started_on,
                    sa.and_(later.c.started_on == held.c.started_on, later.c.id > held.c.id),
                ),
            ),
        )
        .subquery("members")
    )


def spells_of(scope: Scope, periods: list[Period]):
    """The days each person was a member of the scope, period by period, as a subquery of
    (period, id, department_id, since, until): every membership row of the scope (not
    separated) overlapping a period, its days clipped to the period's. A person's rows never
    overlap, so a day falls in one spell at most: what they did that day counts once, in that
    row's department."""
    held = Membership.__table__.alias("spell")
    per = periods_table(periods)
    return (
        sa.select(
            per.c.code.label("period"),
            held.c.employee_id.label("id"),
            held.c.department_id,
            sa.case((held.c.started_on > per.c.first, held.c.started_on), else_=per.c.first).label(
                "since"
            ),
            sa.case(
                (sa.or_(held.c.ended_on.is_(None), held.c.ended_on > per.c.last), per.c.last),
                else_=held.c.ended_on,
            ).label("until"),
        )
        .select_from(held)
        .join(per, sa.and_(*_overlapping(held, per)))
        .where(*_held_in(held, scope))
        .subquery("spells")
    )


def _within(day, spells):
    """`day` (a Date expression) falls in the spell."""
    return sa.and_(day >= spells.c.since, day <= spells.c.until)


def _overlapping(rows, per) -> list:
    return [
        rows.c.started_on <= per.c.last,
        sa.or_(rows.c.ended_on.is_(None), rows.c.ended_on >= per.c.first),
    ]


def _held_in(rows, scope: Scope) -> list:
    """Membership rows of the scope, not separated (overlapping a period: `_overlapping`)."""
    found = [rows.c.status != EmployeeStatus.SEPARATED]
    if scope.kind == UNIT:
        return [*found, rows.c.bargaining_unit_id == scope.id]
    below = f"{scope.path}{PATH_SEPARATOR}"
    in_tree = sa.select(Department.id).where(
        sa.or_(Department.path == scope.path, Department.path.startswith(below, autoescape=True))
    )
    return [*found, rows.c.department_id.in_(in_tree)]


def unit_figures(unit_id: int, period: Period) -> UnitFigures:
    return figures(Scope(UNIT, unit_id), period)


def figures(scope: Scope, period: Period) -> UnitFigures:
    """Everything a report counts, in seven queries whatever the number of people."""
    return total(by_department(scope, period), scope)


def by_department(scope: Scope, period: Period) -> dict[str, PathFigures]:
    """Each department's own people's figures for one period (see `by_department_in`)."""
    return by_department_in(scope, [period])[period.code]


def by_department_in(scope: Scope, periods: list[Period]) -> dict[str, dict[str, PathFigures]]:
    """For each period, each department's own people's figures (not those of the departments
    below it), by path, for everyone the scope counts: seven grouped queries whatever the number
    of people and of periods, each counting every period in one pass. A person counts in one
    department only, so any scope's figures are these added up."""
    members, spells = members_of(scope, periods), spells_of(scope, periods)
    found: dict[str, dict[str, PathFigures]] = {period.code: {} for period in periods}

    def at(code: str, path: str) -> PathFigures:
        return found[code].setdefault(path, PathFigures())

    for code, path, count in db.session.execute(
        sa.select(members.c.period, Department.path, sa.func.count(members.c.id))
        .join(Department, Department.id == members.c.department_id)
        .group_by(members.c.period, Department.path)
    ):
        at(code, path).members = count
    # The days all the periods cover, as constants the planner can bound its scans with.
    span = (min(p.start for p in periods), max(p.end for p in periods))
    for code, path, enrolments, completions, hours in _training(spells, span):
        record = at(code, path)
        record.enrolments, record.completions, record.training_hours = (
            enrolments,
            completions,
            int(hours),
        )
    for code, path, enrolled, completed in _trained_people(members, spells, span):
        record = at(code, path)
        record.enrolled_people, record.completed_people = enrolled, completed
    for code, path, category, people, levels in _gains(members, spells, span):
        at(code, path).gains[category] = (people, levels)
    for code, path, level, count in _distribution(members):
        at(code, path).held[level] = count
    for code, path, *counts in _autonomy_events(spells, span):
        record = at(code, path)
        record.grants, record.above_evidence, record.declines, record.revocations = counts
    for code, path, hires in _internal_hires(spells, span):
        at(code, path).internal_hires = hires
    return found


def total(found: dict[str, PathFigures], scope: Scope) -> UnitFigures:
    """A scope's figures from its departments' own: everything in `found` within the scope,
    added up, with the breakdown by agency (or by the departments just below)."""
    result = UnitFigures()
    gains_: dict[str, list[int]] = {}
    held: dict[tuple, int] = {}
    for path, record in found.items():
        if not scope.holds(path):
            continue
        row = result.departments.setdefault(scope.group_of(path), DepartmentRow())
        row.members += record.members
        row.enrolled_people += record.enrolled_people
        row.completed_people += record.completed_people
        for name in ADDED:
            setattr(result, name, getattr(result, name) + getattr(record, name))
        for category, (people, levels) in record.gains.items():
            both = gains_.setdefault(category, [0, 0])
            both[0] += people
            both[1] += levels
        for level, count in record.held.items():
            held[level] = held.get(level, 0) + count
    result.gains = [(c, people, levels) for c, (people, levels) in sorted(gains_.items()) if levels]
    result.distribution = [
        (f"{track}: level {rank}, {name}", count)
        for (track, rank, name), count in sorted(held.items())
    ]
    result.distribution.append((NO_LEVEL, result.members - sum(held.values())))
    return result


def _seated(spells, span: tuple[date, date]):
    """Enrolments that held a seat in a session that started on a day of a spell, joined to the
    spell (a statement to add columns to and group)."""
    opens, closes = bounds(Period("", *span))
    return (
        sa.select()
        .select_from(Enrollment)
        .join(spells, spells.c.id == Enrollment.employee_id)
        .join(CourseSession, CourseSession.id == Enrollment.session_id)
        .where(
            Enrollment.status.in_(SEATED),
            _within(utc_day(CourseSession.starts_at), spells),
            CourseSession.starts_at >= opens,
            CourseSession.starts_at < closes,
        )
    )


COMPLETED = Enrollment.status == EnrollmentStatus.COMPLETED


def _training(spells, span: tuple[date, date]):
    """Per period and department (the spell's): enrolments, completions, hours completed."""
    return db.session.execute(
        _seated(spells, span)
        .add_columns(
            spells.c.period,
            Department.path,
            sa.func.count(Enrollment.id),
            sa.func.count(sa.case((COMPLETED, Enrollment.id))),
            sa.func.coalesce(sa.func.sum(sa.case((COMPLETED, Course.hours), else_=0)), 0),
        )
        .join(Course, Course.id == CourseSession.course_id)
        .join(Department, Department.id == spells.c.department_id)
        .group_by(spells.c.period, Department.path)
    ).all()


def _trained_people(members, spells, span: tuple[date, date]):
    """Per period and department (the one each person is counted in as a member): the people
    enrolled, and those who completed, on a day of their spells."""
    return db.session.execute(
        _seated(spells, span)
        .add_columns(
            members.c.period,
            Department.path,
            sa.func.count(sa.distinct(Enrollment.employee_id)),
            sa.func.count(sa.distinct(sa.case((COMPLETED, Enrollment.employee_id)))),
        )
        .join(
            members,
            sa.and_(members.c.id == spells.c.id, members.c.period == spells.c.period),
        )
        .join(Department, Department.id == members.c.department_id)
        .group_by(members.c.period, Department.path)
    ).all()


def gains(members, period: Period):
    """Competency levels gained in the period by the people of `members` (a subquery of id and
    department_id), as (path, category, people, levels) (see `_gains`)."""
    per = periods_table([period])
    dated = (
        sa.select(per.c.code.label("period"), members.c.id, members.c.department_id, per.c.first)
        .add_columns(per.c.last, per.c.first.label("since"), per.c.last.label("until"))
        .select_from(members)
        .join(per, sa.true())
    )
    spells = dated.subquery("spells")  # each member a member on every day of the period
    found = _gains(dated.subquery("dated"), spells, (period.start, period.end))
    return [tuple(row[1:]) for row in found]


def _gains(members, spells, span: tuple[date, date]):
    """Competency levels gained in each period, per department and category: the people who
    reached a higher level in some competency, and how many (person, competency) levels.

    A level is gained in a period when a competency is shown in it at a higher level than any
    still valid at the period's start. Only what was shown in the period can be a gain, so
    the level held before is looked up for those (person, competency) pairs alone."""
    E, before = CompetencyEvidence, aliased(CompetencyEvidence, name="before")
    lowest, highest = span
    shown = (
        sa.select(
            members.c.period,
            members.c.first,
            E.employee_id,
            members.c.department_id,
            E.competency_id,
            sa.func.max(E.level).label("reached"),
        )
        .join(spells, spells.c.id == E.employee_id)
        .join(members, sa.and_(members.c.id == spells.c.id, members.c.period == spells.c.period))
        # Withdrawn evidence never counted: a level it showed was not gained.
        .where(
            _within(E.observed_on, spells),
            E.observed_on.between(lowest, highest),
            ~withdrawn(E),
        )
        .group_by(
            members.c.period,
            members.c.first,
            E.employee_id,
            members.c.department_id,
            E.competency_id,
        )
        .subquery("shown")
    )
    had = (
        sa.select(sa.func.max(before.level))
        .where(
            before.employee_id == shown.c.employee_id,
            before.competency_id == shown.c.competency_id,
            before.observed_on < shown.c.first,
            sa.or_(before.expires_on.is_(None), before.expires_on >= shown.c.first),
            ~withdrawn(before),
        )
        .scalar_subquery()
    )
    return db.session.execute(
        sa.select(
            shown.c.period,
            Department.path,
            CompetencyCategory.name,
            sa.func.count(sa.distinct(shown.c.employee_id)),
            sa.func.count(),
        )
        .join(Competency, Competency.id == shown.c.competency_id)
        .join(CompetencyCategory, CompetencyCategory.id == Competency.category_id)
        .join(Department, Department.id == shown.c.department_id)
        .where(shown.c.reached > sa.func.coalesce(had, 0))
        .group_by(shown.c.period, Department.path, CompetencyCategory.name)
    ).all()


def _distribution(members):
    """Per period and department, members by the autonomy level they held on the period's
    last day, as (period, path, (track, rank, level name), count)."""
    G = AutonomyGrant
    in_effect = (
        sa.select(
            members.c.period,
            G.level_id,
            members.c.department_id,
            sa.func.row_number()
            .over(
                partition_by=(members.c.period, G.employee_id),
                order_by=(G.effective_on.desc(), G.id.desc()),
            )
            .label("latest"),
        )
        .join(members, members.c.id == G.employee_id)
        .where(
            G.status.in_(HELD),
            G.effective_on <= members.c.last,
            # A level lowered before the period ended no longer counts; the grant of the level
            # below (effective the day it was lowered) does.
            ~sa.and_(G.status == GrantStatus.REVOKED, G.decided_at < members.c.closes),
        )
        .subquery("in_effect")
    )
    rows = db.session.execute(
        sa.select(
            in_effect.c.period,
            Department.path,
            AutonomyTrack.name,
            AutonomyLevel.rank,
            AutonomyLevel.name,
            sa.func.count(),
        )
        .select_from(in_effect)
        .join(AutonomyLevel, AutonomyLevel.id == in_effect.c.level_id)
        .join(AutonomyTrack, AutonomyTrack.id == AutonomyLevel.track_id)
        .join(Department, Department.id == in_effect.c.department_id)
        .where(in_effect.c.latest == 1)
        .group_by(
            in_effect.c.period,
            Department.path,
            AutonomyTrack.name,
            AutonomyLevel.rank,
            AutonomyLevel.name,
        )
    )
    return [
        (code, path, (track, rank, name), count) for code, path, track, rank, name, count in rows
    ]


def _autonomy_events(spells, span: tuple[date, date]):
    """Per period and department (the spell's): levels granted, of which above the evidence,
    declined, lowered. A grant counts as granted on the day it took effect, a proposal as
    declined and a level as lowered on the day it was decided."""
    G = AutonomyGrant
    granted = sa.and_(G.status.in_(HELD), _within(G.effective_on, spells))
    decided = _within(utc_day(G.decided_at), spells)
    opens, closes = bounds(Period("", *span))
    return db.session.execute(
        sa.select(
            spells.c.period,
            Department.path,
            sa.func.count(sa.case((granted, G.id))),
            sa.func.count(sa.case((sa.and_(granted, G.above_evidence), G.id))),
            sa.func.count(sa.case((sa.and_(G.status == GrantStatus.DECLINED, decided), G.id))),
            sa.func.count(sa.case((sa.and_(G.status == GrantStatus.REVOKED, decided), G.id))),
        )
        .join(spells, spells.c.id == G.employee_id)
        .join(Department, Department.id == spells.c.department_id)
        # Only a grant that took effect or was decided within the periods counts in them.
        .where(
            sa.or_(
                G.effective_on.between(*span),
                sa.and_(G.decided_at >= opens, G.decided_at < closes),
            ),
            sa.or_(_within(G.effective_on, spells), decided),
        )
        .group_by(spells.c.period, Department.path)
    ).all()


def hire_event():
    """The join of an application to the audit event of its hire (when it was recorded)."""
    return sa.and_(
        AuditEvent.object_type == "Application",
        AuditEvent.object_id == sa.cast(Application.id, sa.String),
        AuditEvent.action == "application.hired",
    )


def _internal_hires(spells, span: tuple[date, date]):
    """Per period and department (the spell's), hires through a hiring round recorded on a day
    of a spell (the hire's time is the audit trail's: the application records no date of its
    own). Hires, not people: someone hired twice in a year is two hires, as in its quarters."""
    opens, closes = bounds(Period("", *span))
    return db.session.execute(
        sa.select(
            spells.c.period,
            Department.path,
            sa.func.count(sa.distinct(Application.id)),
        )
        .join(spells, spells.c.id == Application.employee_id)
        .join(Department, Department.id == spells.c.department_id)
        .join(AuditEvent, hire_event())
        .where(
            Application.status == ApplicationStatus.HIRED,
            _within(utc_day(AuditEvent.occurred_at), spells),
            AuditEvent.occurred_at >= opens,
            AuditEvent.occurred_at < closes,
        )
        .group_by(spells.c.period, Department.path)
    ).all()
