"""Each person's outcomes against their peers', and the flags a manager sees."""

from __future__ import annotations

from datetime import timedelta

import pytest

from autonomy import supervision
from civicladder.access import Role
from tests.autonomy.conftest import TODAY

pytestmark = pytest.mark.usefixtures("app_ctx", "fixed_today")


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

    return {"boss": boss, "boss_user": boss_user, "member": member}


def by_person(people_) -> dict[int, supervision.Supervised]:
    return {row.employee.id: row for row in supervision.supervised(people_)}


def test_well_above_and_well_below_the_peers_are_flagged_with_the_numbers(crew):
    member = crew["member"]
    usual = [member(v) for v in (80, 81, 79, 80, 82, 78)]
    star, strugger, top = member(95), member(60), member(95, rank=2)
    found = by_person([*usual, star, strugger, top])
    assert found[star.id].flag == "Excelling: consider more autonomy"
    assert found[strugger.id].flag == "Needs support: close the gaps"
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


def test_the_page_shows_the_line_and_its_queries_do_not_grow(crew, client_as, count_queries):
    client = client_as(crew["boss_user"])
    counts = []
    for extra in (6, 15):
        for number in range(extra):
            crew["member"](70 + number)
        # The tests share one app context, whose per-request caches a real request starts
        # without: a first request leaves both measured ones in the same state.
        client.get("/autonomy/supervision")
        with count_queries() as statements:
            page = client.get("/autonomy/supervision")
        assert page.status_code == 200 and "<svg" in page.text
        counts.append(len(statements))
    assert counts[0] == counts[1]
