"""Eligibility from evidence: one person's standing, and everyone's at once, agree."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autonomy import eligibility, queries, reviewing
from civicladder.db import db
from tests.autonomy.conftest import TODAY

pytestmark = pytest.mark.usefixtures("app_ctx", "fixed_today")


@pytest.fixture
def ladder(people, competencies, autonomy):
    """A track of three levels over one job profile: competencies, months and an outcome."""
    safety, service, judgement = (competencies.competency() for _ in range(3))
    quality = autonomy.metric(name="Resolution quality")
    profile = competencies.job_profile()
    track = autonomy.track(
        [profile],
        [
            {"requirements": [(safety, 2)]},
            {"requirements": [(safety, 3), (service, 2)], "min_months": 6},
            {
                "requirements": [(safety, 3), (service, 3), (judgement, 3)],
                "min_months": 12,
                "outcome": (quality, 0.9, 90),
            },
        ],
    )
    levels = {level.rank: level for level in track.levels}
    return {
        "profile": profile,
        "track": track,
        "levels": levels,
        "competencies": (safety, service, judgement),
        "metric": quality,
    }


def standing_of(employee):
    return queries.standing(employee)


def test_a_newcomer_with_the_first_levels_evidence_is_ready_for_it(people, competencies, ladder):
    safety = ladder["competencies"][0]
    person = people.employee(job_profile=ladder["profile"])
    competencies.evidence(person, safety, 2)
    found = standing_of(person)
    assert found.current_rank == 0 and found.next_level.rank == 1 and found.gap.ready
    [row] = queries.eligibility()
    assert (row.employee_id, row.current_rank, row.ready) == (person.id, 0, True)


def test_expired_evidence_leaves_a_gap(people, competencies, ladder):
    safety = ladder["competencies"][0]
    person = people.employee(job_profile=ladder["profile"])
    competencies.evidence(person, safety, 4, expires_on=TODAY)
    found = standing_of(person)
    assert found.gap.missing == [(safety.id, 2, 0)] and not found.gap.ready
    [row] = queries.eligibility()
    assert row.missing == 1 and not row.ready


def test_a_holder_must_serve_the_months_at_their_level(people, competencies, autonomy, ladder):
    safety, service, _ = ladder["competencies"]
    person = people.employee(job_profile=ladder["profile"])
    competencies.evidence(person, safety, 3)
    competencies.evidence(person, service, 2)
    grant = autonomy.grant(person, ladder["levels"][1], effective_on=date(2026, 1, 1))
    found = standing_of(person)
    assert found.current_rank == 1 and found.gap.months_to_serve == 1 and not found.gap.ready
    assert not queries.eligibility()[0].ready
    grant.effective_on = date(2025, 12, 30)
    db.session.flush()
    assert standing_of(person).gap.ready and queries.eligibility()[0].ready


def test_the_outcome_floor_reads_only_the_window(people, competencies, autonomy, ladder):
    person = people.employee(job_profile=ladder["profile"])
    for competency in ladder["competencies"]:
        competencies.evidence(person, competency, 3)
    autonomy.grant(person, ladder["levels"][2], effective_on=date(2024, 1, 1))
    metric = ladder["metric"]
    autonomy.outcome(person, metric, TODAY - timedelta(days=89), 0.95)  # first day in
    autonomy.outcome(person, metric, TODAY - timedelta(days=90), 0.10)  # a day too old
    found = standing_of(person)
    assert found.gap.outcome_mean == pytest.approx(0.95) and found.gap.ready
    [row] = queries.eligibility()
    assert row.outcome_mean == pytest.approx(0.95) and row.ready


def test_people_on_no_track_or_at_the_top_are_not_listed(people, competencies, autonomy, ladder):
    people.employee()  # a job on no track
    top = people.employee(job_profile=ladder["profile"])
    autonomy.grant(top, ladder["levels"][3])
    assert queries.standing(people.employee()) is None
    assert standing_of(top).next_level is None
    assert queries.eligibility() == []


# --- the set-based computation against the one-person rules, on random people ---------------

# Starts around 6 and 12 months back (the ladder's minimums), where a month boundary decides.
day_offsets = st.one_of(
    st.sampled_from([-367, -366, -365, -364, -183, -182, -181, -180, 0, 1]),
    st.integers(min_value=-800, max_value=30),
)
person_strategy = st.fixed_dictionaries(
    {
        "hired": day_offsets,
        "held": st.sampled_from([None, 1, 2, 3]),
        "held_since": day_offsets,
        "evidence": st.lists(
            st.tuples(
                st.integers(0, 2),
                st.integers(1, 5),
                st.one_of(st.none(), st.integers(min_value=-30, max_value=30)),
            ),
            max_size=5,
        ),
        "outcomes": st.lists(
            # Around the 90-day window's first day (-89) and today, where mistakes would hide.
            st.tuples(st.sampled_from([-120, -90, -89, -88, -45, 0, 1]), st.floats(0.5, 1.0)),
            max_size=4,
            unique_by=lambda o: o[0],
        ),
    }
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(crowd=st.lists(person_strategy, min_size=1, max_size=5))
def test_everyone_at_once_agrees_with_one_at_a_time(crowd, people, competencies, autonomy, ladder):
    savepoint = db.session.begin_nested()
    try:
        expected, everyone = {}, []
        for spec in crowd:
            person = people.employee(
                job_profile=ladder["profile"], hire_date=TODAY + timedelta(days=spec["hired"])
            )
            everyone.append(person.id)
            if spec["held"]:
                autonomy.grant(
                    person,
                    ladder["levels"][spec["held"]],
                    effective_on=TODAY + timedelta(days=spec["held_since"]),
                )
            for index, level, expires in spec["evidence"]:
                competencies.evidence(
                    person,
                    ladder["competencies"][index],
                    level,
                    expires_on=None if expires is None else TODAY + timedelta(days=expires),
                )
            for offset, value in spec["outcomes"]:
                autonomy.outcome(person, ladder["metric"], TODAY + timedelta(days=offset), value)
            found = standing_of(person)
            if found.next_level is not None:
                expected[person.id] = (
                    found.next_level.id,
                    len(found.gap.missing),
                    found.gap.months_to_serve == 0,
                    _rounded(found.gap.outcome_mean),
                    found.gap.ready,
                )
        actual = {
            row.employee_id: (
                row.next_level_id,
                row.missing,
                row.served,
                _rounded(row.outcome_mean),
                row.ready,
            )
            for row in queries.eligibility()
        }
        assert actual == expected
        # Stored (as the scheduled run and each change store it), it reads back the same, and
        # the held levels it flags for review are the ones computed live.
        live_reviews = _review_rows(reviewing.review_statement(TODAY, reviewing.held_level_terms()))
        eligibility.refresh()
        stored = {
            row.employee_id: (
                row.next_level_id,
                row.missing,
                row.served,
                _rounded(row.outcome_mean),
                row.ready,
            )
            for row in queries.eligibility_of(everyone).values()
        }
        assert stored == expected
        assert _review_rows(reviewing.stored_review_statement(TODAY)) == live_reviews
    finally:
        savepoint.rollback()
        queries.forget_stored()


def _review_rows(statement) -> dict[int, tuple]:
    return {
        row.grant_id: (row.missing, _rounded(row.mean), bool(row.outcome_reached), bool(row.due))
        for row in db.session.execute(statement)
    }


def _rounded(mean: float | None) -> float | None:
    return None if mean is None else round(mean, 9)


def test_a_persons_standing_reads_their_track_alone(people, competencies, autonomy, ladder):
    """The person's own pages load one track, not the catalogue; once something on the page
    has read the catalogue, it serves instead; a change to the ladders is seen at once."""
    other = autonomy.track([competencies.job_profile()], [{}, {}])  # never read here
    employee = people.employee(job_profile=ladder["profile"])
    db.session.flush()
    own = queries.ladder_of(ladder["profile"].id)
    assert [t.id for t in own.tracks] == [ladder["track"].id]
    assert set(own.levels) == {level.id for level in ladder["levels"].values()}
    assert standing_of(employee).track.id == ladder["track"].id
    assert queries.ladder_of(competencies.job_profile().id) is None
    whole = queries.ladders()
    assert {ladder["track"].id, other.id} <= {t.id for t in whole.tracks}
    assert queries.ladder_of(ladder["profile"].id) is whole
    queries.forget_ladders()
    assert queries.ladder_of(ladder["profile"].id) is not own
