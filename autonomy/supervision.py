"""Outcome-based supervision: each person's recent outcomes against their peers', with flags.

Peers are everyone in the city with the same job profile. A person's figure is their mean over
the window (the last 90 days of periods); the peers' are the mean and spread of those figures.
A person well above their peers (one standard deviation or more) is flagged "excelling —
consider more autonomy" unless they hold the top level. Well below, "consider redeployment"
when their competencies fit another track much better than their own (`rules.better_track`),
otherwise "needs training", with the courses that close the gap to their next level (or to the
level they hold, when its evidence has lapsed). Each flag says the numbers behind it. Nobody's
level changes by itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date

import sqlalchemy as sa
from flask_babel import format_percent, gettext
from sqlalchemy.orm import joinedload

from academy.models import Course
from autonomy import plans, queries, rules
from autonomy.models import (
    AutonomyGrant,
    AutonomyLevel,
    GrantStatus,
    OutcomeMetric,
    OutcomeRecord,
    StoredPeerStats,
    TrackJobProfile,
)
from civicladder import clock
from civicladder.db import db
from civicladder.languages import N_
from competencies.models import CompetencyEvidence
from competencies.queries import current_levels_statement
from people.models import Employee, EmployeeStatus

WINDOW_DAYS = 90
FLAG_AT = 1.0  # standard deviations from the peers' mean
MIN_PEERS = 5  # fewer peers than this: no comparison (and no flag) is made


@dataclass(frozen=True)
class Peers:
    count: int
    mean: float
    spread: float  # standard deviation of the peers' own means


@dataclass(frozen=True)
class BetterFit:
    """Another track the person's competencies fit much better than their own."""

    track: str
    fit: float
    own_track: str
    own_fit: float


# The flags, kept in English as keys; a page shows them with gettext.
EXCELLING = N_("Excelling: consider more autonomy")
TRAINING = N_("Needs training: close the gaps")
REDEPLOY = N_("Consider redeployment")


@dataclass(frozen=True)
class Supervised:
    employee: Employee
    metric: OutcomeMetric | None
    mean: float | None
    peers: Peers | None
    rank: int  # level held (0: none)
    top_rank: int
    courses: list[Course] = field(default_factory=list)  # closing the gap, when below peers
    better_fit: BetterFit | None = None

    @property
    def score(self) -> float | None:
        """Standard deviations from the peers' mean, in the metric's better direction."""
        if self.mean is None or self.peers is None or self.peers.spread == 0:
            return None
        z = (self.mean - self.peers.mean) / self.peers.spread
        return z if self.metric.higher_is_better else -z

    @property
    def below(self) -> bool:
        score = self.score
        return score is not None and score <= -FLAG_AT

    @property
    def flag(self) -> str | None:
        score = self.score
        if score is None:
            return None
        if score >= FLAG_AT and self.rank < self.top_rank:
            return EXCELLING
        if self.below:
            return REDEPLOY if self.better_fit else TRAINING
        return None

    @property
    def advice(self) -> str:
        """What the flag suggests, with the numbers behind a redeployment."""
        if self.flag == REDEPLOY:
            fit = self.better_fit
            return gettext(
                "Skills fit %(track)s better: they meet %(fit)s of its levels' requirements, "
                "against %(own_fit)s of %(own_track)s's.",
                track=fit.track,
                fit=format_percent(fit.fit),
                own_fit=format_percent(fit.own_fit),
                own_track=fit.own_track,
            )
        if self.flag == TRAINING:
            if not self.courses:
                return gettext("No course in the catalog closes their gap yet.")
            return gettext(
                "Courses that close the gap: %(courses)s.",
                courses="; ".join(c.title for c in self.courses),
            )
        return ""

    @property
    def explanation(self) -> str:
        if self.mean is None:
            return gettext("No outcomes recorded in the last 90 days.")
        own = f"{self.mean:.1f}{self.metric.unit}"
        if self.peers is None:
            return gettext("%(value)s; too few peers to compare with.", value=own)
        spreads = abs(self.mean - self.peers.mean) / self.peers.spread if self.peers.spread else 0
        figures = {
            "value": own,
            "peers_mean": f"{self.peers.mean:.1f}{self.metric.unit}",
            "peers": f"{self.peers.count:,}",
            "spreads": f"{spreads:.1f}",
        }
        if self.mean >= self.peers.mean:
            return gettext(
                "%(value)s against %(peers_mean)s for %(peers)s peers in the same job: "
                "%(spreads)s standard deviations above their mean.",
                **figures,
            )
        return gettext(
            "%(value)s against %(peers_mean)s for %(peers)s peers in the same job: "
            "%(spreads)s standard deviations below their mean.",
            **figures,
        )


def line_statement(employees: sa.ColumnElement[bool] | None) -> sa.Select:
    """The people (within the condition) on a track, by name: a statement to paginate."""
    stmt = (
        sa.select(Employee)
        .options(joinedload(Employee.job_profile))
        .join(TrackJobProfile, TrackJobProfile.job_profile_id == Employee.job_profile_id)
        .where(Employee.status != EmployeeStatus.SEPARATED)
        .order_by(Employee.last_name, Employee.first_name, Employee.id)
    )
    return stmt if employees is None else stmt.where(employees)


def supervised(people: list[Employee]) -> list[Supervised]:
    """Outcomes, peers and levels for a page of people, and for those well below their peers
    the courses or the other track that could help (a constant number of queries)."""
    if not people:
        return []
    today = clock.today()
    start = rules.window_start(today, WINDOW_DAYS)
    catalogue = queries.ladders()
    metric_of = _metric_by_profile(catalogue)
    metrics = {m.id: m for m in queries.metrics()}
    ids = [p.id for p in people]
    own = _means(start, today, Employee.id.in_(ids))
    profiles = {p.job_profile_id for p in people}
    peers = _peer_stats(start, today, profiles)
    held = _held_ranks(ids)
    found = []
    for person in people:
        metric_id = metric_of.get(person.job_profile_id)
        track = catalogue.track_for(person.job_profile_id)
        found.append(
            Supervised(
                person,
                metrics.get(metric_id),
                own.get((person.id, metric_id)),
                peers.get((person.job_profile_id, metric_id)),
                held.get(person.id, 0),
                max((level.rank for level in track.levels), default=0) if track else 0,
            )
        )
    return _with_help(found, catalogue, today)


def _with_help(rows: list[Supervised], catalogue: queries.Ladders, today: date) -> list[Supervised]:
    """Rows of people well below their peers, given the courses closing their gap or the track
    their skills fit better (two or three queries for the whole page)."""
    below = [row for row in rows if row.below]
    if not below:
        return rows
    levels = _levels_of([row.employee.id for row in below], today)
    asks = {
        track.id: [
            (cid, n)
            for lvl in track.levels
            for cid, n in catalogue.terms[lvl.id].requirements.items()
        ]
        for track in catalogue.tracks
    }
    needs, fits = {}, {}
    for row in below:
        person = row.employee
        track = catalogue.track_for(person.job_profile_id)
        held = levels.get(person.id, {})
        fits[person.id] = _better_fit(track, held, asks, catalogue)
        level = next((lvl for lvl in track.levels if lvl.rank == row.rank + 1), None)
        level = level or next((lvl for lvl in track.levels if lvl.rank == row.rank), None)
        if level is not None:
            needs[person.id] = {
                cid: n
                for cid, n in catalogue.terms[level.id].requirements.items()
                if held.get(cid, 0) < n
            }
    wanted = {pid: need for pid, need in needs.items() if need and fits[pid] is None}
    courses = plans.courses_closing(wanted)
    return [
        replace(row, courses=courses.get(row.employee.id, []), better_fit=fits[row.employee.id])
        if row.below
        else row
        for row in rows
    ]


def _better_fit(track, held: dict[int, int], asks: dict, catalogue) -> BetterFit | None:
    own = rules.fit(asks[track.id], held)
    others = {tid: rules.fit(req, held) for tid, req in asks.items() if tid != track.id}
    better = rules.better_track(own, others)
    if better is None:
        return None
    name = next(t.name for t in catalogue.tracks if t.id == better)
    return BetterFit(name, others[better], track.name, own)


def _levels_of(employee_ids: list[int], today: date) -> dict[int, dict[int, int]]:
    """Each person's current level per competency, from unexpired evidence (one query)."""
    found: dict[int, dict[int, int]] = {}
    rows = db.session.execute(
        current_levels_statement(today).where(CompetencyEvidence.employee_id.in_(employee_ids))
    )
    for row in rows:
        found.setdefault(row.employee_id, {})[row.competency_id] = row.level
    return found


def _metric_by_profile(catalogue: queries.Ladders) -> dict[int, int]:
    """The metric a job is supervised on: its track's first outcome floor's metric."""
    by_track = {}
    for track in catalogue.tracks:
        metric = next(
            (lvl.outcome_metric_id for lvl in track.levels if lvl.outcome_metric_id), None
        )
        by_track[track.id] = metric
    return {profile: by_track.get(track) for profile, track in catalogue.track_by_profile.items()}


def _person_means(start: date, today: date) -> sa.Select:
    return (
        sa.select(
            OutcomeRecord.employee_id,
            OutcomeRecord.metric_id,
            sa.func.avg(OutcomeRecord.value).label("mean"),
        )
        .where(OutcomeRecord.period_start >= start, OutcomeRecord.period_start <= today)
        .group_by(OutcomeRecord.employee_id, OutcomeRecord.metric_id)
    )


def _means(start, today, which) -> dict[tuple[int, int], float]:
    rows = db.session.execute(
        _person_means(start, today)
        .join(Employee, Employee.id == OutcomeRecord.employee_id)
        .where(which)
    )
    return {(e, m): float(mean) for e, m, mean in rows}


def peer_statement(start: date, today: date, profiles: set[int] | None = None) -> sa.Select:
    """Per (job profile, metric) over the window: (job_profile_id, metric_id, people, mean,
    mean of squares) of the people's own means; every job on a track, or these `profiles`."""
    means = (
        _person_means(start, today)
        .join(Employee, Employee.id == OutcomeRecord.employee_id)
        .where(Employee.status != EmployeeStatus.SEPARATED)
        .add_columns(Employee.job_profile_id)
        .group_by(Employee.job_profile_id)
    )
    if profiles is not None:
        means = means.where(Employee.job_profile_id.in_(profiles or [0]))
    else:
        means = means.where(Employee.job_profile_id.in_(sa.select(TrackJobProfile.job_profile_id)))
    means = means.subquery("means")
    return sa.select(
        means.c.job_profile_id,
        means.c.metric_id,
        sa.func.count().label("people"),
        sa.func.avg(means.c.mean).label("mean"),
        sa.func.avg(means.c.mean * means.c.mean).label("square"),
    ).group_by(means.c.job_profile_id, means.c.metric_id)


def spread(mean: float, square: float) -> float:
    """Standard deviation from the mean and the mean of squares."""
    return math.sqrt(max(square - mean * mean, 0.0))


def _peer_stats(start, today, profiles: set[int]) -> dict[tuple[int, int], Peers]:
    """Per (job profile, metric): how many people, the mean of their means and its spread;
    read from the nightly figures once eligibility is stored (autonomy.eligibility), else
    computed now."""
    if queries.stored_eligibility():
        rows = db.session.execute(
            sa.select(
                StoredPeerStats.job_profile_id,
                StoredPeerStats.metric_id,
                StoredPeerStats.people,
                StoredPeerStats.mean,
                StoredPeerStats.spread,
            ).where(StoredPeerStats.job_profile_id.in_(profiles or [0]))
        ).all()
    else:
        rows = [
            (profile, metric, count, float(mean), spread(float(mean), float(square)))
            for profile, metric, count, mean, square in db.session.execute(
                peer_statement(start, today, profiles)
            )
        ]
    return {
        (profile, metric): Peers(count, mean, deviation)
        for profile, metric, count, mean, deviation in rows
        if count >= MIN_PEERS
    }


def _held_ranks(employee_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(AutonomyGrant.employee_id, AutonomyLevel.rank)
        .join(AutonomyLevel, AutonomyLevel.id == AutonomyGrant.level_id)
        .where(
            AutonomyGrant.employee_id.in_(employee_ids),
            AutonomyGrant.status == GrantStatus.ACTIVE,
        )
    )
    return dict(rows.all())


@dataclass(frozen=True)
class Bar:
    """Where a person's figure and their peers' band fall on a 0-100 drawing scale."""

    low: float
    high: float
    peers_from: float
    peers_to: float
    peers_mean: float
    own: float


def bar(row: Supervised) -> Bar | None:
    """The chart of one row: the peers' band (mean ± one spread) and the person's mark."""
    if row.mean is None or row.peers is None:
        return None
    p = row.peers
    low = min(row.mean, p.mean - 2 * p.spread)
    high = max(row.mean, p.mean + 2 * p.spread)
    if high <= low:
        high = low + 1

    def at(value: float) -> float:
        return round((value - low) / (high - low) * 100, 1)

    return Bar(low, high, at(p.mean - p.spread), at(p.mean + p.spread), at(p.mean), at(row.mean))
