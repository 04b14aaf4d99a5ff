"""HR's changes to the ladders: tracks, their levels (versioned once held), outcome metrics.

A level that someone holds or has been proposed for is never rewritten: a change retires it and
adds its next version at the same rank, so holders keep the definition they were granted under
until their review. A level nobody holds yet is simply updated.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext

from autonomy import eligibility, queries
from autonomy.models import (
    AutonomyGrant,
    AutonomyLevel,
    AutonomyTrack,
    DiscretionItem,
    GrantStatus,
    LevelRequirement,
    OutcomeMetric,
    TrackJobProfile,
)
from civicladder import audit, clock
from civicladder.access import Role, require_role
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, Invalid
from civicladder.models import User
from competencies.models import Competency
from people.models import JobProfile

LEVELS = range(1, 6)


def save_track(
    actor: User | None,
    track: AutonomyTrack | None,
    *,
    code: str,
    name: str,
    description: str,
    job_profile_ids: list[int],
) -> AutonomyTrack:
    """Create or change a track and the job profiles it covers (a profile is on one track)."""
    require_role(actor, Role.HR)
    code = code.strip().upper()
    if track is not None:
        track = locked_get(AutonomyTrack, track.id)
    clash = sa.select(AutonomyTrack.id).where(AutonomyTrack.code == code)
    if track is not None:
        clash = clash.where(AutonomyTrack.id != track.id)
    if db.session.scalar(clash):
        raise Conflict(
            gettext("The code %(code)s is already used by another track.", code=code), field="code"
        )
    wanted = set(job_profile_ids)
    taken = db.session.execute(
        sa.select(JobProfile.title, AutonomyTrack.name)
        .join(TrackJobProfile, TrackJobProfile.job_profile_id == JobProfile.id)
        .join(AutonomyTrack, AutonomyTrack.id == TrackJobProfile.track_id)
        .where(
            JobProfile.id.in_(wanted or [0]),
            TrackJobProfile.track_id != (track.id if track is not None else 0),
        )
    ).first()
    if taken:
        raise Conflict(
            gettext(
                "%(job)s is already on the track %(track)s: a job is on one track at most.",
                job=taken[0],
                track=taken[1],
            ),
            field="job_profiles",
        )
    creating = track is None
    before = None if creating else _track_state(track)
    earlier = [] if creating else eligibility.profiles_of_track(track.id)
    if creating:
        track = AutonomyTrack()
        db.session.add(track)
    track.code, track.name, track.description = code, name.strip(), description.strip()
    db.session.flush()
    db.session.execute(
        sa.delete(TrackJobProfile).where(
            TrackJobProfile.track_id == track.id, TrackJobProfile.job_profile_id.not_in(wanted)
        )
    )
    present = set(
        db.session.scalars(
            sa.select(TrackJobProfile.job_profile_id).where(TrackJobProfile.track_id == track.id)
        )
    )
    db.session.add_all(
        TrackJobProfile(job_profile_id=pid, track_id=track.id) for pid in wanted - present
    )
    db.session.flush()
    after = _track_state(track)
    if creating:
        audit.record(actor, "autonomy_track.created", track, after=after)
    else:
        old, new = audit.changed(before, after)
        if new:
            audit.record(actor, "autonomy_track.updated", track, before=old, after=new)
    queries.forget_ladders()
    eligibility.refresh_track_people(sorted(wanted | set(earlier)))
    return track


def _track_state(track: AutonomyTrack) -> dict:
    profiles = sorted(
        db.session.scalars(
            sa.select(TrackJobProfile.job_profile_id).where(TrackJobProfile.track_id == track.id)
        )
    )
    return {
        "code": track.code,
        "name": track.name,
        "description": track.description,
        "job_profiles": profiles,
    }


@dataclass(frozen=True)
class ItemTerms:
    """One discretion item as HR writes it; a blank key is made from the words."""

    words: str
    key: str = ""
    limit_amount: Decimal | None = None
    unit: str = ""


KEY_RULE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
KEY_LENGTH = 60


def key_from(words: str) -> str:
    """A key made from an item's words: lowercase letters and digits joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:KEY_LENGTH].rstrip("-")


@dataclass(frozen=True)
class LevelTerms:
    """What HR writes for a level."""

    name: str
    discretion: list[ItemTerms]
    requirements: list[tuple[int, int]]  # (competency id, minimum level)
    min_months: int = 0
    second_approval: bool = False
    focused_review_days: int = 90
    outcome_metric_id: int | None = None
    outcome_threshold: float | None = None
    outcome_window_days: int = 90


def save_level(
    actor: User | None, track: AutonomyTrack, level: AutonomyLevel | None, terms: LevelTerms
) -> AutonomyLevel:
    """Add a level at the top of the track, or change one: in place while nobody holds it, as
    a new version once someone does."""
    require_role(actor, Role.HR)
    track = locked_get(AutonomyTrack, track.id)
    _check_terms(terms)
    if level is None:
        top = db.session.scalar(
            sa.select(sa.func.max(AutonomyLevel.rank)).where(
                AutonomyLevel.track_id == track.id, AutonomyLevel.retired_at.is_(None)
            )
        )
        saved = _new_level(track.id, (top or 0) + 1, 1, terms)
        audit.record(actor, "autonomy_level.created", saved, after=_level_state(saved))
    else:
        level = locked_get(AutonomyLevel, level.id)
        if level.retired_at is not None or level.track_id != track.id:
            raise Conflict(gettext("This version of the level has been replaced: reload the page."))
        before = _level_state(level)
        if _held(level):
            level.retired_at = clock.now()
            saved = _new_level(track.id, level.rank, level.version + 1, terms)
            action = "autonomy_level.revised"
        else:
            _apply(level, terms)
            saved = level
            action = "autonomy_level.updated"
        db.session.flush()
        old, new = audit.changed(before, _level_state(saved))
        audit.record(actor, action, saved, before=old, after=new)
    queries.forget_ladders()
    eligibility.refresh_track_people(eligibility.profiles_of_track(track.id))
    return saved


def _check_terms(terms: LevelTerms) -> None:
    if not terms.name.strip():
        raise Invalid(gettext("Give the level a name."), field="name")
    _check_items(terms.discretion)
    ids = [cid for cid, _ in terms.requirements]
    if not ids:
        raise Invalid(gettext("A level asks for at least one competency."), field="requirements")
    if len(set(ids)) != len(ids):
        raise Invalid(gettext("Each competency can be listed only once."), field="requirements")
    if any(minimum not in LEVELS for _, minimum in terms.requirements):
        raise Invalid(gettext("A minimum level is between 1 and 5."), field="requirements")
    found = db.session.scalar(sa.select(sa.func.count(Competency.id)).where(Competency.id.in_(ids)))
    if found != len(ids):
        raise Invalid(
            gettext("One of the chosen competencies does not exist."), field="requirements"
        )
    if not 0 <= terms.min_months <= 240:
        raise Invalid(
            gettext("Months at the level below are between 0 and 240."), field="min_months"
        )
    if not 7 <= terms.focused_review_days <= 730:
        raise Invalid(gettext("A focused review lasts 7 to 730 days."), field="focused_review_days")
    if (terms.outcome_metric_id is None) != (terms.outcome_threshold is None):
        raise Invalid(
            gettext("An outcome floor needs both a metric and a threshold."),
            field="outcome_threshold",
        )
    if terms.outcome_metric_id is not None:
        if db.session.get(OutcomeMetric, terms.outcome_metric_id) is None:
            raise Invalid(gettext("That outcome metric does not exist."), field="outcome_metric_id")
        if not 7 <= terms.outcome_window_days <= 730:
            raise Invalid(
                gettext("An outcome window is 7 to 730 days."), field="outcome_window_days"
            )


def _items(wanted: list[ItemTerms]) -> list[ItemTerms]:
    """The items as they will be kept: blank rows dropped, words and units trimmed, keys
    lowercased or made from the words."""
    kept = []
    for item in wanted:
        words = " ".join(item.words.split())
        if not words and not item.key.strip() and item.limit_amount is None:
            continue
        key = item.key.strip().lower() or key_from(words)
        kept.append(ItemTerms(words, key, item.limit_amount, item.unit.strip()))
    return kept


def _check_items(wanted: list[ItemTerms]) -> None:
    items = _items(wanted)
    if not items:
        raise Invalid(
            gettext("Say what the level lets a person do: at least one discretion item."),
            field="discretion",
        )
    seen = set()
    for number, item in enumerate(items, start=1):
        if not item.words:
            raise Invalid(
                gettext(
                    "Discretion item %(num)s: say in words what it lets a person do.", num=number
                ),
                field="discretion",
            )
        if len(item.words) > 500:
            raise Invalid(
                gettext(
                    "Discretion item %(num)s: keep the words under 500 characters.", num=number
                ),
                field="discretion",
            )
        if not KEY_RULE.fullmatch(item.key) or len(item.key) > KEY_LENGTH:
            raise Invalid(
                gettext(
                    "Discretion item %(num)s: a key is lowercase letters and digits joined by "
                    "hyphens, at most %(length)s characters (such as waive-fee).",
                    num=number,
                    length=KEY_LENGTH,
                ),
                field="discretion",
            )
        if item.key in seen:
            raise Invalid(
                gettext(
                    "Discretion item %(num)s: the key %(key)s is used twice; each item needs its "
                    "own.",
                    num=number,
                    key=item.key,
                ),
                field="discretion",
            )
        seen.add(item.key)
        if item.limit_amount is not None:
            if item.limit_amount < 0 or item.limit_amount >= LIMIT_CEILING:
                raise Invalid(
                    gettext(
                        "Discretion item %(num)s: a limit is a number from 0 to 999,999,999,999.",
                        num=number,
                    ),
                    field="discretion",
                )
            if not item.unit:
                raise Invalid(
                    gettext(
                        "Discretion item %(num)s: say the limit's unit (such as USD or hours).",
                        num=number,
                    ),
                    field="discretion",
                )
        elif item.unit:
            raise Invalid(
                gettext(
                    "Discretion item %(num)s: a unit goes with a limit; give both.", num=number
                ),
                field="discretion",
            )
        if len(item.unit) > 20:
            raise Invalid(
                gettext("Discretion item %(num)s: keep the unit under 20 characters.", num=number),
                field="discretion",
            )


LIMIT_CEILING = Decimal("1000000000000")


def _new_level(track_id: int, rank: int, version: int, terms: LevelTerms) -> AutonomyLevel:
    level = AutonomyLevel(track_id=track_id, rank=rank, version=version)
    _apply(level, terms)
    db.session.add(level)
    db.session.flush()
    return level


def _apply(level: AutonomyLevel, terms: LevelTerms) -> None:
    values = asdict(terms)
    requirements = values.pop("requirements")
    values["name"] = values["name"].strip()
    values.pop("discretion")
    for key, value in values.items():
        setattr(level, key, value)
    if level.discretion:
        # The old items go first, so a kept key is not written twice at once.
        level.discretion = []
        db.session.flush()
    level.discretion = [
        DiscretionItem(
            position=position,
            key=item.key,
            words=item.words,
            limit_amount=item.limit_amount,
            unit=item.unit,
        )
        for position, item in enumerate(_items(terms.discretion), start=1)
    ]
    level.requirements = [
        LevelRequirement(competency_id=cid, min_level=minimum) for cid, minimum in requirements
    ]


def _held(level: AutonomyLevel) -> bool:
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    AutonomyGrant.level_id == level.id,
                    AutonomyGrant.status.in_([GrantStatus.ACTIVE, GrantStatus.PROPOSED]),
                )
            )
        )
    )


def _level_state(level: AutonomyLevel) -> dict:
    return {
        "rank": level.rank,
        "version": level.version,
        "name": level.name,
        "discretion": [
            [item.key, item.words, _amount(item.limit_amount), item.unit]
            for item in level.discretion
        ],
        "requirements": sorted([r.competency_id, r.min_level] for r in level.requirements),
        "min_months": level.min_months,
        "second_approval": level.second_approval,
        "focused_review_days": level.focused_review_days,
        "outcome_metric_id": level.outcome_metric_id,
        "outcome_threshold": level.outcome_threshold,
        "outcome_window_days": level.outcome_window_days,
    }


def _amount(value: Decimal | None) -> str | None:
    """A limit as the audit log keeps it: 250, 7.5."""
    if value is None:
        return None
    return str(int(value)) if value == value.to_integral_value() else f"{value.normalize():f}"


def save_metric(
    actor: User | None, *, code: str, name: str, unit: str, higher_is_better: bool
) -> OutcomeMetric:
    """Add an outcome metric that operational systems report per person and period."""
    require_role(actor, Role.HR)
    code = code.strip().upper()
    if db.session.scalar(sa.select(OutcomeMetric.id).where(OutcomeMetric.code == code)):
        raise Conflict(
            gettext("The code %(code)s is already used by another metric.", code=code),
            field="code",
        )
    metric = OutcomeMetric(
        code=code, name=name.strip(), unit=unit.strip(), higher_is_better=higher_is_better
    )
    db.session.add(metric)
    db.session.flush()
    audit.record(
        actor,
        "outcome_metric.created",
        metric,
        after={"code": code, "name": metric.name, "unit": metric.unit},
    )
    return metric
