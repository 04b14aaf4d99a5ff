"""Factories for autonomy: tracks with levels, grants, outcome metrics and records."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

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
from civicladder.db import db

_sequence = itertools.count(1)


def autonomy_factories():
    def metric(higher_is_better: bool = True, **overrides) -> OutcomeMetric:
        n = next(_sequence)
        found = OutcomeMetric(
            code=overrides.get("code", f"M-{n}"),
            name=overrides.get("name", f"Metric {n}"),
            unit=overrides.get("unit", "%"),
            higher_is_better=higher_is_better,
        )
        db.session.add(found)
        db.session.flush()
        return found

    def track(job_profiles=(), levels: list[dict] | None = None, **overrides) -> AutonomyTrack:
        """A track over these job profiles; each dict in `levels` gives one rung, in order:
        requirements=[(competency, min_level)], min_months, outcome=(metric, threshold, days),
        second_approval, name, discretion."""
        n = next(_sequence)
        found = AutonomyTrack(
            code=overrides.get("code", f"T-{n}"), name=overrides.get("name", f"Track {n}")
        )
        db.session.add(found)
        db.session.flush()
        for profile in job_profiles:
            db.session.add(TrackJobProfile(job_profile_id=profile.id, track_id=found.id))
        for rank, spec in enumerate(levels or [{}], start=1):
            level(found, rank, **spec)
        db.session.flush()
        db.session.expire(found, ["levels"])
        return found

    def level(
        track_,
        rank: int,
        *,
        requirements=(),
        min_months: int = 0,
        outcome=None,
        second_approval: bool = False,
        name: str | None = None,
        discretion: list[tuple] | None = None,
    ) -> AutonomyLevel:
        """`discretion`: (key, words) or (key, words, limit, unit) per item."""
        metric_, threshold, days = outcome if outcome else (None, None, 90)
        found = AutonomyLevel(
            track_id=track_.id,
            rank=rank,
            name=name or f"Level {rank}",
            discretion=[
                DiscretionItem(
                    position=position,
                    key=key,
                    words=words,
                    limit_amount=Decimal(str(limit)) if limit is not None else None,
                    unit=unit,
                )
                for position, (key, words, limit, unit) in enumerate(
                    (
                        (*item, None, "")[:4]
                        for item in discretion
                        or [
                            (f"act-alone-grade-{rank}", f"May act alone on matters of grade {rank}")
                        ]
                    ),
                    start=1,
                )
            ],
            min_months=min_months,
            second_approval=second_approval,
            outcome_metric_id=metric_.id if metric_ else None,
            outcome_threshold=threshold,
            outcome_window_days=days,
        )
        found.requirements = [
            LevelRequirement(competency_id=c.id, min_level=lvl) for c, lvl in requirements
        ]
        db.session.add(found)
        db.session.flush()
        return found

    def grant(
        employee,
        level_,
        *,
        effective_on: date = date(2025, 1, 1),
        status: GrantStatus = GrantStatus.ACTIVE,
    ) -> AutonomyGrant:
        found = AutonomyGrant(
            employee_id=employee.id,
            level_id=level_.id,
            status=status,
            effective_on=effective_on,
            review_on=date(effective_on.year + 1, effective_on.month, 1),
            reason="",
            justification="",
        )
        db.session.add(found)
        db.session.flush()
        return found

    def outcome(employee, metric_, period_start: date, value: float) -> OutcomeRecord:
        found = OutcomeRecord(
            employee_id=employee.id, metric_id=metric_.id, period_start=period_start, value=value
        )
        db.session.add(found)
        db.session.flush()
        return found

    return SimpleNamespace(metric=metric, track=track, level=level, grant=grant, outcome=outcome)
