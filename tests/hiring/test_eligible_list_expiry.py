"""HR extends or shortens an eligible list after its round: within the bounds, with a reason,
audited, confirmed first, and the candidates still on the list told in their language."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from civicladder import clock
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Forbidden, Invalid
from civicladder.models import AuditEvent, OutboxMessage
from hiring import rules
from hiring.eligible import expiry
from hiring.eligible.models import EligibleList, EligibleListEntry
from hiring.models import ApplicationStatus, RoundStatus
from hiring.rules import Category

S = ApplicationStatus
TODAY = date(2027, 3, 10)
ESTABLISHED = date(2027, 1, 31)
EXPIRES = date(2028, 1, 31)
REASON = "A hiring freeze held back the vacancies this list was kept for."


@pytest.fixture
def hr(make_user):
    return make_user({Role.HR})


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def listed(hiring, today):
    """A list established on 31 Jan 2027 until 31 Jan 2028, holding a candidate available,
    one taken off at their request and one under offer, in that order."""
    hiring_round = hiring.round(RoundStatus.COMPLETED, title="Arborist")
    available = hiring.application(hiring_round, S.ASSESSED)
    removed = hiring.application(hiring_round, S.ASSESSED)
    offered = hiring.application(hiring_round, S.OFFERED)
    row = hiring.eligible_list(
        hiring_round, [(a, Category.BEST) for a in (available, removed, offered)]
    )
    row.established_on, row.expires_on = ESTABLISHED, EXPIRES
    entry = db.session.get(EligibleListEntry, removed.id)
    entry.removed_at, entry.removal_reason = clock.now(), "At the candidate's request."
    db.session.flush()
    row.available, row.removed, row.offered = available, removed, offered
    return row


def _events() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "eligible_list.expiry_changed")
        )
    )


def _mail() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


# --- the service -------------------------------------------------------------------------------


def test_hr_extends_a_list_by_months_and_those_still_on_it_are_told(app_ctx, hr, listed):
    change = expiry.change_expiry(hr, listed, months=18, reason=REASON)
    assert listed.expires_on == date(2028, 7, 31) == change.new
    assert (change.old, change.shortened, change.candidates) == (EXPIRES, False, 1)
    (event,) = _events()
    assert event.actor_id == hr.id and event.object_id == str(listed.id)
    assert event.before == {"expires_on": "2028-01-31"}
    assert event.after == {"expires_on": "2028-07-31", "told": 1}
    assert event.reason == REASON
    # Only the candidate the list may still offer a job hears of it: not the one who left,
    # nor the one under offer.
    (told,) = _mail()
    assert told.to_address == listed.available.email
    assert told.subject == "The eligible list for Arborist now lasts until 31 Jul 2028"
    assert "extended" in told.body and listed.available.candidate_code in told.body
    assert "instead of 31 Jan 2028" in told.body and "/jobs" in told.body


def test_hr_shortens_a_list_to_a_date_and_the_candidates_hear_it_ends_sooner(app_ctx, hr, listed):
    change = expiry.change_expiry(hr, listed, expires_on=date(2027, 6, 30), reason=REASON)
    assert change.shortened and listed.expires_on == date(2027, 6, 30)
    (told,) = _mail()
    assert told.subject == "The eligible list for Arborist now ends on 30 Jun 2027"
    assert "shortened" in told.body and "apply again" in told.body


def test_today_as_the_last_day_closes_the_list_at_the_end_of_the_day(
    app_ctx, hr, listed, monkeypatch
):
    expiry.change_expiry(hr, listed, expires_on=TODAY, reason="The job profile is retired.")
    assert listed.is_active(TODAY) and not listed.is_active(TODAY + timedelta(days=1))


def test_the_longest_a_list_lasts_is_48_months_from_its_establishment(app_ctx, hr, listed):
    assert expiry.latest_expiry(listed) == rules.add_months(ESTABLISHED, 48)
    expiry.change_expiry(hr, listed, months=48, reason=REASON)
    assert listed.expires_on == date(2031, 1, 31)


@pytest.mark.parametrize(
    ("wanted", "field", "words"),
    [
        ({}, "months", "as a number of months from its establishment or as a date"),
        ({"months": 12, "expires_on": date(2027, 9, 1)}, "expires_on", "not both"),
        ({"months": 0}, "months", "between 1 and 48 months"),
        ({"months": 49}, "months", "between 1 and 48 months"),
        ({"expires_on": TODAY - timedelta(days=1)}, "expires_on", "cannot be before today"),
        ({"expires_on": date(2031, 2, 1)}, "expires_on", "31 Jan 2031 at the latest"),
        ({"months": 12}, "months", "already ends on 31 Jan 2028"),
        ({"months": 18, "reason": "   "}, "reason", "Give the reason"),
        ({"months": 18, "reason": "x" * 2001}, "reason", "under 2,000 characters"),
    ],
)
def test_a_change_out_of_bounds_or_without_a_reason_is_refused_and_nothing_is_written(
    app_ctx, hr, listed, wanted, field, words
):
    wanted = {"reason": REASON} | wanted
    with pytest.raises(Invalid, match=words) as refused:
        expiry.change_expiry(hr, listed, **wanted)
    assert refused.value.field == field
    db.session.refresh(listed)
    assert listed.expires_on == EXPIRES and _events() == [] and _mail() == []


def test_an_expired_list_is_kept_as_it_was(app_ctx, hr, listed, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: EXPIRES + timedelta(days=1))
    with pytest.raises(Conflict, match="expired on 31 Jan 2028"):
        expiry.change_expiry(hr, listed, months=30, reason=REASON)
    assert listed.expires_on == EXPIRES and _events() == []


def test_only_hr_changes_how_long_a_list_lasts(app_ctx, make_user, listed):
    with pytest.raises(Forbidden):
        expiry.change_expiry(make_user({Role.MANAGER}), listed, months=18, reason=REASON)
    assert listed.expires_on == EXPIRES


def test_a_candidate_who_applied_in_spanish_is_told_in_spanish(app_ctx, hr, listed):
    listed.available.locale = "es"
    db.session.flush()
    expiry.change_expiry(hr, listed, expires_on=date(2027, 6, 30), reason=REASON)
    (told,) = _mail()
    assert told.subject == "La lista de elegibles para Arborist ahora termina el 30 jun 2027"
    assert f"(solicitud {listed.available.candidate_code})" in told.body
    assert "en lugar del 31 ene 2028" in told.body
    assert "Abrir en CivicLadder: " in told.body


# --- HR's pages --------------------------------------------------------------------------------


def test_hr_changes_the_list_from_its_page_after_confirming(app_ctx, client_as, hr, listed):
    client = client_as(hr)
    page = client.get(f"/hiring/eligible-lists/{listed.id}")
    assert "Change how long the list lasts" in page.text
    assert "until 31 Jan 2031 at the latest" in page.text
    url = f"/hiring/eligible-lists/{listed.id}/expiry"
    asked = client.post(url, data={"expires_on": "2027-06-30", "reason": REASON})
    assert asked.status_code == 200 and "Shorten the eligible list?" in asked.text
    assert "ends the candidates' standing on it sooner" in asked.text
    assert "1 candidate is still available on the list" in asked.text
    db.session.refresh(listed)
    assert listed.expires_on == EXPIRES and _events() == [] and _mail() == []
    done = client.post(
        url,
        data={"expires_on": "2027-06-30", "months": "", "reason": REASON, "confirmed": "yes"},
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert "The list now ends on 30 Jun 2027. 1 candidate still on it was emailed" in done.text
    db.session.refresh(listed)
    assert listed.expires_on == date(2027, 6, 30) and len(_events()) == 1
    # The page keeps the change, with who made it and why.
    assert REASON in done.text and "Changes to the list's last day" in done.text


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"months": "18"}, "Give the reason for the change"),
        ({"months": "ten", "reason": REASON}, "Not a valid integer value"),
        ({"expires_on": "2027-02-30", "reason": REASON}, "2027-02-30 is not a real date."),
        ({"months": "60", "reason": REASON}, "between 1 and 48 months"),
        ({"expires_on": "2027-03-01", "reason": REASON, "confirmed": "yes"}, "before today"),
    ],
)
def test_bad_input_is_shown_on_the_lists_page_and_nothing_is_written(
    app_ctx, client_as, hr, listed, data, words
):
    answer = client_as(hr).post(f"/hiring/eligible-lists/{listed.id}/expiry", data=data)
    assert answer.status_code == 422
    assert "There is a problem" in answer.text and words in answer.text
    db.session.refresh(listed)
    assert listed.expires_on == EXPIRES and _events() == [] and _mail() == []


def test_an_expired_lists_page_offers_no_change_and_the_route_refuses_one(
    app_ctx, client_as, hr, listed, monkeypatch
):
    monkeypatch.setattr(clock, "today", lambda: EXPIRES + timedelta(days=1))
    client = client_as(hr)
    assert (
        "Change how long the list lasts"
        not in client.get(f"/hiring/eligible-lists/{listed.id}").text
    )
    refused = client.post(
        f"/hiring/eligible-lists/{listed.id}/expiry", data={"months": "30", "reason": REASON}
    )
    assert refused.status_code == 409
    assert db.session.get(EligibleList, listed.id).expires_on == EXPIRES


def test_a_list_that_is_not_there_is_not_found(app_ctx, client_as, hr):
    answer = client_as(hr).post(
        "/hiring/eligible-lists/999999/expiry", data={"months": "18", "reason": REASON}
    )
    assert answer.status_code == 404
