"""Held levels flagged for review, and the manager's decision: keep, or lower with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from autonomy import queries, reviewing, services
from autonomy.models import AutonomyGrant, GrantStatus
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Forbidden, Invalid
from civicladder.models import AuditEvent, Notification
from tests.autonomy.conftest import TODAY

pytestmark = pytest.mark.usefixtures("app_ctx", "fixed_today")


@pytest.fixture
def crew(people, competencies, autonomy):
    """A manager's crew on a two-level track (level 2 with a 90-day outcome floor of 80)."""
    skill = competencies.competency()
    metric = autonomy.metric()
    profile = competencies.job_profile()
    track = autonomy.track(
        [profile],
        [
            {"requirements": [(skill, 2)]},
            {"requirements": [(skill, 3)], "outcome": (metric, 80.0, 90)},
        ],
    )
    boss, boss_user = people.employee_user(roles={Role.MANAGER})

    def member(level_rank, shown, outcome=None, review_on=TODAY + timedelta(days=30), **kw):
        person, user = people.employee_user(manager=boss, job_profile=profile)
        competencies.evidence(person, skill, shown, **kw)
        grant = autonomy.grant(person, track.levels[level_rank - 1])
        grant.review_on = review_on
        if outcome is not None:
            autonomy.outcome(person, metric, TODAY - timedelta(days=10), outcome)
        db.session.flush()
        return person, user, grant

    return {"boss": boss_user, "member": member, "levels": track.levels}


def flagged(scope=None) -> dict[int, reviewing.Review]:
    found, _ = reviewing.reviews_page(scope, 1, 100)
    return {review.grant.id: review for review in found}


def test_lapsed_evidence_low_outcomes_and_due_dates_are_flagged(crew):
    member = crew["member"]
    _, _, fine = member(2, 3, outcome=85.0)
    _, _, lapsed = member(1, 4, expires_on=TODAY)
    _, _, low = member(2, 3, outcome=70.0)
    _, _, due = member(1, 2, review_on=TODAY)
    found = flagged()
    assert set(found) == {lapsed.id, low.id, due.id}
    assert found[lapsed.id].missing == 1 and found[lapsed.id].outcome_reached
    assert not found[low.id].outcome_reached and found[low.id].outcome_mean == pytest.approx(70)
    assert found[due.id].due and found[due.id].reasons == ["focused review due since 30 Jun 2026"]
    assert reviewing.count_reviews(None) == 3
    assert fine.status == GrantStatus.ACTIVE


def test_keeping_a_level_sets_the_next_review_a_year_on(crew):
    _, _, due = crew["member"](1, 2, review_on=TODAY - timedelta(days=3))
    services.keep_grant(crew["boss"], due, "Still doing well.")
    assert due.review_on == TODAY + timedelta(days=365)
    assert due.id not in flagged()
    event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event.action == "autonomy_grant.reviewed" and event.reason == "Still doing well."


def test_a_new_level_has_a_focused_review_then_yearly_ones(crew):
    _, _, grant = crew["member"](1, 2, review_on=TODAY)
    review = flagged()[grant.id]
    assert review.focused and review.kind == "Focused review"
    services.keep_grant(crew["boss"], grant)
    assert grant.reviewed_on == TODAY and grant.review_on == TODAY + timedelta(days=365)
    event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event.after["focused"] is True and event.after["reviewed_on"] == TODAY.isoformat()
    grant.review_on = TODAY  # a year on
    db.session.flush()
    review = flagged()[grant.id]
    assert not review.focused and review.reasons == ["yearly review due since 30 Jun 2026"]
    services.keep_grant(crew["boss"], grant)
    event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event.after["focused"] is False


def test_a_review_shows_the_outcomes_since_its_period_began(crew, autonomy):
    person, _, grant = crew["member"](2, 3, outcome=90.0, review_on=TODAY)
    metric = crew["levels"][1].outcome_metric
    grant.effective_on = TODAY - timedelta(days=120)
    autonomy.outcome(person, metric, TODAY - timedelta(days=100), 70.0)
    autonomy.outcome(person, metric, TODAY - timedelta(days=150), 10.0)  # before the grant
    period = flagged()[grant.id].period
    assert period.metric.id == metric.id and period.records == 2
    assert period.mean == pytest.approx(80.0)
    # Once reviewed, the next period starts on the day of that review.
    grant.reviewed_on = TODAY - timedelta(days=20)
    db.session.flush()
    period = flagged()[grant.id].period
    assert period.records == 1 and period.mean == pytest.approx(90.0)


def test_the_reviews_page_names_the_review_and_its_period(crew, client_as, count_queries):
    client = client_as(crew["boss"])
    counts = []
    for extra in (2, 8):
        for _ in range(extra):
            crew["member"](2, 3, outcome=70.0, review_on=TODAY)
        client.get("/autonomy/reviews")
        with count_queries() as statements:
            page = client.get("/autonomy/reviews")
        assert page.status_code == 200 and "Focused review" in page.text
        assert "over 1 record" in page.text
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_lowering_a_level_needs_a_reason_and_leaves_the_level_below(crew):
    person, user, low = crew["member"](2, 3, outcome=70.0)
    with pytest.raises(Invalid):
        services.lower_grant(crew["boss"], low, " ")
    below = services.lower_grant(crew["boss"], low, "Outcomes under the floor for a quarter.")
    assert low.status == GrantStatus.REVOKED
    assert below.status == GrantStatus.ACTIVE and below.level.rank == 1
    assert queries.held_grant(person.id).id == below.id
    subjects = db.session.scalars(
        sa.select(Notification.subject).where(Notification.user_id == user.id)
    ).all()
    assert any("Outcomes under the floor" in subject for subject in subjects)


def test_nobody_reviews_their_own_level_or_outside_their_line(crew, people):
    _, user, grant = crew["member"](1, 2)
    with pytest.raises(Forbidden):
        services.keep_grant(user, grant)
    _, stranger = people.employee_user(roles={Role.MANAGER})
    with pytest.raises(Forbidden):
        services.lower_grant(stranger, grant, "No")
    assert db.session.get(AutonomyGrant, grant.id).status == GrantStatus.ACTIVE


def test_lowering_asks_for_confirmation_first(crew, client_as):
    _, _, grant = crew["member"](2, 3, outcome=70.0)
    client = client_as(crew["boss"])
    page = client.get(f"/autonomy/grants/{grant.id}/lower")
    assert page.status_code == 200 and "They will hold level 1 from today instead" in page.text
    assert db.session.get(AutonomyGrant, grant.id).status == GrantStatus.ACTIVE
    refused = client.post(f"/autonomy/grants/{grant.id}/lower", data={"reason": ""})
    assert refused.status_code == 422
    assert db.session.get(AutonomyGrant, grant.id).status == GrantStatus.ACTIVE


def test_a_review_long_past_its_date_is_overdue_for_the_managers_above(crew, people, client_as):
    _, _, late = crew["member"](1, 2, review_on=TODAY - timedelta(days=31))
    _, _, recent = crew["member"](1, 2, review_on=TODAY - timedelta(days=30))
    found = flagged()
    assert found[late.id].overdue and not found[recent.id].overdue
    boss_employee = db.session.get(type(late.employee), late.employee.manager_id)
    director, director_user = people.employee_user(roles={Role.MANAGER})
    boss_employee.manager_id = director.id
    from people import lines

    lines.refresh_all()
    page = client_as(director_user).get("/autonomy/reviews").text
    assert page.count("Overdue</span>") == 1 and late.employee.last_name in page


def test_managers_are_told_of_newly_flagged_levels_once_until_reviewed(crew, people):
    member = crew["member"]
    _, _, lapsed = member(1, 4, expires_on=TODAY)
    _, _, due = member(1, 2, review_on=TODAY)
    member(2, 3, outcome=85.0)  # nothing to review
    assert services.notify_reviews(None) == (1, 2)
    notice = db.session.scalar(
        sa.select(Notification).where(Notification.user_id == crew["boss"].id)
    )
    assert notice.subject == "2 autonomy levels in your team to review"
    assert notice.link == "/autonomy/reviews"
    assert lapsed.employee.full_name in notice.body and due.employee.full_name in notice.body
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "autonomy_grant.review_noticed")
    ).all()
    assert sorted(e.object_id for e in events) == sorted([str(lapsed.id), str(due.id)])
    # Run again: nobody is told twice.
    assert services.notify_reviews(None) == (0, 0)
    # Reviewed and flagged anew a year on: told again.
    services.keep_grant(crew["boss"], due)
    db.session.refresh(due)
    due.review_on = TODAY
    db.session.flush()
    assert services.notify_reviews(None) == (1, 1)


def test_only_hr_or_the_system_tells_managers(crew):
    _, user, _ = crew["member"](1, 2, review_on=TODAY)
    with pytest.raises(Forbidden):
        services.notify_reviews(user)


def test_the_daily_command_tells_managers_with_links_to_their_reviews(crew, app):
    crew["member"](1, 2, review_on=TODAY)
    result = app.test_cli_runner().invoke(args=["autonomy", "notify-reviews"])
    assert result.exit_code == 0, result.output
    assert "Told 1 manager of 1 level to review" in result.output
    notice = db.session.scalar(
        sa.select(Notification).where(Notification.user_id == crew["boss"].id)
    )
    assert notice.link == "/autonomy/reviews"
    again = app.test_cli_runner().invoke(args=["autonomy", "notify-reviews"])
    assert "Told 0 managers of 0 levels" in again.output
