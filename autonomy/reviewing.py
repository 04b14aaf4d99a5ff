"""Read side of the reviews of held levels: which grants need their manager's review and why,
with the outcomes of the period under review in view.

After clinical privileging: a newly granted level has a focused review at the end of a period
set per level (the grant's `reviewed_on` is empty until it is closed); after that every held
level has an ongoing review at least once a year. Either way the reviewer sees the person's
outcomes since the period began (the grant's effective date, or the last review).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext, ngettext
from sqlalchemy.orm import joinedload, selectinload

from autonomy import rules
from autonomy.models import (
    AutonomyGrant,
    AutonomyLevel,
    GrantStatus,
    OutcomeMetric,
    OutcomeRecord,
    StoredHeldLevel,
)
from autonomy.queries import (
    held_subquery,
    ladders,
    level_conditions,
    metrics,
    stored_eligibility,
    terms_of,
)
from civicladder import clock
from civicladder.db import db
from civicladder.layout import format_date
from people.models import Employee, EmployeeStatus

# A review left this long after its date is overdue: it shows as such to everyone above the
# person's manager too (their lines include it), and the shared reports count it.
OVERDUE_AFTER = timedelta(days=30)


def held_statement(
    today: date,
    terms: dict[int, rules.LevelTerms],
    employees: sa.ColumnElement[bool] | None = None,
) -> sa.Select:
    """Every held grant (of the people the condition picks) with how many of its level's
    requirements are unmet (evidence expired), its outcome mean and whether its floor is
    reached, and whether its review date has come. Judged against the definition the grant was
    made under."""
    held = held_subquery()
    people = (
        sa.select(
            held.c.grant_id,
            held.c.review_on,
            Employee.id.label("employee_id"),
            held.c.level_id,
            AutonomyLevel.outcome_metric_id,
        )
        .join(held, held.c.employee_id == Employee.id)
        .join(AutonomyLevel, AutonomyLevel.id == held.c.level_id)
        .where(Employee.status != EmployeeStatus.SEPARATED)
    )
    if employees is not None:
        people = people.where(employees)
    people = people.cte("people")
    missing, reached, mean, joined = level_conditions(today, terms, people)
    return sa.select(
        people.c.grant_id,
        people.c.employee_id,
        people.c.level_id,
        missing.label("missing"),
        mean.label("mean"),
        reached.label("outcome_reached"),
        (people.c.review_on <= today).label("due"),
        people.c.review_on,
    ).select_from(joined)


def review_statement(
    today: date,
    terms: dict[int, rules.LevelTerms],
    employees: sa.ColumnElement[bool] | None = None,
) -> sa.Select:
    """The held grants (of the people the condition picks) that need their manager's review:
    the level's own requirements no longer met, its outcome floor not reached, or the review
    date come."""
    found = held_statement(today, terms, employees).subquery("held_now")
    return sa.select(found).where(
        sa.or_(found.c.missing > 0, sa.not_(found.c.outcome_reached), found.c.due)
    )


def stored_review_statement(
    today: date, employees: sa.ColumnElement[bool] | None = None
) -> sa.Select:
    """The same grants as `review_statement`, read from the stored conditions of held levels
    (autonomy.eligibility) and the review dates: cheap across a line of tens of thousands."""
    stored = StoredHeldLevel
    stmt = (
        sa.select(
            AutonomyGrant.id.label("grant_id"),
            AutonomyGrant.employee_id,
            AutonomyGrant.level_id,
            stored.missing,
            stored.outcome_mean.label("mean"),
            stored.outcome_reached,
            (AutonomyGrant.review_on <= today).label("due"),
            AutonomyGrant.review_on,
        )
        .join(Employee, Employee.id == AutonomyGrant.employee_id)
        .join(stored, stored.grant_id == AutonomyGrant.id)
        .where(
            AutonomyGrant.status == GrantStatus.ACTIVE,
            Employee.status != EmployeeStatus.SEPARATED,
            sa.or_(
                stored.missing > 0,
                sa.not_(stored.outcome_reached),
                AutonomyGrant.review_on <= today,
            ),
        )
    )
    return stmt if employees is None else stmt.where(employees)


def held_level_terms() -> dict[int, rules.LevelTerms]:
    """Terms of every level someone holds: the current levels, and the earlier versions that
    holders keep until their review (one more query, for those)."""
    terms = dict(ladders().terms)
    older = db.session.scalars(
        sa.select(AutonomyLevel)
        .options(selectinload(AutonomyLevel.requirements), joinedload(AutonomyLevel.outcome_metric))
        .where(
            AutonomyLevel.retired_at.is_not(None),
            AutonomyLevel.id.in_(
                sa.select(AutonomyGrant.level_id).where(AutonomyGrant.status == GrantStatus.ACTIVE)
            ),
        )
    )
    terms.update((level.id, terms_of(level)) for level in older)
    return terms


@dataclass(frozen=True)
class PeriodOutcome:
    """A person's outcomes on one metric over the period under review."""

    metric: OutcomeMetric
    mean: float
    records: int


@dataclass(frozen=True)
class Review:
    """Why a held grant is flagged for its manager's review, and the period's outcomes."""

    grant: AutonomyGrant
    missing: int
    outcome_mean: float | None
    outcome_reached: bool
    due: bool
    period: PeriodOutcome | None = None

    @property
    def focused(self) -> bool:
        """The first review after the grant, of the focused period it began with."""
        return self.grant.reviewed_on is None

    @property
    def kind(self) -> str:
        return gettext("Focused review") if self.focused else gettext("Yearly review")

    @property
    def period_start(self) -> date:
        return self.grant.reviewed_on or self.grant.effective_on

    @property
    def overdue(self) -> bool:
        return self.grant.review_on + OVERDUE_AFTER < clock.today()

    @property
    def reasons(self) -> list[str]:
        found = []
        if self.missing:
            found.append(
                ngettext(
                    "%(num)s of the level's competency requirements no longer met "
                    "(evidence expired or not shown)",
                    "%(num)s of the level's competency requirements no longer met "
                    "(evidence expired or not shown)",
                    self.missing,
                )
            )
        if not self.outcome_reached:
            found.append(gettext("outcomes below the level's floor"))
        if self.due:
            since = format_date(self.grant.review_on)
            found.append(
                gettext("focused review due since %(day)s", day=since)
                if self.focused
                else gettext("yearly review due since %(day)s", day=since)
            )
        return found


def reviews_statement(employees: sa.ColumnElement[bool] | None) -> sa.Select:
    """Read from the stored flags once eligibility has been stored, computed live before."""
    if stored_eligibility():
        return stored_review_statement(clock.today(), employees)
    return review_statement(clock.today(), held_level_terms(), employees)


def reviews_page(employees, page: int, per_page: int) -> tuple[list[Review], bool]:
    """One page of the grants to review among the people the condition picks, oldest review
    date first, and whether another page follows (read one row past the page, never counted
    whole; then the page's grants and the outcomes of their periods)."""
    found = reviews_statement(employees).subquery("to_review")
    # Ordered by the statement's own review date: joining the grants again to order by theirs
    # sorted every held level of the city (220,000) to show a page.
    rows = db.session.execute(
        sa.select(found)
        .order_by(found.c.review_on, found.c.grant_id)
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    ).all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    ids = [row.grant_id for row in rows]
    grants = {
        grant.id: grant
        for grant in db.session.scalars(
            sa.select(AutonomyGrant)
            .options(
                joinedload(AutonomyGrant.employee).joinedload(Employee.job_profile),
                joinedload(AutonomyGrant.employee).joinedload(Employee.manager),
                joinedload(AutonomyGrant.level).joinedload(AutonomyLevel.track),
            )
            .where(AutonomyGrant.id.in_(ids or [0]))
        )
    }
    periods = period_outcomes(list(grants.values()))
    return [
        Review(
            grants[row.grant_id],
            row.missing,
            float(row.mean) if row.mean is not None else None,
            bool(row.outcome_reached),
            bool(row.due),
            periods.get(row.grant_id),
        )
        for row in rows
    ], more


def count_reviews(employees: sa.ColumnElement[bool] | None, up_to: int | None = None) -> int:
    """How many levels need review; with `up_to`, counting stops one past it (a line of tens
    of thousands need not be counted whole to say "more than 500")."""
    stmt = reviews_statement(employees)
    if up_to is not None:
        stmt = stmt.limit(up_to + 1)
    found = stmt.subquery("to_review")
    return db.session.scalar(sa.select(sa.func.count()).select_from(found))


def review_metric_ids(grants: list[AutonomyGrant]) -> dict[int, int]:
    """The metric each grant's outcomes are read on: its level's floor, or else the first floor
    on its track (the metric the track's supervision uses); grants with neither are left out."""
    by_track: dict[int, int] = {}
    for track in ladders().tracks:
        first = next((lvl.outcome_metric_id for lvl in track.levels if lvl.outcome_metric_id), None)
        if first is not None:
            by_track[track.id] = first
    found = {}
    for grant in grants:
        metric_id = grant.level.outcome_metric_id or by_track.get(grant.level.track_id)
        if metric_id is not None:
            found[grant.id] = metric_id
    return found


def period_outcomes(grants: list[AutonomyGrant]) -> dict[int, PeriodOutcome]:
    """Each grant's outcomes since its period under review began (one grouped query)."""
    wanted = review_metric_ids(grants)
    if not wanted:
        return {}
    start = sa.func.coalesce(AutonomyGrant.reviewed_on, AutonomyGrant.effective_on)
    rows = db.session.execute(
        sa.select(
            AutonomyGrant.id,
            OutcomeRecord.metric_id,
            sa.func.avg(OutcomeRecord.value),
            sa.func.count(),
        )
        .join(OutcomeRecord, OutcomeRecord.employee_id == AutonomyGrant.employee_id)
        .where(
            AutonomyGrant.id.in_(list(wanted)),
            OutcomeRecord.metric_id.in_(set(wanted.values())),
            OutcomeRecord.period_start >= start,
            OutcomeRecord.period_start <= clock.today(),
        )
        .group_by(AutonomyGrant.id, OutcomeRecord.metric_id)
    )
    by_id = {metric.id: metric for metric in metrics()}
    return {
        grant_id: PeriodOutcome(by_id[metric_id], float(mean), count)
        for grant_id, metric_id, mean, count in rows
        if wanted.get(grant_id) == metric_id
    }
