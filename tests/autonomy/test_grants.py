"""Proposing, approving and declining autonomy levels: who may, what is checked, what is kept."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from autonomy import queries, services
from autonomy.models import AutonomyGrant, GrantStatus
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Forbidden, Invalid
from civicladder.models import AuditEvent, Notification

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def team(people, competencies, autonomy):
    """Director > manager > two workers on a three-level track (level 3 needs a second
    approver); the first worker meets level 1, the second holds level 1 and meets level 2."""
    skill = competencies.competency()
    profile = competencies.job_profile([(skill, 2, 1)])
    track = autonomy.track(
        [profile],
        [
            {"requirements": [(skill, 2)]},
            {"requirements": [(skill, 3)]},
            {"requirements": [(skill, 4)], "second_approval": True},
        ],
    )
    director, director_user = people.employee_user(roles={Role.MANAGER})
    boss, boss_user = people.employee_user(roles={Role.MANAGER}, manager=director)
    ready, ready_user = people.employee_user(manager=boss, job_profile=profile)
    holder, holder_user = people.employee_user(manager=boss, job_profile=profile)
    competencies.evidence(ready, skill, 2)
    competencies.evidence(holder, skill, 4)
    levels = track.levels
    autonomy.grant(holder, levels[0])
    return {
        "skill": skill,
        "levels": levels,
        "director": director_user,
        "boss": boss_user,
        "ready": ready,
        "ready_user": ready_user,
        "holder": holder,
        "holder_user": holder_user,
    }


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_manager_grants_a_level_without_second_approval_at_once(team):
    grant = services.propose_grant(
        team["boss"], team["holder"], team["levels"][1], reason="Closes tickets unaided."
    )
    assert grant.status == GrantStatus.ACTIVE and grant.approved_by_id == team["boss"].id
    assert not grant.above_evidence
    statuses = db.session.scalars(
        sa.select(AutonomyGrant.status).where(AutonomyGrant.employee_id == team["holder"].id)
    ).all()
    assert sorted(statuses) == sorted([GrantStatus.SUPERSEDED, GrantStatus.ACTIVE])
    assert actions()[-3:] == [
        "autonomy_grant.proposed",
        "autonomy_grant.superseded",
        "autonomy_grant.active",
    ]
    notice = db.session.scalar(
        sa.select(Notification).where(Notification.user_id == team["holder_user"].id)
    )
    assert "level 2" in notice.subject
    assert queries.standing(team["holder"]).current_rank == 2


def test_a_level_needing_a_second_approver_waits_for_the_proposers_manager(team):
    services.propose_grant(team["boss"], team["holder"], team["levels"][1])
    grant = services.propose_grant(team["boss"], team["holder"], team["levels"][2])
    assert grant.status == GrantStatus.PROPOSED
    told = db.session.scalars(sa.select(Notification.user_id)).all()
    assert team["director"].id in told
    with pytest.raises(Forbidden, match="someone other than the proposer"):
        services.approve_grant(team["boss"], grant)
    with pytest.raises(Forbidden):
        services.approve_grant(team["holder_user"], grant)
    services.approve_grant(team["director"], grant)
    assert grant.status == GrantStatus.ACTIVE and grant.approved_by_id == team["director"].id
    with pytest.raises(Conflict, match="already been decided"):
        services.decline_grant(team["director"], grant, "Too late")


def test_hr_may_be_the_second_approver(team, make_user):
    services.propose_grant(team["boss"], team["holder"], team["levels"][1])
    grant = services.propose_grant(team["boss"], team["holder"], team["levels"][2])
    services.approve_grant(make_user({Role.HR}), grant)
    assert grant.status == GrantStatus.ACTIVE


def test_a_decline_needs_a_reason_the_employee_reads(team):
    services.propose_grant(team["boss"], team["holder"], team["levels"][1])
    grant = services.propose_grant(team["boss"], team["holder"], team["levels"][2])
    with pytest.raises(Invalid, match="reason"):
        services.decline_grant(team["director"], grant, "  ")
    services.decline_grant(team["director"], grant, "One more quarter of results first.")
    assert grant.status == GrantStatus.DECLINED
    assert grant.reason == "One more quarter of results first."
    subjects = db.session.scalars(
        sa.select(Notification.subject).where(Notification.user_id == team["holder_user"].id)
    ).all()
    assert any("One more quarter" in subject for subject in subjects)


def test_proposing_above_the_evidence_needs_a_written_justification(team, competencies):
    competencies.evidence(team["ready"], team["skill"], 1, observed_on=team["ready"].hire_date)
    services.propose_grant(team["boss"], team["ready"], team["levels"][0])
    level_2 = team["levels"][1]  # needs level 3; the person has shown 2
    with pytest.raises(Invalid, match="write why"):
        services.propose_grant(team["boss"], team["ready"], level_2)
    grant = services.propose_grant(
        team["boss"], team["ready"], level_2, justification="Covering a vacancy, supervised."
    )
    assert grant.above_evidence and grant.justification == "Covering a vacancy, supervised."


def test_nobody_proposes_for_themselves_or_outside_their_line(team, people, make_user):
    with pytest.raises(Forbidden, match="themselves"):
        services.propose_grant(team["holder_user"], team["holder"], team["levels"][1])
    stranger, stranger_user = people.employee_user(roles={Role.MANAGER})
    with pytest.raises(Forbidden, match="reporting line"):
        services.propose_grant(stranger_user, team["holder"], team["levels"][1])
    with pytest.raises(Forbidden):
        services.propose_grant(make_user({Role.HR}), team["holder"], team["levels"][1])


def test_only_the_next_level_and_one_proposal_at_a_time(team):
    with pytest.raises(Conflict, match="next level"):
        services.propose_grant(team["boss"], team["holder"], team["levels"][2])
    services.propose_grant(team["boss"], team["holder"], team["levels"][1])
    services.propose_grant(team["boss"], team["holder"], team["levels"][2])
    with pytest.raises(Conflict):
        services.propose_grant(team["boss"], team["holder"], team["levels"][2])


# One signed-in client per test: the tests share one app context, where the signed-in user
# of a first request would stay remembered for a second.


def test_the_queue_lists_the_people_ready(team, client_as):
    services.propose_grant(team["boss"], team["holder"], team["levels"][1])
    services.propose_grant(team["boss"], team["holder"], team["levels"][2])
    page = client_as(team["boss"]).get("/autonomy/queue").text
    assert team["ready"].last_name in page and "Nothing is waiting for you" in page
    assert team["holder"].last_name not in page  # proposed already


def test_the_queue_lists_proposals_waiting_for_the_viewer(team, client_as):
    services.propose_grant(team["boss"], team["holder"], team["levels"][1])
    grant = services.propose_grant(team["boss"], team["holder"], team["levels"][2])
    page = client_as(team["director"]).get("/autonomy/queue").text
    assert f"/autonomy/grants/{grant.id}/approve" in page


def test_the_employee_home_shows_their_level_and_the_gap(team, client_as):
    page = client_as(team["holder_user"]).get("/").text
    assert "Your autonomy" in page and "level 1" in page
    assert "You meet every condition" in page  # level 2 asks for 3; they have shown 4


def test_queue_and_home_query_counts_do_not_grow_with_the_line(
    team, people, competencies, autonomy, client_as, count_queries
):
    boss = team["boss"]
    manager = db.session.get(type(team["ready"]), team["ready"].manager_id)
    profile_id = team["ready"].job_profile_id
    client = client_as(boss)
    counts = []
    for extra in (2, 12):
        for _ in range(extra):
            person = people.employee(manager=manager)
            person.job_profile_id = profile_id
            competencies.evidence(person, team["skill"], 3)
            autonomy.grant(person, team["levels"][0])
        db.session.flush()
        # The tests share one app context, whose per-request caches a real request starts
        # without: a first request leaves both measured ones in the same state.
        client.get("/autonomy/queue")
        with count_queries() as statements:
            assert client.get("/autonomy/queue").status_code == 200
            assert client.get("/").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
