"""The autonomy part of the synthetic city: tracks, grants at every level, a year of outcomes."""

from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa

from autonomy import queries, rules
from autonomy.models import AutonomyGrant, AutonomyLevel, OutcomeRecord, TrackJobProfile
from autonomy.seed.city import review_dates
from civicladder.db import db
from people.models import Employee
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


def test_generated_levels_have_had_their_focused_and_yearly_reviews():
    today = date(2026, 6, 30)
    assert review_dates(date(2026, 5, 1), 90, today, False) == (None, date(2026, 7, 30))
    assert review_dates(date(2025, 1, 1), 90, today, False) == (
        date(2026, 4, 1),
        date(2027, 4, 1),
    )
    # A skipped yearly review leaves the previous one as the last: due, and overdue here.
    assert review_dates(date(2025, 1, 1), 90, today, True) == (date(2025, 4, 1), date(2026, 4, 1))
    # A skipped focused review leaves it due.
    assert review_dates(date(2026, 1, 1), 90, today, True) == (None, date(2026, 4, 1))


def test_no_city_level_takes_effect_before_its_holder_could_have_climbed_to_it(app):
    city(app)
    months = {
        (level.track_id, level.rank): level.min_months
        for level in db.session.scalars(sa.select(AutonomyLevel))
    }
    held = db.session.execute(
        sa.select(AutonomyGrant.effective_on, AutonomyLevel, Employee.hire_date)
        .join(AutonomyLevel, AutonomyLevel.id == AutonomyGrant.level_id)
        .join(Employee, Employee.id == AutonomyGrant.employee_id)
    ).all()
    assert len(held) >= 100
    assert [(day, hired) for day, _, hired in held if day < hired] == []
    for effective, level, hired in held:
        first = hired  # each level's months served at the one below, from the hire
        for rank in range(1, level.rank + 1):
            first = rules.add_months(first, months[(level.track_id, rank)])
        assert first <= effective < AS_OF, (level.rank, hired)
