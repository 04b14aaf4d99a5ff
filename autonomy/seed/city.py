"""The autonomy part of the synthetic city: a track of four levels for each job family's
frontline grades, an outcome metric per family with a year of monthly values for everyone on a
track, and grants held at every level, streamed into the database in bulk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from autonomy import eligibility, rules
from autonomy.models import (
    AutonomyGrant,
    AutonomyLevel,
    AutonomyTrack,
    DiscretionItem,
    GrantStatus,
    LevelRequirement,
    OutcomeMetric,
    OutcomeRecord,
    TrackJobProfile,
)
from civicladder import audit, bulk
from civicladder.cli import CityContext
from civicladder.db import db
from people.models import JobProfile
from people.seed.city_staff import SEPARATED

FRONTLINE_GRADES = (0, 1)  # grades I and II climb the track; supervisors and managers do not
# Level by level: name, discretion, how many of the family's required competencies it asks
# for, how far above the job's minimum, months at the level below, an outcome floor (%).
LEVELS = [
    (
        "Guided",
        [("handle-routine-work", "May handle routine {work} from the standard procedures")],
        2,
        0,
        0,
        None,
    ),
    (
        "Independent",
        [("close-case-without-signoff", "May close routine cases without a supervisor's sign-off")],
        3,
        0,
        6,
        None,
    ),
    (
        "Trusted",
        [
            (
                "close-case-without-signoff",
                "May close routine cases without a supervisor's sign-off",
            ),
            ("approve-exception", "May approve exceptions on their own cases", 250, "USD"),
        ],
        4,
        1,
        12,
        80.0,
    ),
    (
        "Lead",
        [
            (
                "close-case-without-signoff",
                "May close routine cases without a supervisor's sign-off",
            ),
            ("approve-exception", "May approve exceptions on their own cases", 1000, "USD"),
            ("review-others-cases", "May review others' cases"),
        ],
        4,
        1,
        18,
        86.0,
    ),
]
HELD_SHARES = (20, 30, 25, 17, 8)  # per hundred on a track: no level yet, then levels 1..4
REVIEW_SKIPPED = 0.06  # the share of held levels whose last yearly review was not held in time


def focused_days(rank: int) -> int:
    """The focused review period the city's and the demo's levels set."""
    return 90 if rank < 3 else 180


def review_dates(effective: date, focused: int, today: date, skipped: bool) -> tuple:
    """(reviewed_on, review_on) of a level held since `effective`: its focused review at the end
    of its first period, then one review a year; `skipped` leaves the last one undone."""
    first = effective + timedelta(days=focused)
    if first > today:
        return None, first
    reviewed = first
    while reviewed + timedelta(days=365) <= today:
        reviewed += timedelta(days=365)
    if skipped:
        if reviewed == first:
            return None, first
        reviewed -= timedelta(days=365)
    return reviewed, reviewed + timedelta(days=365)


MONTHS_OF_OUTCOMES = 12
OUTCOME_MEAN, OUTCOME_PERSON_SPREAD, OUTCOME_MONTH_SPREAD = 84.0, 5.0, 3.0


def build(ctx: CityContext) -> None:
    """Tracks with their levels, then grants and outcome records for everyone on a track."""
    families = _families(ctx)
    # Ids of our own, as every step's: a sequence's next value differs between databases.
    ids = _Ids()
    ladders = {family: _track(ctx, ids, family, profiles) for family, profiles in families.items()}
    db.session.flush()
    on_track = {
        profile: ladders[family] for family, profiles in families.items() for profile in profiles
    }
    staff = ctx.built["staff"]
    people = [
        index
        for index in range(len(staff))
        if staff.job_profile[index] in on_track and staff.status[index] != SEPARATED
    ]
    grants = _Grants(ctx, on_track)
    with ctx.progress("autonomy grants", len(people)) as bar:
        granted = bulk.load(
            AutonomyGrant.__table__, GRANT_COLUMNS, grants.rows(people, bar.update), batch=20000
        )
    outcomes = _Outcomes(ctx, on_track)
    with ctx.progress("outcome records", len(people)) as bar:
        recorded = bulk.load(
            OutcomeRecord.__table__, OUTCOME_COLUMNS, outcomes.rows(people, bar.update), batch=50000
        )
    bulk.finish(
        [
            AutonomyTrack.__table__,
            OutcomeMetric.__table__,
            AutonomyLevel.__table__,
            DiscretionItem.__table__,
            AutonomyGrant.__table__,
            OutcomeRecord.__table__,
        ]
    )
    counts = {
        "tracks": len(ladders),
        "levels": sum(len(levels) for _, levels in ladders.values()),
        "people on a track": len(people),
        "grants": granted,
        "outcome records": recorded,
    }
    ctx.built.update(autonomy_counts=counts)
    audit.record(
        None,
        "city.autonomy_generated",
        None,
        after=counts | {"seed": ctx.seed},
        label=f"Synthetic city, seed {ctx.seed}",
    )
    ctx.say(", ".join(f"{value:,} {name}" for name, value in counts.items()))


def _families(ctx: CityContext) -> dict[str, list[int]]:
    """Family code -> its frontline job profiles."""
    found: dict[str, list[int]] = {}
    for profile, (family, grade) in sorted(ctx.built["job_profiles"].items()):
        if grade in FRONTLINE_GRADES:
            found.setdefault(family, []).append(profile)
    return found


class _Ids:
    def __init__(self) -> None:
        self.next = {
            model: bulk.next_id(model.__table__)
            for model in (AutonomyTrack, OutcomeMetric, AutonomyLevel, DiscretionItem)
        }

    def __call__(self, model) -> int:
        ident = self.next[model]
        self.next[model] += 1
        return ident


def _track(ctx: CityContext, ids: _Ids, family: str, profiles: list[int]) -> tuple[int, list[int]]:
    """A family's track: its metric, four levels from the family's requirements; returns the
    metric id and the level ids by rank."""
    title = db.session.scalar(sa.select(JobProfile.title).where(JobProfile.id == profiles[0]))
    role = title.removesuffix(" I")
    metric = OutcomeMetric(
        id=ids(OutcomeMetric),
        code=f"Q-{family}",
        name=f"{role} work meeting the standard",
        unit="%",
    )
    track = AutonomyTrack(
        id=ids(AutonomyTrack),
        code=f"T-{family}",
        name=role,
        description=f"Discretion for {role.lower()}s, from guided work to leading others.",
    )
    db.session.add_all([metric, track])
    db.session.flush()
    db.session.add_all(TrackJobProfile(job_profile_id=p, track_id=track.id) for p in profiles)
    required = ctx.built["requirements"][profiles[0]]
    levels = []
    for rank, (name, discretion, count, above, months, floor) in enumerate(LEVELS, start=1):
        level = AutonomyLevel(
            id=ids(AutonomyLevel),
            track_id=track.id,
            rank=rank,
            name=name,
            discretion=[
                DiscretionItem(
                    id=ids(DiscretionItem),
                    position=position,
                    key=key,
                    words=words.format(work=role.lower() + " work"),
                    limit_amount=Decimal(limit) if limit else None,
                    unit=unit,
                )
                for position, (key, words, limit, unit) in enumerate(
                    ((*item, None, "")[:4] for item in discretion), start=1
                )
            ],
            min_months=months,
            second_approval=rank >= 3,
            focused_review_days=focused_days(rank),
            outcome_metric_id=metric.id if floor else None,
            outcome_threshold=floor,
            created_at=datetime.combine(ctx.as_of - timedelta(days=3 * 365), time(9), tzinfo=UTC),
        )
        level.requirements = [
            LevelRequirement(competency_id=competency, min_level=min(minimum + above, 5))
            for competency, minimum in required[:count]
        ]
        levels.append(level)
    db.session.add_all(levels)
    db.session.flush()
    return metric.id, [level.id for level in levels]


GRANT_COLUMNS = (
    "id",
    "employee_id",
    "level_id",
    "status",
    "proposed_at",
    "decided_at",
    "reason",
    "above_evidence",
    "justification",
    "effective_on",
    "review_on",
    "reviewed_on",
)


MIN_MONTHS = [level[4] for level in LEVELS]
GRANTED_DAYS_AGO = 30  # the most recent grants took effect a month before the city's day


class _Grants:
    """The level each person holds (none for some), taking effect within the last three years,
    never before the holder could have climbed to it: someone hired too recently for the level
    drawn holds the highest they could reach, or none."""

    def __init__(self, ctx: CityContext, on_track: dict) -> None:
        self.rng = ctx.rng
        self.staff = ctx.built["staff"]
        self.on_track = on_track
        self.today = ctx.as_of.toordinal()
        self.as_of = ctx.as_of
        self.latest = self.today - GRANTED_DAYS_AGO
        self.next_id = bulk.next_id(AutonomyGrant.__table__)

    def rows(self, people: list[int], progress) -> Iterator[tuple]:
        rng, staff = self.rng, self.staff
        for number, index in enumerate(people, start=1):
            if number % 1000 == 0:
                progress(1000)
            drawn = rng.choices(range(5), HELD_SHARES)[0]
            rank, first = self._reachable(staff.hire_day[index], drawn)
            if rank == 0:
                continue
            _, levels = self.on_track[staff.job_profile[index]]
            start = max(first, self.today - 3 * 365)
            day = date.fromordinal(rng.randint(start, self.latest))
            decided = datetime.combine(day, time(14), tzinfo=UTC)
            skipped = rng.random() < REVIEW_SKIPPED
            reviewed_on, review_on = review_dates(day, focused_days(rank), self.as_of, skipped)
            yield (
                self._id(),
                staff.first_id + index,
                levels[rank - 1],
                GrantStatus.ACTIVE.value,
                decided - timedelta(days=rng.randint(1, 14)),
                decided,
                "",
                False,
                "",
                day,
                review_on,
                reviewed_on,
            )
        progress(len(people) % 1000)

    def _reachable(self, hire_day: int, rank: int) -> tuple[int, int]:
        """The rank drawn, or the highest below it that someone hired on `hire_day` can hold
        by the latest grant day (0 for none); and the first day they can hold it."""
        hired = date.fromordinal(hire_day)
        while rank:
            first = rules.earliest_held(hired, MIN_MONTHS, rank).toordinal()
            if first <= self.latest:
                return rank, first
            rank -= 1
        return 0, 0

    def _id(self) -> int:
        ident = self.next_id
        self.next_id += 1
        return ident


OUTCOME_COLUMNS = ("id", "employee_id", "metric_id", "period_start", "value")


class _Outcomes:
    """Twelve monthly values per person on a track, around a personal average."""

    def __init__(self, ctx: CityContext, on_track: dict) -> None:
        self.rng = ctx.rng
        self.staff = ctx.built["staff"]
        self.on_track = on_track
        first = date(ctx.as_of.year, ctx.as_of.month, 1)
        self.months = [rules.add_months(first, -back) for back in range(1, MONTHS_OF_OUTCOMES + 1)]
        self.next_id = bulk.next_id(OutcomeRecord.__table__)

    def rows(self, people: list[int], progress) -> Iterator[tuple]:
        rng, staff = self.rng, self.staff
        for number, index in enumerate(people, start=1):
            if number % 1000 == 0:
                progress(1000)
            metric, _ = self.on_track[staff.job_profile[index]]
            employee = staff.first_id + index
            own = rng.gauss(OUTCOME_MEAN, OUTCOME_PERSON_SPREAD)
            for month in self.months:
                value = min(100.0, max(0.0, rng.gauss(own, OUTCOME_MONTH_SPREAD)))
                yield (self.next_id, employee, metric, month, round(value, 1))
                self.next_id += 1
        progress(len(people) % 1000)


def store_eligibility(ctx: CityContext) -> None:
    """Everyone's eligibility stored, as the nightly `flask autonomy eligibility` leaves it,
    once all the evidence is in."""
    people, held = eligibility.refresh(None, on_progress=lambda what: ctx.say(f"storing {what}"))
    ctx.say(f"eligibility stored for {people:,} people below the top of a track, {held:,} held")
