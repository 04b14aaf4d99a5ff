"""HR defines tracks, levels and metrics; a held level is versioned, never rewritten."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from autonomy import definitions, queries
from autonomy.models import AutonomyLevel
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Forbidden, Invalid

pytestmark = pytest.mark.usefixtures("app_ctx")


def terms(competency, **overrides) -> definitions.LevelTerms:
    values = {
        "name": "Independent",
        "discretion": [
            definitions.ItemTerms("May close a complaint without  sign-off "),
            definitions.ItemTerms("", "", None, ""),
            definitions.ItemTerms("May waive a fee", " Waive-Fee ", Decimal("250"), "USD"),
        ],
        "requirements": [(competency.id, 3)],
        "min_months": 6,
    }
    return definitions.LevelTerms(**(values | overrides))


@pytest.fixture
def hr(make_user):
    return make_user({Role.HR})


def test_hr_creates_a_track_over_jobs_and_adds_levels_at_the_top(hr, competencies):
    skill = competencies.competency()
    job = competencies.job_profile()
    track = definitions.save_track(
        hr, None, code="311", name="311 service", description="", job_profile_ids=[job.id]
    )
    first = definitions.save_level(hr, track, None, terms(skill, name="Guided", min_months=0))
    second = definitions.save_level(hr, track, None, terms(skill))
    assert (first.rank, second.rank) == (1, 2)
    assert [(i.key, i.words, i.limit_amount, i.unit) for i in second.discretion] == [
        (
            "may-close-a-complaint-without-sign-off",
            "May close a complaint without sign-off",
            None,
            "",
        ),
        ("waive-fee", "May waive a fee", Decimal("250"), "USD"),
    ]
    assert second.discretion[1].describe() == "May waive a fee (up to 250 USD)"
    assert queries.ladders().track_for(job.id).id == track.id


def test_a_job_is_on_one_track_at_most(hr, competencies):
    job = competencies.job_profile()
    definitions.save_track(hr, None, code="A", name="A", description="", job_profile_ids=[job.id])
    with pytest.raises(Conflict, match="one track at most"):
        definitions.save_track(
            hr, None, code="B", name="B", description="", job_profile_ids=[job.id]
        )


def test_a_held_level_is_versioned_and_an_unheld_one_updated(hr, competencies, people, autonomy):
    skill = competencies.competency()
    track = autonomy.track([], [{"requirements": [(skill, 2)]}, {"requirements": [(skill, 3)]}])
    held, free = track.levels
    autonomy.grant(people.employee(), held)
    revised = definitions.save_level(hr, track, held, terms(skill, name="Guided, revised"))
    assert revised.id != held.id and revised.version == 2 and revised.rank == 1
    assert held.retired_at is not None and held.name != "Guided, revised"
    updated = definitions.save_level(hr, track, free, terms(skill, name="Renamed"))
    assert updated.id == free.id and updated.version == 1 and updated.name == "Renamed"
    current = db.session.scalars(
        sa.select(AutonomyLevel.id).where(AutonomyLevel.retired_at.is_(None))
    ).all()
    assert sorted(current) == sorted([revised.id, free.id])
    with pytest.raises(Conflict, match="replaced"):
        definitions.save_level(hr, track, held, terms(skill))


def test_a_level_needs_words_competencies_and_a_whole_outcome_floor(hr, competencies, autonomy):
    skill = competencies.competency()
    track = autonomy.track([], [])
    metric = autonomy.metric()
    with pytest.raises(Invalid, match="at least one discretion item"):
        definitions.save_level(
            hr, track, None, terms(skill, discretion=[definitions.ItemTerms("  ")])
        )
    with pytest.raises(Invalid, match="at least one competency"):
        definitions.save_level(hr, track, None, terms(skill, requirements=[]))
    with pytest.raises(Invalid, match="both a metric and a threshold"):
        definitions.save_level(hr, track, None, terms(skill, outcome_metric_id=metric.id))


def test_only_hr_defines_ladders(make_user, competencies):
    with pytest.raises(Forbidden):
        definitions.save_track(
            make_user({Role.MANAGER}), None, code="X", name="X", description="", job_profile_ids=[]
        )


def test_the_level_form_saves_through_the_page(hr, client_as, competencies, autonomy):
    skill = competencies.competency()
    track = autonomy.track([], [{"requirements": [(skill, 2)]}])
    client = client_as(hr)
    data = {
        "name": "Trusted",
        "discretion-0-words": "May approve fee waivers",
        "discretion-0-key": "waive-fee",
        "discretion-0-limit_amount": "250",
        "discretion-0-unit": "USD",
        "discretion-1-words": "May route a request to any agency",
        "requirements-0-competency_id": str(skill.id),
        "requirements-0-min_level": "4",
        "min_months": "12",
        "focused_review_days": "180",
        "outcome_metric_id": "0",
        "outcome_window_days": "90",
    }
    response = client.post(f"/autonomy/tracks/{track.id}/levels/new", data=data)
    assert response.status_code == 302
    level = db.session.scalar(sa.select(AutonomyLevel).where(AutonomyLevel.name == "Trusted"))
    assert level.rank == 2 and level.requirements[0].min_level == 4
    refused = client.post(f"/autonomy/tracks/{track.id}/levels/new", data=data | {"name": ""})
    assert refused.status_code == 422 and "Name the level." in refused.text
