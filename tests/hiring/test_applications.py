"""Applying without an account, and the private status link (employees: see
test_internal_applications)."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from civicladder import clock
from civicladder.db import db
from civicladder.security import token_hash
from hiring.models import (
    Application,
    ApplicationStatus,
    DemographicResponse,
    RoundStatus,
)


def _form(hiring_round, **overrides):
    data = {"full_name": "Ada Rivera", "email": "Ada.Rivera@example.test", "work_sample": "My log"}
    for question in hiring_round.questions:
        data[f"answer_{question.id}"] = "I organised the volunteers."
    data.update(overrides)
    return data


def _applications(round_id):
    return db.session.scalars(sa.select(Application).where(Application.round_id == round_id)).all()


def test_public_jobs_page_lists_only_rounds_taking_applications(client, hiring):
    live = hiring.round(RoundStatus.OPEN, title="Arborist")
    hiring.round(RoundStatus.DRAFT, title="Secret draft")
    hiring.round(RoundStatus.CLOSED, title="Closed one")
    hiring.round(RoundStatus.OPEN, title="Not yet", opens_on=clock.today() + timedelta(days=3))
    page = client.get("/jobs").text
    assert "Arborist" in page and f"/jobs/{live.id}" in page
    assert "Secret draft" not in page and "Closed one" not in page and "Not yet" not in page


def test_a_draft_round_has_no_public_page(client, hiring):
    assert client.get(f"/jobs/{hiring.round(RoundStatus.DRAFT).id}").status_code == 404


def test_the_apply_form_asks_for_no_degree(client, hiring):
    page = client.get(f"/jobs/{hiring.round().id}").text
    fields = set(re.findall(r'name="([^"]+)"', page))
    assert {"full_name", "email", "work_sample", "sex", "ethnicity"} <= fields
    credentials = ("degree", "diploma", "education", "school", "gpa", "licen")
    assert [f for f in fields if any(word in f.lower() for word in credentials)] == []


def test_a_candidate_applies_and_lands_on_their_private_status_link(client, hiring):
    hiring_round = hiring.round()
    response = client.post(
        f"/jobs/{hiring_round.id}", data=_form(hiring_round, sex="female", ethnicity="asian")
    )
    assert response.status_code == 302
    token = response.headers["Location"].rsplit("/", 1)[1]
    (application,) = _applications(hiring_round.id)
    assert application.email == "ada.rivera@example.test"
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.status_token_hash == token_hash(token)
    assert token not in application.status_token_hash
    assert len(application.candidate_code) == 8
    demographics = db.session.get(DemographicResponse, application.id)
    assert (demographics.sex, demographics.ethnicity) == ("female", "asian")
    status = client.get(f"/jobs/status/{token}")
    assert status.status_code == 200
    assert application.candidate_code in status.text and "Submitted" in status.text


def test_self_identification_is_optional_and_nothing_is_stored_when_declined(client, hiring):
    hiring_round = hiring.round()
    assert client.post(f"/jobs/{hiring_round.id}", data=_form(hiring_round)).status_code == 302
    (application,) = _applications(hiring_round.id)
    assert db.session.get(DemographicResponse, application.id) is None


def test_a_second_application_with_the_same_email_is_refused_politely(client, hiring):
    hiring_round = hiring.round()
    client.post(f"/jobs/{hiring_round.id}", data=_form(hiring_round))
    again = client.post(
        f"/jobs/{hiring_round.id}", data=_form(hiring_round, email="ADA.RIVERA@example.test")
    )
    assert again.status_code == 422
    assert "already in for this round" in again.text
    assert len(_applications(hiring_round.id)) == 1


def test_a_missing_answer_is_named_and_nothing_is_written(client, hiring):
    hiring_round = hiring.round(questions=2)
    second = hiring_round.questions[1]
    response = client.post(
        f"/jobs/{hiring_round.id}", data=_form(hiring_round, **{f"answer_{second.id}": " "})
    )
    assert response.status_code == 422
    assert "Answer every question" in response.text
    assert 'aria-invalid="true"' in response.text
    assert _applications(hiring_round.id) == []


def test_a_closed_round_refuses_applications(client, hiring):
    hiring_round = hiring.round(RoundStatus.CLOSED)
    response = client.post(f"/jobs/{hiring_round.id}", data=_form(hiring_round))
    assert response.status_code == 409
    assert "not taking applications" in response.text
    assert _applications(hiring_round.id) == []


def test_a_round_past_its_closing_date_refuses_applications(client, hiring):
    today = clock.today()
    hiring_round = hiring.round(
        opens_on=today - timedelta(days=20), closes_on=today - timedelta(days=1)
    )
    assert client.post(f"/jobs/{hiring_round.id}", data=_form(hiring_round)).status_code == 409


def test_a_tampered_status_token_is_not_found(client, hiring):
    hiring_round = hiring.round()
    hiring.application(hiring_round, token="the-real-token")
    response = client.get("/jobs/status/the-real-tokeN")
    assert response.status_code == 404
    assert "status link is not valid" in response.text
    assert client.post("/jobs/status/forged/withdraw").status_code == 404


def test_a_candidate_withdraws_through_the_status_link(client, hiring):
    hiring_round = hiring.round()
    application = hiring.application(hiring_round, token="mine")
    confirm = client.get("/jobs/status/mine/withdraw")
    assert "cannot be undone" in confirm.text
    db.session.refresh(application)
    assert application.status == ApplicationStatus.SUBMITTED
    assert client.post("/jobs/status/mine/withdraw").status_code == 302
    db.session.refresh(application)
    assert application.status == ApplicationStatus.WITHDRAWN
    assert client.post("/jobs/status/mine/withdraw").status_code == 409


def _outbox(address):
    from civicladder.models import OutboxMessage

    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.to_address == address)
        .order_by(OutboxMessage.id)
    ).all()


def test_the_candidate_is_emailed_their_status_link(client, hiring):
    hiring_round = hiring.round(title="Tree climber")
    response = client.post(f"/jobs/{hiring_round.id}", data=_form(hiring_round))
    token = response.headers["Location"].rsplit("/", 1)[1]
    (message,) = _outbox("ada.rivera@example.test")
    assert "Tree climber" in message.subject
    assert f"/jobs/status/{token}" in message.body


def test_a_refused_application_sends_no_email(client, hiring):
    hiring_round = hiring.round()
    client.post(f"/jobs/{hiring_round.id}", data=_form(hiring_round, full_name=""))
    assert _outbox("ada.rivera@example.test") == []


def test_the_candidate_hears_the_screening_reason_but_not_internal_steps(
    app_ctx, hiring, make_user
):
    from civicladder.access import Role
    from hiring import services

    hr = make_user({Role.HR})
    application = hiring.application(hiring.round(title="Gardener"), email="sam@example.test")
    services.screen(hr, application, False, "No example of safe equipment use.")
    (message,) = _outbox("sam@example.test")
    assert "No example of safe equipment use." in message.body
    services.screen(hr, application, True)
    assert len(_outbox("sam@example.test")) == 2


def test_hr_finds_an_application_by_code_and_by_name_only_after_ranking(
    client_as, hiring, make_user
):
    from civicladder.access import Role

    hiring_round = hiring.round(RoundStatus.CLOSED)
    wanted = hiring.application(hiring_round, candidate_code="FIND2ME9", full_name="Wanda Sought")
    other = hiring.application(hiring_round, candidate_code="OTHER234", full_name="Otto Else")
    client = client_as(make_user({Role.HR}))
    page = client.get(f"/hiring/rounds/{hiring_round.id}?q=find2").text
    assert wanted.candidate_code in page and other.candidate_code not in page
    by_name = client.get(f"/hiring/rounds/{hiring_round.id}?q=Wanda").text
    assert wanted.candidate_code not in by_name  # names are not searchable before ranking
