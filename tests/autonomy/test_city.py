"""The autonomy part of the synthetic city: tracks, grants at every level, a year of outcomes."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from autonomy import queries
from autonomy.models import AutonomyGrant, AutonomyLevel, OutcomeRecord, TrackJobProfile
from civicladder.db import db
from tests.city.test_city import AS_OF, SIZE, city


def test_city_tracks_grants_and_outcomes_are_plausible(app, monkeypatch):
    city(app)
    levels = db.session.execute(sa.select(AutonomyLevel.track_id, AutonomyLevel.rank)).all()
    per_track = Counter(track for track, _ in levels)
    assert per_track and set(per_track.values()) == {4}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrackJobProfile)) == 2 * len(
        per_track
    )
    held = Counter(
        db.session.scalars(
            sa.select(AutonomyLevel.rank).join(
                AutonomyGrant, AutonomyGrant.level_id == AutonomyLevel.id
            )
        )
    )
    assert set(held) == {1, 2, 3, 4}
    months = db.session.execute(
        sa.select(
            OutcomeRecord.employee_id, sa.func.count(), sa.func.max(OutcomeRecord.period_start)
        ).group_by(OutcomeRecord.employee_id)
    ).all()
    assert SIZE // 4 <= len(months) <= SIZE
    assert {count for _, count, _ in months} == {12}
    assert all(last < AS_OF for _, _, last in months)
    monkeypatch.setattr("civicladder.clock.today", lambda: AS_OF)
    found = queries.eligibility()
    assert found and any(row.ready for row in found) and not all(row.ready for row in found)
