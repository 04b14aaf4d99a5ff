"""Each person's outcomes against their peers', and the flags a manager sees."""

from __future__ import annotations

from datetime import timedelta

import pytest

from autonomy import eligibility, queries, rules, supervision
from civicladder.access import Role
from tests.academy.factories import academy_factories
from tests.autonomy.conftest import TODAY

pytestmark = pytest.mark.usefixtures("app_ctx", "fixed_today")


@pytest.fixture
def academy(competencies):
    return academy_factories(competencies)


@pytest.fixture
def crew(people, competencies, autonomy):
    """Eight peers in one job on a two-level track supervised on a metric (higher is better)."""
    skill = competencies.competency()
    metric = autonomy.metric()
    profile = competencies.job_profile()
    track = autonomy.track(
        [profile],
        [
            {"requirements": [(skill, 2)]},
            {"requirements": [(skill, 3)], "outcome": (metric, 80, 90)},
        ],
    )
    boss, boss_user = people.employee_user(roles={Role.MANAGER})

    def member(value, rank=0, manager=boss, days_ago=10):
        person = people.employee(manager=manager, job_profile=profile)
        if value is not None:
            autonomy.outcome(person, metric, TODAY - timedelta(days=days_ago), value)
        if rank:
            autonomy.grant(person, track.levels[rank - 1])
        return person

    return {"boss": boss, "boss_user": boss_user, "member": member, "skill": skill, "track": track}


def by_person(people_) -> dict[int, supervision.Supervised]:
    return {row.employee.id: row for row in supervision.supervised(people_)}


def test_well_above_and_well_below_the_peers_are_flagged_with_the_numbers(crew):
    member = crew["member"]
    usual = [member(v) for v in (80, 81, 79, 80, 82, 78)]
    star, strugger, top = member(95), member(60), member(95, rank=2)
    found = by_person([*usual, star, strugger, top])
    assert found[star.id].flag == "Excelling: consider more autonomy"
    assert found[strugger.id].flag == "Needs training: close the gaps"
    assert found[top.id].flag is None  # already at the top of the track
    assert all(found[p.id].flag is None for p in usual)
    assert "95.0% against" in found[star.id].explanation and "9 peers" in found[star.id].explanation
    bar = supervision.bar(found[star.id])
    assert bar.peers_from < bar.peers_mean < bar.peers_to < bar.own <= 100


def test_old_results_and_small_peer_groups_make_no_comparison(crew):
    member = crew["member"]
    few = [member(80), member(90), member(70)]
    stale = member(99, days_ago=120)
    found = by_person([*few, stale])
    assert found[few[0].id].peers is None and found[few[0].id].flag is None
    assert found[stale.id].mean is None
    assert "No outcomes recorded" in found[stale.id].explanation


def test_the_page_shows_the_line_and_its_queries_do_not_grow(
    crew, academy, client_as, count_queries
):
    client = client_as(crew["boss_user"])
    academy.course([(crew["skill"], 3, None)], title="Field basics")
    counts = []
    for extra in (6, 15):
        for number in range(extra):
            crew["member"](70 + number)
        for _ in range(extra // 3):
            crew["member"](20)  # well below: flagged with the courses that close their gap
        # The tests share one app context, whose per-request caches a real request starts
        # without: a first request leaves both measured ones in the same state.
        client.get("/autonomy/supervision")
        with count_queries() as statements:
            page = client.get("/autonomy/supervision")
        assert page.status_code == 200 and "<svg" in page.text
        assert "Courses that close the gap" in page.text and "Field basics" in page.text
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_below_the_peers_the_flag_names_the_courses_that_close_the_gap(crew, academy, competencies):
    member, skill = crew["member"], crew["skill"]
    usual = [member(v) for v in (80, 81, 79, 80, 82, 78)]
    behind = member(55)
    competencies.evidence(behind, skill, 1)
    academy.course([(skill, 2, None)], title="Field basics")
    academy.course([(skill, 1, None)], title="Too low to close it")
    found = by_person([*usual, behind])[behind.id]
    assert found.flag == "Needs training: close the gaps" and found.better_fit is None
    assert [c.title for c in found.courses] == ["Field basics"]
    assert found.advice == "Courses that close the gap: Field basics."


def test_below_the_peers_with_skills_for_another_track_suggests_redeployment(
    crew, autonomy, competencies
):
    member = crew["member"]
    other_skill = competencies.competency()
    other = autonomy.track(
        [competencies.job_profile()],
        [{"requirements": [(other_skill, 3)]}, {"requirements": [(other_skill, 4)]}],
        name="Inspection",
    )
    usual = [member(v) for v in (80, 81, 79, 80, 82, 78)]
    misplaced = member(55)
    competencies.evidence(misplaced, other_skill, 4)
    competencies.evidence(misplaced, crew["skill"], 1)
    found = by_person([*usual, misplaced])[misplaced.id]
    assert found.flag == "Consider redeployment"
    assert found.better_fit.track == other.name and found.better_fit.fit == pytest.approx(1.0)
    assert found.better_fit.own_fit == pytest.approx(2 / 5)
    assert "they meet 100% of its levels' requirements, against 40%" in found.advice


def test_fit_counts_the_level_points_a_ladder_asks():
    asks = [(1, 2), (1, 3), (2, 5)]
    assert rules.fit(asks, {1: 3, 2: 1}) == pytest.approx((2 + 3 + 1) / 10)
    assert rules.fit([], {1: 5}) == 0
    assert rules.better_track(0.3, {7: 0.6, 8: 0.55}) == 7
    assert rules.better_track(0.4, {7: 0.6}) is None  # not enough better
    assert rules.better_track(0.1, {7: 0.59}) is None  # not a good enough fit


def test_the_peers_stored_by_the_nightly_run_match_those_computed_live(crew):
    member = crew["member"]
    team = [member(v) for v in (80, 81, 79, 80, 82, 78, 60)]
    live = {row.employee.id: (row.peers, row.flag) for row in supervision.supervised(team)}
    eligibility.refresh()
    try:
        assert queries.stored_eligibility()
        stored = {row.employee.id: (row.peers, row.flag) for row in supervision.supervised(team)}
    finally:
        queries.forget_stored()
    assert stored.keys() == live.keys()
    for key, (peers, flag) in live.items():
        assert stored[key][1] == flag
        assert stored[key][0].count == peers.count
        assert stored[key][0].mean == pytest.approx(peers.mean)
        assert stored[key][0].spread == pytest.approx(peers.spread)


def test_the_redeployment_advice_writes_its_shares_for_the_readers_language(app):
    from types import SimpleNamespace

    from flask_babel import refresh

    metric = SimpleNamespace(higher_is_better=True)
    row = supervision.Supervised(
        employee=None,
        metric=metric,
        mean=0.5,
        peers=supervision.Peers(count=6, mean=0.9, spread=0.1),
        rank=1,
        top_rank=2,
        better_fit=supervision.BetterFit("Inspections", 0.8, "Permits", 2 / 3),
    )
    with app.test_request_context():
        assert row.advice == (
            "Skills fit Inspections better: they meet 80% of its levels' requirements, "
            "against 67% of Permits's."
        )
    with app.test_request_context(headers={"Accept-Language": "es"}):
        refresh()  # the language of a request in the same app context is kept until refreshed
        assert "Sus habilidades encajan mejor en Inspections: cumple el 80%" in row.advice
        assert "67%" in row.advice
