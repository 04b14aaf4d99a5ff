"""Screening with reasons; blind, independent scoring; spreads settled by consensus or a third."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Forbidden, Invalid
from civicladder.models import Notification
from hiring import assessment as scoring
from hiring import services
from hiring.models import ApplicationStatus, Assessment, RoundStatus


@pytest.fixture
def hr(make_user):
    return make_user({Role.HR})


# --- screening ---------------------------------------------------------------------------------


def test_screening_out_needs_a_reason(app_ctx, hiring, hr):
    application = hiring.application(hiring.round())
    with pytest.raises(Invalid, match="reason"):
        services.screen(hr, application, False, "")
    services.screen(hr, application, False, "No example of the safety competency at level 2.")
    assert application.status == ApplicationStatus.SCREENED_OUT
    assert application.screen_reason.startswith("No example")


def test_a_screening_decision_can_be_corrected_before_assessment(app_ctx, hiring, hr):
    application = hiring.application(hiring.round(RoundStatus.CLOSED))
    services.screen(hr, application, False, "Missed it")
    services.screen(hr, application, True)
    assert application.status == ApplicationStatus.SCREENED_IN
    assert application.screen_reason == ""


def test_screening_stops_once_assessment_starts(app_ctx, hiring, hr):
    application = hiring.application(hiring.round(RoundStatus.ASSESSING))
    with pytest.raises(Conflict):
        services.screen(hr, application, True)


def test_the_screen_out_form_without_a_reason_says_so(client_as, hiring, make_user):
    application = hiring.application(hiring.round())
    response = client_as(make_user({Role.HR})).post(
        f"/hiring/applications/{application.id}/screen", data={"decision": "out"}
    )
    assert response.status_code == 422
    assert "Give a reason" in response.text
    db.session.refresh(application)
    assert application.status == ApplicationStatus.SUBMITTED


def test_hr_screens_and_goes_on_to_the_next_waiting_application(client_as, hiring, make_user):
    hiring_round = hiring.round()
    first = hiring.application(hiring_round)
    second = hiring.application(hiring_round)
    client = client_as(make_user({Role.HR}))
    page = client.get(f"/hiring/applications/{first.id}").text
    assert 'name="then" value="next">Record and screen the next</button>' in page
    moved = client.post(
        f"/hiring/applications/{first.id}/screen", data={"decision": "in", "then": "next"}
    )
    assert moved.status_code == 302
    assert moved.headers["Location"] == f"/hiring/applications/{second.id}"
    assert "Record and screen the next" not in client.get(moved.headers["Location"]).text
    done = client.post(
        f"/hiring/applications/{second.id}/screen", data={"decision": "in", "then": "next"}
    )
    assert done.headers["Location"] == f"/hiring/rounds/{hiring_round.id}"


# --- scoring -----------------------------------------------------------------------------------


@pytest.fixture
def assessing(hiring):
    """A round under assessment: two assessors on one screened-in application."""
    hiring_round = hiring.round(RoundStatus.ASSESSING)
    first, second = hiring.panel(hiring_round)
    application = hiring.application(
        hiring_round,
        ApplicationStatus.SCREENED_IN,
        full_name="Zelda Quintanilla",
        email="zelda.q@example.test",
        sex="female",
        ethnicity="hispanic",
    )
    return {
        "round": hiring_round,
        "application": application,
        "first": first,
        "second": second,
        "a1": hiring.assessment(application, first),
        "a2": hiring.assessment(application, second),
        "rubric": hiring.rubric_ids(hiring_round),
    }


def test_every_rubric_competency_must_be_scored_1_to_5(app_ctx, assessing):
    c1, c2 = assessing["rubric"]
    with pytest.raises(Invalid, match="Score every competency"):
        scoring.submit_scores(assessing["first"], assessing["a1"], {c1: 3})
    with pytest.raises(Invalid):
        scoring.submit_scores(assessing["first"], assessing["a1"], {c1: 3, c2: 6})
    assert assessing["a1"].submitted_at is None


def test_scores_are_submitted_once_and_only_by_the_assigned_assessor(app_ctx, assessing):
    c1, c2 = assessing["rubric"]
    with pytest.raises(Forbidden):
        scoring.submit_scores(assessing["second"], assessing["a1"], {c1: 3, c2: 3})
    scoring.submit_scores(assessing["first"], assessing["a1"], {c1: 3, c2: 3})
    with pytest.raises(Conflict, match="already submitted"):
        scoring.submit_scores(assessing["first"], assessing["a1"], {c1: 4, c2: 4})


def test_an_application_is_assessed_when_both_agree(app_ctx, assessing):
    c1, c2 = assessing["rubric"]
    scoring.submit_scores(assessing["first"], assessing["a1"], {c1: 3, c2: 4})
    assert assessing["application"].status == ApplicationStatus.SCREENED_IN
    scoring.submit_scores(assessing["second"], assessing["a2"], {c1: 4, c2: 4})
    assert assessing["application"].status == ApplicationStatus.ASSESSED


def test_a_spread_of_two_holds_the_application_until_consensus(app_ctx, assessing, hr):
    c1, c2 = assessing["rubric"]
    scoring.submit_scores(assessing["first"], assessing["a1"], {c1: 2, c2: 4})
    scoring.submit_scores(assessing["second"], assessing["a2"], {c1: 4, c2: 4})
    application = assessing["application"]
    assert application.status == ApplicationStatus.SCREENED_IN
    with pytest.raises(Conflict, match="agree"):
        scoring.record_consensus(hr, application, c2, 4, "x")
    with pytest.raises(Invalid, match="reason"):
        scoring.record_consensus(hr, application, c1, 3, " ")
    scoring.record_consensus(hr, application, c1, 3, "Panel discussion: the example was partial.")
    assert application.status == ApplicationStatus.ASSESSED


def test_a_third_assessor_settles_a_spread(app_ctx, assessing, hiring, hr):
    c1, c2 = assessing["rubric"]
    third = hiring.panel_member(assessing["round"])
    scoring.submit_scores(assessing["first"], assessing["a1"], {c1: 1, c2: 4})
    application = assessing["application"]
    with pytest.raises(Conflict):
        scoring.add_third_assessor(hr, application, third)  # the second has not scored yet
    scoring.submit_scores(assessing["second"], assessing["a2"], {c1: 4, c2: 4})
    extra = scoring.add_third_assessor(hr, application, third)
    assert application.status == ApplicationStatus.SCREENED_IN
    told = db.session.scalar(sa.select(Notification).where(Notification.user_id == third.id))
    assert told.subject.endswith(f": {application.candidate_code}")
    assert told.link == f"/assess/rounds/{assessing['round'].id}/{extra.id}"
    scoring.submit_scores(third, extra, {c1: 3, c2: 4})
    assert application.status == ApplicationStatus.ASSESSED


def test_only_panel_members_can_be_added_as_third_assessor(app_ctx, assessing, make_user, hr):
    c1, c2 = assessing["rubric"]
    scoring.submit_scores(assessing["first"], assessing["a1"], {c1: 1, c2: 4})
    scoring.submit_scores(assessing["second"], assessing["a2"], {c1: 4, c2: 4})
    with pytest.raises(Invalid, match="panel"):
        scoring.add_third_assessor(hr, assessing["application"], make_user())


# --- what an assessor sees -----------------------------------------------------------------------


def test_the_queue_shows_only_own_assignments_by_code_and_no_identity(client_as, assessing, hiring):
    other = hiring.application(
        assessing["round"], ApplicationStatus.SCREENED_IN, full_name="Other Person"
    )
    hiring.assessment(other, assessing["second"])
    client = client_as(assessing["first"])
    page = client.get(f"/assess/rounds/{assessing['round'].id}").text
    assert assessing["application"].candidate_code in page
    assert other.candidate_code not in page
    _assert_blind(page, assessing["application"])


def _assert_blind(html: str, application) -> None:
    lowered = html.lower()
    for secret in (application.full_name, application.email, "zelda", "quintanilla"):
        assert secret.lower() not in lowered
    for word in ("hispanic", "female", "self-identification", "employee_id"):
        assert word not in lowered


def test_the_scoring_page_carries_no_candidate_identity(client_as, assessing, people):
    employee = people.employee(first_name="Zelda", last_name="Quintanilla")
    assessing["application"].employee_id = employee.id
    db.session.flush()
    client = client_as(assessing["first"])
    url = f"/assess/rounds/{assessing['round'].id}/{assessing['a1'].id}"
    page = client.get(url).text
    assert assessing["application"].candidate_code in page
    assert "Behaviour at level 3" in page  # the scale's descriptors
    _assert_blind(page, assessing["application"])
    assert employee.employee_number not in page


def test_an_assessor_cannot_open_another_assessors_assignment(client_as, assessing):
    client = client_as(assessing["first"])
    url = f"/assess/rounds/{assessing['round'].id}/{assessing['a2'].id}"
    assert client.get(url).status_code == 404
    assert client.post(url, data={}).status_code == 404


def test_an_assessor_of_one_round_cannot_reach_another_rounds_queue(client_as, assessing, hiring):
    elsewhere = hiring.round(RoundStatus.ASSESSING)
    client = client_as(assessing["first"])
    assert client.get(f"/assess/rounds/{elsewhere.id}").status_code == 403
    url = f"/assess/rounds/{elsewhere.id}/{assessing['a1'].id}"
    assert client.get(url).status_code == 403


def test_other_scores_stay_hidden_until_own_are_submitted(client_as, assessing):
    c1, c2 = assessing["rubric"]
    client = client_as(assessing["first"])
    second = client_as(assessing["second"])
    base = f"/assess/rounds/{assessing['round'].id}"
    second.post(f"{base}/{assessing['a2'].id}", data={f"score_{c1}": "5", f"score_{c2}": "5"})
    before = client.get(f"{base}/{assessing['a1'].id}").text
    assert "Assessor 1" not in before
    response = client.post(
        f"{base}/{assessing['a1'].id}", data={f"score_{c1}": "4", f"score_{c2}": "5"}
    )
    assert response.status_code == 302
    after = client.get(f"{base}/{assessing['a1'].id}").text
    assert "Assessor 1" in after


def test_an_incomplete_score_sheet_is_refused_with_a_message(client_as, assessing):
    c1, _ = assessing["rubric"]
    client = client_as(assessing["first"])
    url = f"/assess/rounds/{assessing['round'].id}/{assessing['a1'].id}"
    response = client.post(url, data={f"score_{c1}": "4"})
    assert response.status_code == 422
    assert "Score every competency" in response.text
    row = db.session.scalar(sa.select(Assessment).where(Assessment.id == assessing["a1"].id))
    assert row.submitted_at is None


def test_an_internal_applicants_verified_competencies_are_shown_to_hr_not_assessors(
    client_as, assessing, people, competencies, make_user
):
    employee = people.employee()
    skill = competencies.competency(name="Chainsaw handling")
    competencies.evidence(employee, skill, 4)
    assessing["application"].employee_id = employee.id
    db.session.flush()
    hr_page = client_as(make_user({Role.HR})).get(
        f"/hiring/applications/{assessing['application'].id}"
    )
    assert "Chainsaw handling" in hr_page.text and "verified competencies" in hr_page.text
    client = client_as(assessing["first"])
    url = f"/assess/rounds/{assessing['round'].id}/{assessing['a1'].id}"
    assert "Chainsaw handling" not in client.get(url).text


def test_an_assessor_scores_and_goes_on_to_the_next_in_their_queue(client_as, assessing, hiring):
    c1, c2 = assessing["rubric"]
    more = hiring.application(assessing["round"], ApplicationStatus.SCREENED_IN)
    following = hiring.assessment(more, assessing["first"])
    client = client_as(assessing["first"])
    base = f"/assess/rounds/{assessing['round'].id}"
    first_page = client.get(f"{base}/{assessing['a1'].id}").text
    assert 'name="then" value="next">Submit and score the next</button>' in first_page
    scores = {f"score_{c1}": "4", f"score_{c2}": "3"}
    moved = client.post(f"{base}/{assessing['a1'].id}", data={**scores, "then": "next"})
    assert moved.status_code == 302 and moved.headers["Location"] == f"{base}/{following.id}"
    last_page = client.get(f"{base}/{following.id}").text
    assert "Submit and score the next" not in last_page  # nothing left after this one
    done = client.post(f"{base}/{following.id}", data={**scores, "then": "next"})
    assert done.status_code == 302 and done.headers["Location"] == base
