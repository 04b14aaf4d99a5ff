"""A round's lifecycle: created from a job profile, opened only when ready, rubric frozen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civicladder import clock
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Forbidden, Invalid
from civicladder.models import AuditEvent
from competencies.models import JobProfileRequirement
from hiring import services
from hiring.models import ApplicationStatus, Assessment, HiringRound, RoundStatus, RubricItem


@pytest.fixture
def hr(make_user):
    return make_user({Role.HR})


def _draft(hr, competencies, *, requirements=True):
    skill = competencies.competency()
    profile = competencies.job_profile([(skill, 3, 2)] if requirements else [])
    today = clock.today()
    hiring_round = services.create_round(
        hr,
        job_profile_id=profile.id,
        title="Park ranger",
        openings=2,
        opens_on=today,
        closes_on=today + timedelta(days=10),
    )
    return hiring_round, profile, skill


def _ready(hiring_round, hr, make_user):
    services.add_question(hr, hiring_round, "Tell us about a night shift.")
    for _ in range(2):
        services.add_panel_member(hr, hiring_round, make_user())


def test_hr_creates_a_draft_round_from_a_job_profile(app_ctx, hr, competencies):
    hiring_round, profile, _ = _draft(hr, competencies)
    assert hiring_round.status == RoundStatus.DRAFT
    assert hiring_round.job_profile_id == profile.id
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "hiring_round.created")
    )
    assert event.after["title"] == "Park ranger"


def test_the_same_form_token_twice_makes_one_round(app_ctx, hr, competencies):
    profile = competencies.job_profile()
    today = clock.today()
    fields = {
        "job_profile_id": profile.id,
        "title": "Lifeguard",
        "openings": 3,
        "opens_on": today,
        "closes_on": today + timedelta(days=10),
    }
    first = services.create_round(hr, form_token="one-copy-of-the-form", **fields)
    again = services.create_round(hr, form_token="one-copy-of-the-form", **fields)
    other = services.create_round(hr, form_token="another-copy", **fields)
    assert again.id == first.id and other.id != first.id
    assert first.form_key != "one-copy-of-the-form"  # only a hash of the token is kept
    assert services.round_created_by_form("one-copy-of-the-form").id == first.id
    assert services.round_created_by_form("never-sent") is None
    created = db.session.scalars(
        sa.select(AuditEvent.object_id).where(AuditEvent.action == "hiring_round.created")
    ).all()
    assert sorted(created) == sorted([str(first.id), str(other.id)])


def test_a_double_submitted_new_round_form_makes_one_round(client_as, hr, competencies):
    profile = competencies.job_profile()
    client = client_as(hr)
    page = client.get("/hiring/rounds/new").text
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)
    assert token, "the new-round form carries a one-time token"
    today = clock.today()
    data = {
        "job_profile_id": profile.id,
        "title": "Double-click ranger",
        "openings": 1,
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=9)).isoformat(),
        "best_qualified_from": "4.00",
        "well_qualified_from": "3.25",
        "qualified_from": "2.50",
        "form_token": token.group(1),
    }
    first = client.post("/hiring/rounds/new", data=data)
    second = client.post("/hiring/rounds/new", data=data, follow_redirects=True)
    assert first.status_code == 302
    assert second.status_code == 200 and "already sent" in second.text
    assert second.request.path == first.headers["Location"]
    titles = db.session.scalars(
        sa.select(HiringRound.id).where(HiringRound.title == "Double-click ranger")
    ).all()
    assert len(titles) == 1
    assert client.get("/hiring/rounds/new").text.count(token.group(1)) == 0  # a fresh token


def test_only_hr_creates_rounds(app_ctx, make_user, competencies):
    profile = competencies.job_profile()
    with pytest.raises(Forbidden):
        services.create_round(
            make_user({Role.MANAGER}),
            job_profile_id=profile.id,
            title="x",
            openings=1,
            opens_on=clock.today(),
            closes_on=clock.today(),
        )


def test_closing_before_opening_is_refused(app_ctx, hr, competencies):
    profile = competencies.job_profile()
    with pytest.raises(Invalid, match="closing date"):
        services.create_round(
            hr,
            job_profile_id=profile.id,
            title="x",
            openings=1,
            opens_on=clock.today(),
            closes_on=clock.today() - timedelta(days=1),
        )


def test_thresholds_out_of_order_are_refused(app_ctx, hr, competencies):
    profile = competencies.job_profile()
    with pytest.raises(Invalid, match="thresholds"):
        services.create_round(
            hr,
            job_profile_id=profile.id,
            title="x",
            openings=1,
            opens_on=clock.today(),
            closes_on=clock.today(),
            thresholds=(300, 350, 250),
        )


def test_a_round_does_not_open_with_fewer_than_two_assessors(app_ctx, hr, competencies, make_user):
    hiring_round, _, _ = _draft(hr, competencies)
    services.add_question(hr, hiring_round, "Why this job?")
    services.add_panel_member(hr, hiring_round, make_user())
    with pytest.raises(Conflict, match="at least 2 assessors"):
        services.open_round(hr, hiring_round)
    assert hiring_round.status == RoundStatus.DRAFT


def test_a_round_does_not_open_without_a_rubric(app_ctx, hr, competencies, make_user):
    hiring_round, _, _ = _draft(hr, competencies, requirements=False)
    _ready(hiring_round, hr, make_user)
    with pytest.raises(Conflict, match="no rubric"):
        services.open_round(hr, hiring_round)


def test_a_round_does_not_open_without_a_question(app_ctx, hr, competencies, make_user):
    hiring_round, _, _ = _draft(hr, competencies)
    for _ in range(2):
        services.add_panel_member(hr, hiring_round, make_user())
    with pytest.raises(Conflict, match="question"):
        services.open_round(hr, hiring_round)


def test_opening_copies_the_rubric_so_later_profile_edits_do_not_change_it(
    app_ctx, hr, competencies, make_user
):
    hiring_round, profile, skill = _draft(hr, competencies)
    _ready(hiring_round, hr, make_user)
    services.open_round(hr, hiring_round)
    assert hiring_round.status == RoundStatus.OPEN
    requirement = db.session.get(JobProfileRequirement, (profile.id, skill.id))
    requirement.weight = 50
    db.session.flush()
    item = db.session.get(RubricItem, (hiring_round.id, skill.id))
    assert (item.weight, item.min_level) == (2, 3)
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "hiring_round.open" in actions


def test_questions_are_frozen_once_the_round_opens(app_ctx, hiring, hr):
    hiring_round = hiring.round(RoundStatus.OPEN)
    with pytest.raises(Conflict):
        services.add_question(hr, hiring_round, "Another?")


def test_the_same_person_is_not_added_to_the_panel_twice(app_ctx, hiring, hr, make_user):
    hiring_round = hiring.round(RoundStatus.DRAFT, assessors=0)
    person = make_user()
    services.add_panel_member(hr, hiring_round, person)
    with pytest.raises(Conflict, match="already on the panel"):
        services.add_panel_member(hr, hiring_round, person)


def test_cancelling_needs_a_reason(app_ctx, hiring, hr):
    hiring_round = hiring.round(RoundStatus.OPEN)
    with pytest.raises(Invalid):
        services.cancel_round(hr, hiring_round, "  ")
    services.cancel_round(hr, hiring_round, "Budget withdrawn")
    assert hiring_round.status == RoundStatus.CANCELLED


def test_a_draft_cannot_skip_to_assessment(app_ctx, hiring, hr):
    hiring_round = hiring.round(RoundStatus.DRAFT)
    with pytest.raises(Conflict):
        services.start_assessment(hr, hiring_round)


def test_assessment_does_not_start_while_applications_wait_for_screening(app_ctx, hiring, hr):
    hiring_round = hiring.round(RoundStatus.CLOSED)
    hiring.application(hiring_round)
    with pytest.raises(Conflict, match="1 still to screen"):
        services.start_assessment(hr, hiring_round)
    assert hiring_round.status == RoundStatus.CLOSED


def test_starting_assessment_gives_each_screened_in_application_two_assessors(
    app_ctx, hiring, hr, people
):
    hiring_round = hiring.round(RoundStatus.CLOSED, assessors=3)
    applications = [
        hiring.application(hiring_round, ApplicationStatus.SCREENED_IN) for _ in range(5)
    ]
    out = hiring.application(hiring_round, ApplicationStatus.SCREENED_OUT)
    services.start_assessment(hr, hiring_round)
    assert hiring_round.status == RoundStatus.ASSESSING
    rows = db.session.execute(
        sa.select(Assessment.application_id, Assessment.assessor_id).where(
            Assessment.round_id == hiring_round.id
        )
    ).all()
    by_application: dict[int, set[int]] = {}
    for application_id, assessor_id in rows:
        by_application.setdefault(application_id, set()).add(assessor_id)
    assert set(by_application) == {a.id for a in applications}
    assert all(len(assessors) == 2 for assessors in by_application.values())
    assert out.id not in by_application
    load = [sum(1 for _, a in rows if a == u.id) for u in hiring.panel(hiring_round)]
    assert max(load) - min(load) <= 1


def test_nobody_is_assigned_their_own_application(app_ctx, hiring, hr, people):
    hiring_round = hiring.round(RoundStatus.CLOSED, assessors=2)
    employee, user = people.employee_user()
    hiring.panel_member(hiring_round, user)
    own = hiring.application(hiring_round, ApplicationStatus.SCREENED_IN, employee_id=employee.id)
    services.start_assessment(hr, hiring_round)
    assessors = db.session.scalars(
        sa.select(Assessment.assessor_id).where(Assessment.application_id == own.id)
    ).all()
    assert len(assessors) == 2 and user.id not in assessors


def _move(client, hiring_round, to: str, **more):
    return client.post(f"/hiring/rounds/{hiring_round.id}/move", data={"to": to, **more})


@pytest.mark.parametrize(
    ("status", "to", "question", "button"),
    [
        (RoundStatus.ASSESSING, "ranked", "Lock the ranking?", "Lock the ranking"),
        (RoundStatus.RANKED, "completed", "Complete the round?", "Complete the round"),
        (RoundStatus.OPEN, "cancelled", "Cancel the round?", "Cancel the round"),
    ],
)
def test_moves_that_cannot_be_undone_are_confirmed_first(
    client_as, hiring, hr, status, to, question, button
):
    hiring_round = hiring.round(status)
    page = _move(client_as(hr), hiring_round, to)
    assert page.status_code == 200
    assert question in page.text and f">{button}</button>" in page.text
    assert 'name="confirmed" value="yes"' in page.text
    db.session.refresh(hiring_round)
    assert hiring_round.status == status  # nothing moved yet


def test_completing_warns_of_unfilled_openings_and_waiting_offers(client_as, hiring, hr):
    hiring_round = hiring.round(RoundStatus.RANKED, openings=2)
    hiring.application(hiring_round, ApplicationStatus.OFFERED)
    page = _move(client_as(hr), hiring_round, "completed")
    assert "2 of 2 openings are still unfilled: 0 people were hired from this round." in page.text
    assert "1 offer is still waiting for an answer." in page.text


def test_closing_early_is_confirmed_and_closing_on_the_day_is_not(client_as, hiring, hr):
    client = client_as(hr)
    early = hiring.round(RoundStatus.OPEN)
    early.closes_on = clock.today() + timedelta(days=3)
    db.session.flush()
    page = _move(client, early, "closed")
    assert page.status_code == 200 and "Close the round early?" in page.text
    assert "3 days from now" in page.text
    assert _move(client, early, "closed", confirmed="yes").status_code == 302
    db.session.refresh(early)
    assert early.status == RoundStatus.CLOSED
    due = hiring.round(RoundStatus.OPEN)
    due.closes_on = clock.today()
    db.session.flush()
    assert _move(client, due, "closed").status_code == 302


def test_cancelling_is_set_apart_and_takes_its_reason_on_the_confirmation(client_as, hiring, hr):
    hiring_round = hiring.round(RoundStatus.OPEN)
    client = client_as(hr)
    page = client.get(f"/hiring/rounds/{hiring_round.id}").text
    steps = page[page.index('id="steps-heading"') : page.index('id="cancel-heading"')]
    assert "Cancel the round" not in steps  # not beside the main action
    confirm = _move(client, hiring_round, "cancelled")
    assert 'for="reason">Reason for cancelling' in confirm.text
    refused = _move(client, hiring_round, "cancelled", confirmed="yes", reason=" ")
    assert refused.status_code == 422
    # Said on the confirmation itself, with its error summary, the button still there.
    assert "There is a problem" in refused.text and "usa-error-message" in refused.text
    assert ">Cancel the round</button>" in refused.text
    done = _move(client, hiring_round, "cancelled", confirmed="yes", reason="Budget withdrawn")
    assert done.status_code == 302
    db.session.refresh(hiring_round)
    assert hiring_round.status == RoundStatus.CANCELLED
