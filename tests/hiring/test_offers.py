"""Offers with their terms, answered online: accept, decline with a reason, or let lapse."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from civicladder import clock
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Invalid
from civicladder.models import AuditEvent, Notification, OutboxMessage
from hiring import jobs as hiring_jobs
from hiring import offers
from hiring.models import ApplicationStatus, RoundStatus
from hiring.offers import answers
from hiring.offers.models import Offer, OfferStatus
from tests.hiring.factories import offer_form, offer_terms

S = ApplicationStatus
TOKEN = "offer-test-token"


@pytest.fixture
def hr(make_user):
    return make_user({Role.HR})


def _scored(hiring, hiring_round, status, mark: int, **kwargs):
    application = hiring.application(hiring_round, status, **kwargs)
    for judge in hiring.panel(hiring_round):
        hiring.assessment(application, judge, dict.fromkeys(hiring.rubric_ids(hiring_round), mark))
    return application


def _round(hiring, **overrides):
    values = {"pay_min_cents": 4_800_000, "pay_max_cents": 5_600_000} | overrides
    return hiring.round(RoundStatus.RANKED, **values)


def _offered(hiring, hr, *, token=TOKEN, **terms):
    hiring_round = _round(hiring)
    application = _scored(hiring, hiring_round, S.SHORTLISTED, 4, token=token)
    offer = offers.make_offer(hr, application, terms=offer_terms(**terms))
    return application, offer


def _mail_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.to_address == address)
            .order_by(OutboxMessage.id)
        )
    )


def _notices(user) -> list[str]:
    return list(
        db.session.scalars(sa.select(Notification.subject).where(Notification.user_id == user.id))
    )


def _later(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


# --- making an offer ---------------------------------------------------------------------------


def test_an_offer_keeps_its_terms_and_the_candidate_is_emailed(app, app_ctx, hiring, hr):
    application, offer = _offered(hiring, hr, salary_cents=5_000_050)
    assert application.status == S.OFFERED and offer.status == OfferStatus.PENDING
    assert (offer.grade, offer.salary_cents, offer.conditions) == (
        "Grade 7",
        5_000_050,
        "A background check.",
    )
    # Due at the end of the chosen day in the city's time zone.
    city = ZoneInfo(app.config["DISPLAY_TIMEZONE"])
    due = datetime.combine(clock.today() + timedelta(days=7), time(23, 59), tzinfo=city)
    assert offer.respond_by == due.astimezone(UTC)
    made = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "offer.made", AuditEvent.object_id == str(offer.id)
        )
    )
    assert made.after["salary_cents"] == 5_000_050 and made.actor_id == hr.id
    (mail,) = [m for m in _mail_to(application.email) if m.subject.startswith("Job offer")]
    assert "$50,000.50 a year" in mail.body and "status page" in mail.body


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"salary_cents": 6_000_000}, "salary"),  # above the posted range
        ({"grade": "  "}, "grade"),
        ({"answer_by": datetime(2020, 1, 1).date()}, "answer_by"),
        ({"starts_on": datetime(2020, 1, 1).date()}, "starts_on"),
        ({"conditions": "x" * 4001}, "conditions"),
    ],
)
def test_terms_out_of_bounds_are_refused_and_nothing_is_offered(app_ctx, hiring, hr, terms, field):
    application = _scored(hiring, _round(hiring), S.SHORTLISTED, 4)
    with pytest.raises(Invalid) as refused:
        offers.make_offer(hr, application, terms=offer_terms(**terms))
    assert refused.value.field == field
    assert application.status == S.SHORTLISTED
    assert offers.offer_of(application) is None


def test_the_confirmation_step_starts_from_the_posting_and_refuses_bad_terms_on_the_form(
    client_as, hiring, hr
):
    hiring_round = _round(hiring)
    application = _scored(hiring, hiring_round, S.SHORTLISTED, 4)
    client = client_as(hr)
    url = f"/hiring/applications/{application.id}/decision"
    asked = client.post(url, data={"to": "offered"})
    assert asked.status_code == 200
    assert 'value="48000.00"' in asked.text  # the bottom of the posted range
    assert f'value="{hiring_round.job_profile.code}"' in asked.text
    refused = client.post(url, data=offer_form(salary="99000"))
    assert refused.status_code == 422
    assert "within the posted pay range, $48,000 to $56,000 a year" in refused.text
    assert application.status == S.SHORTLISTED and offers.offer_of(application) is None
    done = client.post(url, data=offer_form())
    assert done.status_code == 302
    assert offers.offer_of(application).salary_cents == 5_200_000


# --- the candidate's answer --------------------------------------------------------------------


def test_the_candidate_sees_the_offer_and_its_letter_on_the_status_page(
    app_ctx, client, hiring, hr
):
    application, offer = _offered(hiring, hr)
    page = client.get(f"/jobs/status/{TOKEN}")
    assert "Your job offer" in page.text and "$52,000" in page.text
    assert "Accept the offer" in page.text and "Decline the offer" in page.text
    letter = client.get(f"/jobs/status/{TOKEN}/offer.pdf")
    assert letter.status_code == 200 and letter.mimetype == "application/pdf"
    assert letter.headers["Cache-Control"] == "no-store"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.data)).pages)
    assert application.full_name in text and "$52,000" in text and "Grade 7" in text
    assert "A background check." in text


def test_accepting_tells_hr_and_leaves_the_hire_to_hr(app_ctx, client, hiring, hr):
    application, offer = _offered(hiring, hr)
    with pytest.raises(Conflict, match="not accepted the offer"):
        offers.hire(
            hr,
            application,
            employee_number="E-OFFER-1",
            department_path="Parks",
            hire_date=clock.today(),
        )
    confirm = client.get(f"/jobs/status/{TOKEN}/offer/accept")
    assert confirm.status_code == 200 and "Yes, I accept the offer" in confirm.text
    assert offer.status == OfferStatus.PENDING  # nothing happens until confirmed
    done = client.post(f"/jobs/status/{TOKEN}/offer/accept")
    assert done.status_code == 302
    db.session.refresh(offer)
    assert offer.status == OfferStatus.ACCEPTED and offer.answered_at is not None
    assert application.status == S.OFFERED  # the hire is HR's to record
    assert any(s.startswith("Offer accepted") for s in _notices(hr))
    assert any(m.subject.startswith("You accepted") for m in _mail_to(application.email))
    again = client.post(f"/jobs/status/{TOKEN}/offer/decline", data={"reason": "Changed my mind"})
    assert again.status_code == 409 and "already accepted" in again.text


def test_declining_needs_a_reason_and_frees_the_opening_for_the_next_in_order(
    app_ctx, client, hiring, hr
):
    hiring_round = _round(hiring)
    best = _scored(hiring, hiring_round, S.SHORTLISTED, 5, token=TOKEN)
    well = _scored(hiring, hiring_round, S.SHORTLISTED, 3)
    offers.make_offer(hr, best, terms=offer_terms())
    with pytest.raises(Conflict):
        offers.check_offer(hr, well)  # the opening is taken
    empty = client.post(f"/jobs/status/{TOKEN}/offer/decline", data={"reason": "  "})
    assert empty.status_code == 422 and "Tell us why you are declining" in empty.text
    assert best.status == S.OFFERED
    reason = "I took a job nearer home."
    done = client.post(f"/jobs/status/{TOKEN}/offer/decline", data={"reason": reason})
    assert done.status_code == 302
    db.session.refresh(best)
    offer = offers.offer_of(best)
    assert best.status == S.DECLINED
    assert (offer.status, offer.decline_reason) == (OfferStatus.DECLINED, reason)
    assert any(s.startswith("Offer declined") for s in _notices(hr))
    offers.make_offer(hr, well, terms=offer_terms())
    assert well.status == S.OFFERED


def test_an_answer_after_the_deadline_is_refused_with_a_clear_message(
    app_ctx, client, hiring, hr, monkeypatch
):
    application, offer = _offered(hiring, hr)
    _later(monkeypatch, offer.respond_by + timedelta(minutes=1))
    page = client.get(f"/jobs/status/{TOKEN}")
    assert "has lapsed" in page.text and "Accept the offer" not in page.text
    refused = client.post(f"/jobs/status/{TOKEN}/offer/accept")
    assert refused.status_code == 409 and "deadline to answer this offer" in refused.text
    db.session.refresh(offer)
    assert offer.status == OfferStatus.PENDING and application.status == S.OFFERED


def test_withdrawing_under_offer_closes_the_offer_and_tells_hr(app_ctx, hiring, hr):
    from hiring import services

    application, offer = _offered(hiring, hr)
    services.withdraw(TOKEN)
    assert application.status == S.WITHDRAWN
    assert offer.status == OfferStatus.DECLINED
    assert any(s.startswith("Application withdrawn under offer") for s in _notices(hr))


def test_hr_recording_a_decline_closes_the_offer_too(app_ctx, hiring, hr):
    application, offer = _offered(hiring, hr)
    answers.accept(application)
    offers.record_decline(hr, application, "Phoned to say they stay where they are.")
    assert application.status == S.DECLINED
    assert offer.status == OfferStatus.DECLINED
    assert offer.decline_reason == "Phoned to say they stay where they are."


# --- lapsing -----------------------------------------------------------------------------------


def test_the_daily_run_lapses_overdue_offers_and_hr_offers_the_next_in_order(
    app_ctx, hiring, hr, monkeypatch
):
    hiring_round = _round(hiring)
    best = _scored(hiring, hiring_round, S.SHORTLISTED, 5)
    well = _scored(hiring, hiring_round, S.SHORTLISTED, 3)
    offers.make_offer(hr, best, terms=offer_terms())
    other, not_due = _offered(
        hiring, hr, token="offer-not-due", answer_by=clock.today() + timedelta(days=20)
    )
    overdue = offers.offer_of(best)
    _later(monkeypatch, overdue.respond_by + timedelta(hours=2))
    assert hiring_jobs.lapse_offers(None) == {"offers": 1}
    assert overdue.status == OfferStatus.LAPSED and best.status == S.DECLINED
    assert not_due.status == OfferStatus.PENDING and other.status == S.OFFERED
    assert any(s.startswith("Offer lapsed") for s in _notices(hr))
    assert any("has lapsed" in m.subject for m in _mail_to(best.email))
    assert db.session.scalar(
        sa.select(AuditEvent.reason).where(
            AuditEvent.action == "application.declined", AuditEvent.object_id == str(best.id)
        )
    ).startswith("No answer by the deadline")
    # A second run finds nothing left to lapse; the opening goes to the next in order.
    assert answers.lapse_overdue() == 0
    offers.make_offer(hr, well, terms=offer_terms(answer_by=clock.today() + timedelta(days=1)))
    assert well.status == S.OFFERED


def test_an_accepted_offer_never_lapses(app_ctx, hiring, hr, monkeypatch):
    application, offer = _offered(hiring, hr)
    answers.accept(application)
    _later(monkeypatch, offer.respond_by + timedelta(days=3))
    assert answers.lapse_overdue() == 0
    assert offer.status == OfferStatus.ACCEPTED and application.status == S.OFFERED


def test_the_lapse_job_is_on_the_daily_schedule(app_ctx):
    from civicladder import schedule

    (entry,) = [e for e in schedule.entries() if e.job == "hiring.lapse_offers"]
    assert entry.daily_at == time(6, 0)


def test_offers_are_one_per_application(app_ctx, hiring, hr):
    application, _ = _offered(hiring, hr)
    duplicate = Offer(
        application_id=application.id,
        grade="G",
        salary_cents=1,
        starts_on=clock.today(),
        respond_by=clock.now(),
    )
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(duplicate)
        db.session.flush()


# --- HR's pages --------------------------------------------------------------------------------


def test_hr_sees_each_offer_its_deadline_answer_and_reason(app_ctx, client_as, hiring, hr):
    hiring_round = _round(hiring, openings=2)
    waiting = _scored(hiring, hiring_round, S.SHORTLISTED, 5, token="offer-waiting")
    declining = _scored(hiring, hiring_round, S.SHORTLISTED, 5, token="offer-declining")
    for application in (waiting, declining):
        offers.make_offer(hr, application, terms=offer_terms())
    answers.decline(declining, "The commute is too long.")
    client = client_as(hr)
    page = client.get(f"/hiring/rounds/{hiring_round.id}").text
    assert "Offers made in" in page and "The commute is too long." in page
    assert "Waiting for an answer" in page and "$52,000 a year" in page
    ranked = client.get(f"/hiring/rounds/{hiring_round.id}/ranking").text
    assert "Waiting for the candidate's answer" in ranked
    assert f"/hiring/applications/{waiting.id}/hire" not in ranked
    refused = client.get(f"/hiring/applications/{waiting.id}/hire")
    assert refused.status_code == 409 and "not accepted the offer" in refused.text
    answers.accept(waiting)
    ranked = client.get(f"/hiring/rounds/{hiring_round.id}/ranking").text
    assert f"/hiring/applications/{waiting.id}/hire" in ranked
    assert client.get(f"/hiring/applications/{waiting.id}/hire").status_code == 200


@pytest.mark.parametrize("page", ["", "/ranking"])
def test_hr_pages_make_as_many_queries_at_any_number_of_offers(
    page, app_ctx, client_as, hiring, hr, count_queries
):
    client = client_as(hr)
    counts = []
    for size in (2, 12):
        hiring_round = _round(hiring, openings=size)
        for n in range(size):
            application = _scored(hiring, hiring_round, S.OFFERED, 4)
            status = [OfferStatus.PENDING, OfferStatus.ACCEPTED][n % 2]
            hiring.offer(application, status, decline_reason=None)
        url = f"/hiring/rounds/{hiring_round.id}{page}"
        client.get(url)
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_cancelling_a_round_withdraws_its_open_offers_and_tells_the_candidates(
    app_ctx, client, hiring, hr, monkeypatch
):
    from hiring import services

    application, offer = _offered(hiring, hr)
    hiring_round = application.round
    accepted = _scored(hiring, hiring_round, S.SHORTLISTED, 4)
    hiring_round.openings = 3
    accepted_offer = offers.make_offer(hr, accepted, terms=offer_terms())
    answers.accept(accepted)
    declined = _scored(hiring, hiring_round, S.SHORTLISTED, 4)
    declined_offer = offers.make_offer(hr, declined, terms=offer_terms())
    answers.decline(declined, "I stay where I am.")
    services.cancel_round(hr, hiring_round, "The post was not funded.")
    assert hiring_round.status == RoundStatus.CANCELLED
    for withdrawn in (offer, accepted_offer):
        assert withdrawn.status == OfferStatus.WITHDRAWN
        assert (
            withdrawn.decline_reason == "The hiring round was cancelled: The post was not funded."
        )
    assert declined_offer.status == OfferStatus.DECLINED
    events = db.session.scalars(
        sa.select(AuditEvent.object_id).where(AuditEvent.action == "offer.withdrawn")
    ).all()
    assert sorted(events) == sorted([str(offer.id), str(accepted_offer.id)])
    for person in (application, accepted):
        (mail,) = [m for m in _mail_to(person.email) if "is withdrawn" in m.subject]
        assert "The post was not funded." in mail.body
    assert not [m for m in _mail_to(declined.email) if "is withdrawn" in m.subject]
    # The candidate's page says so, and the offer takes no answer and never lapses.
    page = client.get(f"/jobs/status/{TOKEN}").text
    assert "The city withdrew this offer" in page and "Accept the offer" not in page
    refused = client.post(f"/jobs/status/{TOKEN}/offer/accept")
    assert refused.status_code == 409 and "hiring round was cancelled" in refused.text
    _later(monkeypatch, offer.respond_by + timedelta(days=1))
    assert answers.lapse_overdue() == 0
    assert offer.status == OfferStatus.WITHDRAWN


def test_a_cancellation_refused_withdraws_no_offer(app_ctx, hiring, hr):
    from hiring import services

    application, offer = _offered(hiring, hr)
    with pytest.raises(Invalid):
        services.cancel_round(hr, application.round, "  ")
    assert application.round.status == RoundStatus.RANKED
    assert offer.status == OfferStatus.PENDING


def test_the_decisions_csv_carries_each_offer_its_terms_and_answer(app_ctx, client_as, hiring, hr):
    application, offer = _offered(hiring, hr)
    answers.decline(application, '=HYPERLINK("x") I found other work.')
    _scored(hiring, application.round, S.ASSESSED, 2)
    text = client_as(hr).get(f"/hiring/rounds/{application.round_id}/decisions.csv").text
    rows = {r["candidate_code"]: r for r in csv.DictReader(io.StringIO(text))}
    row = rows[application.candidate_code]
    assert (row["offer_grade"], row["offer_salary"], row["offer_answer"]) == (
        "Grade 7",
        "$52,000",
        "Declined",
    )
    assert row["offer_starts_on"] == offer.starts_on.isoformat()
    assert row["offer_decline_reason"].startswith("'=HYPERLINK")  # made inert
    assert [r["offer_answer"] for r in rows.values() if r is not row] == [""]
