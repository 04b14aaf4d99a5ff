"""Time in stage: how long a round's applications waited at each step, from the moves the audit
log holds, on the round's page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicladder import audit, clock
from civicladder.access import Role
from civicladder.db import db
from hiring import services, stages
from hiring.models import ApplicationStatus, RoundStatus

S = ApplicationStatus
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def at(monkeypatch):
    """Set the time the app believes it is."""

    def set_time(moment: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    return set_time


@pytest.fixture
def screened_round(app_ctx, hiring, make_user, at):
    """Three applications submitted at START, START+1 day and START+2 days; on day 4 HR screens
    the first in and the second out; the third still waits. Now is day 6."""
    hr = make_user({Role.HR})
    hiring_round = hiring.round(RoundStatus.CLOSED)
    applications = []
    for day in range(3):
        at(START + timedelta(days=day))
        application = hiring.application(hiring_round)
        audit.record(None, "application.submitted", application)
        db.session.flush()  # an event takes its time when it is written
        applications.append(application)
    at(START + timedelta(days=4))
    services.screen(hr, applications[0], True)
    services.screen(hr, applications[1], False, "No example at the minimum level.")
    db.session.flush()
    at(START + timedelta(days=6))
    return hiring_round, hr


def test_each_stage_says_how_long_applications_waited_and_who_waits_now(screened_round):
    hiring_round, _ = screened_round
    figures = {wait.status: wait for wait in stages.round_waits(hiring_round.id)}
    assert list(figures) == list(stages.WAITING)
    submitted = figures[S.SUBMITTED]
    # Screened after 4 and 3 days; the third has waited 4 days so far.
    assert (submitted.passed, submitted.median_days, submitted.longest_days) == (2, 3.5, 4.0)
    assert (submitted.waiting_now, submitted.waiting_longest_days) == (1, 4.0)
    # The one screened in waits for assessment since day 4; the one screened out waits for
    # nothing (a final status).
    screened_in = figures[S.SCREENED_IN]
    assert (screened_in.passed, screened_in.median_days) == (0, None)
    assert (screened_in.waiting_now, screened_in.waiting_longest_days) == (1, 2.0)
    assert all(figures[s].waiting_now == 0 for s in (S.ASSESSED, S.SHORTLISTED, S.OFFERED))


def test_the_rounds_page_shows_the_time_in_each_stage(screened_round, client_as):
    hiring_round, hr = screened_round
    page = client_as(hr).get(f"/hiring/rounds/{hiring_round.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    section = text[text.index('id="stages-heading"') :]
    start = section.index(">Submitted<")
    row = section[start : section.index("</tr>", start)]
    assert "screening" in row and "3.5 days" in row and "4.0 days" in row


def test_a_draft_round_has_no_stages_to_show(hiring, client_as, make_user):
    hr = make_user({Role.HR})
    draft = hiring.round(RoundStatus.DRAFT)
    page = client_as(hr).get(f"/hiring/rounds/{draft.id}")
    assert page.status_code == 200 and "Time in each stage" not in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (None, "–"),
        (0.01, "under an hour"),
        (1 / 24, "1 hour"),
        (0.5, "12 hours"),
        (3.25, "3.2 days"),
        (12.6, "13 days"),
    ],
)
def test_a_wait_reads_as_people_say_it(days, words):
    assert stages.wait_words(days) == words
