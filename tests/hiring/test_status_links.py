"""After applying: the status page shows its own link, "email me my links again" sends a fresh
link for each application under way (the same answer for any address, rate-limited), and the
application form's error summary lists every field in error, questions included."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from civicladder.audit import AuditEvent
from civicladder.db import db
from civicladder.extensions import limiter
from civicladder.models import OutboxMessage
from hiring.models import ApplicationStatus, RoundStatus

LINK = re.compile(r"/jobs/status/([A-Za-z0-9_-]+)")


def _outbox(address: str) -> list[OutboxMessage]:
    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.to_address == address)
        .order_by(OutboxMessage.id)
    ).all()


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_status_page_shows_its_own_link_with_a_copy_button(client, hiring, app):
    hiring.application(hiring.round(process_weeks=4), token="my-own-token")
    page = client.get("/jobs/status/my-own-token").text
    link = app.config["PUBLIC_URL"].rstrip("/") + "/jobs/status/my-own-token"
    assert f'value="{link}"' in page and "readonly" in page
    # The copy button is hidden until the script can copy (it works without JavaScript).
    assert re.search(r'<button[^>]*data-copy-target="status-link"[^>]*hidden', page)
    assert "We emailed it to the address you applied with" in page
    assert "What happens next" in page and "about 4 weeks after the closing date" in page


def test_a_candidate_has_a_new_link_emailed_for_each_application_under_way(client, hiring):
    address = "sam.reyes@example.test"
    first = hiring.application(hiring.round(title="Gardener"), token="old-one", email=address)
    second = hiring.application(hiring.round(title="Arborist"), token="old-two", email=address)
    hiring.application(
        hiring.round(title="Clerk"), ApplicationStatus.WITHDRAWN, token="old-3", email=address
    )
    response = client.post("/jobs/status-links", data={"email": " Sam.Reyes@Example.test "})
    assert response.status_code == 302
    messages = _outbox(address)
    assert sorted(m.subject for m in messages) == [
        "Your status link for Arborist",
        "Your status link for Gardener",
    ]
    for message in messages:
        assert "any link you had before no longer works" in message.body
        token = LINK.search(message.body).group(1)
        assert client.get(f"/jobs/status/{token}").status_code == 200
    assert client.get("/jobs/status/old-one").status_code == 404
    assert client.get("/jobs/status/old-two").status_code == 404
    assert client.get("/jobs/status/old-3").status_code == 200  # withdrawn: left alone
    reissued = {e.object_id for e in _events("application.status_link_reissued")}
    assert reissued == {str(first.id), str(second.id)}


def test_the_answer_is_the_same_whether_or_not_the_address_applied(client, hiring):
    hiring.application(hiring.round(), email="known@example.test")
    answers = []
    for address in ("known@example.test", "stranger@example.test"):
        response = client.post("/jobs/status-links", data={"email": address}, follow_redirects=True)
        assert response.status_code == 200
        answers.append(response.text.replace(address, "ADDRESS"))
    assert answers[0] == answers[1]
    assert "we have emailed a new status link" in answers[0]
    assert len(_outbox("known@example.test")) == 1
    assert _outbox("stranger@example.test") == []


@pytest.mark.parametrize("email", ["", "not-an-address"])
def test_a_missing_or_malformed_address_is_refused_on_the_form(client, email):
    response = client.post("/jobs/status-links", data={"email": email})
    assert response.status_code == 422
    assert "There is a problem" in response.text and 'href="#email"' in response.text


@pytest.fixture
def link_limits(app, monkeypatch):
    def set_limits(per_address: str = "10000 per minute", per_email: str = "10000 per minute"):
        monkeypatch.setitem(app.config, "STATUS_LINK_LIMIT_PER_ADDRESS", per_address)
        monkeypatch.setitem(app.config, "STATUS_LINK_LIMIT_PER_EMAIL", per_email)
        monkeypatch.setattr(limiter, "enabled", True)

    limiter.reset()
    yield set_limits
    limiter.reset()


def _ask(app, email: str, address: str):
    return app.test_client().post(
        "/jobs/status-links", data={"email": email}, environ_base={"REMOTE_ADDR": address}
    )


def test_asking_for_links_is_rate_limited_per_address_and_per_email(app, hiring, link_limits):
    hiring.application(hiring.round(), email="known@example.test")
    link_limits(per_email="2 per hour")
    for _ in range(2):
        assert _ask(app, "known@example.test", "192.0.2.1").status_code == 302
    refused = _ask(app, "known@example.test", "192.0.2.2")
    assert refused.status_code == 429 and "Nothing was sent this time" in refused.text
    # An address that never applied counts the same, so the limit says nothing about it.
    for _ in range(2):
        assert _ask(app, "stranger@example.test", "192.0.2.3").status_code == 302
    assert _ask(app, "stranger@example.test", "192.0.2.4").status_code == 429
    assert len(_outbox("known@example.test")) == 2
    limiter.reset()
    link_limits(per_address="1 per hour")
    assert _ask(app, "a@example.test", "198.51.100.7").status_code == 302
    assert _ask(app, "b@example.test", "198.51.100.7").status_code == 429


def _form(hiring_round, **overrides):
    data = {"full_name": "Ada Rivera", "email": "ada@example.test"}
    for question in hiring_round.questions:
        data[f"answer_{question.id}"] = "I organised the volunteers."
    return data | overrides


def test_the_error_summary_lists_every_field_in_error_questions_included(client, hiring):
    hiring_round = hiring.round(questions=3)
    first, second, third = hiring_round.questions
    data = _form(hiring_round, full_name="", email="")
    data[f"answer_{first.id}"] = ""
    data[f"answer_{third.id}"] = "   "
    response = client.post(f"/jobs/{hiring_round.id}", data=data)
    assert response.status_code == 422
    summary = re.search(r"data-error-summary.*?</ul>", response.text, re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets == ["full_name", "email", f"answer_{first.id}", f"answer_{third.id}"]
    assert f"answer_{second.id}" not in summary
    assert "Question 1: Answer this question." in summary


def test_a_question_left_blank_alone_is_in_the_summary_once(client, hiring):
    hiring_round = hiring.round(questions=2)
    first, _ = hiring_round.questions
    response = client.post(
        f"/jobs/{hiring_round.id}", data=_form(hiring_round, **{f"answer_{first.id}": ""})
    )
    assert response.status_code == 422
    summary = re.search(r"data-error-summary.*?</ul>", response.text, re.S).group(0)
    assert re.findall(r'href="#([^"]+)"', summary) == [f"answer_{first.id}"]
    assert summary.count("<li>") == 1


def test_a_closed_round_says_so_in_the_summary(client, hiring):
    hiring_round = hiring.round(RoundStatus.CLOSED)
    response = client.post(f"/jobs/{hiring_round.id}", data=_form(hiring_round))
    assert response.status_code == 409
    assert "This round is not taking applications." in response.text
