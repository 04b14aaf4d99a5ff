"""Eligible lists: a completed round keeps its remaining qualified candidates, in their categories
and order, for later vacancies; offers from a list keep the round's rules and its online offer;
candidates may leave a list; lists expire and are kept for the record."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import refresh

from civicladder import clock
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Invalid
from civicladder.models import AuditEvent, Notification, OutboxMessage
from civicladder.security import token_hash
from hiring import offers, rules, services
from hiring.eligible import offers as list_offers
from hiring.eligible import queries
from hiring.eligible import services as eligible_services
from hiring.eligible.models import EligibleList, EligibleListEntry
from hiring.models import ApplicationStatus, RoundStatus
from hiring.offers import answers
from hiring.offers.models import OfferStatus
from hiring.rules import Category
from tests.hiring.factories import offer_form, offer_terms

S = ApplicationStatus
BEST, WELL, QUALIFIED = 4, (4, 1), 3  # marks: weighted means 4.00, 3.25 and 3.00
NOT_QUALIFIED = 2
TOKEN = "eligible-test-token"


@pytest.fixture
def hr(make_user):
    return make_user({Role.HR})


def _scored(hiring, hiring_round, status, marks, **kwargs):
    application = hiring.application(hiring_round, status, **kwargs)
    rubric = hiring.rubric_ids(hiring_round)
    marks = (marks, marks) if isinstance(marks, int) else marks
    for judge in hiring.panel(hiring_round):
        hiring.assessment(application, judge, dict(zip(rubric, marks, strict=True)))
    return application


def _completed(hiring, hr, marks, **round_values):
    """A ranked round with a candidate scored at each of `marks` (assessed), completed."""
    hiring_round = hiring.round(RoundStatus.RANKED, **round_values)
    applications = [_scored(hiring, hiring_round, S.ASSESSED, m) for m in marks]
    offers.complete_round(hr, hiring_round)
    return hiring_round, applications


def _list_of(hiring_round) -> EligibleList:
    return db.session.scalar(
        sa.select(EligibleList).where(EligibleList.round_id == hiring_round.id)
    )


def _mail_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == address))
    )


# --- establishing the list ---------------------------------------------------------------------


def test_completing_a_round_keeps_its_remaining_qualified_candidates_in_order(app_ctx, hiring, hr):
    hiring_round = hiring.round(RoundStatus.RANKED, eligible_months=6, veterans_preference=True)
    qualified = _scored(hiring, hiring_round, S.ASSESSED, QUALIFIED)
    well = _scored(hiring, hiring_round, S.SHORTLISTED, WELL)
    best = _scored(hiring, hiring_round, S.ASSESSED, BEST)
    veteran = _scored(hiring, hiring_round, S.ASSESSED, WELL, preference_eligible=True)
    not_qualified = _scored(hiring, hiring_round, S.ASSESSED, NOT_QUALIFIED)
    gone = [_scored(hiring, hiring_round, s, BEST) for s in (S.HIRED, S.DECLINED, S.WITHDRAWN)]
    offers.complete_round(hr, hiring_round)

    listed = _list_of(hiring_round)
    assert listed.job_profile_id == hiring_round.job_profile_id
    assert listed.expires_on == rules.add_months(clock.today(), 6)
    places = queries.places(listed.id)
    # Category order, preference first within a category, as the round ranked them.
    assert [p.application_id for p in places] == [best.id, veteran.id, well.id, qualified.id]
    assert [p.category for p in places] == [
        Category.BEST,
        Category.WELL,
        Category.WELL,
        Category.QUALIFIED,
    ]
    assert [p.preference for p in places] == [False, True, False, False]
    assert not_qualified.id not in {p.application_id for p in places}
    assert not {a.id for a in gone} & {p.application_id for p in places}
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "eligible_list.established")
    )
    assert event.actor_id == hr.id
    assert event.after["candidates"] == {"best_qualified": 1, "well_qualified": 2, "qualified": 1}
    # Those on the list are told so; the one rated not qualified hears the round is over.
    (listed_mail,) = _mail_to(best.email)
    assert "eligible list" in listed_mail.subject and "taken off the list" in listed_mail.body
    (other_mail,) = _mail_to(not_qualified.email)
    assert "eligible list" not in other_mail.subject + other_mail.body


def test_the_list_lasts_the_rounds_eligible_months(app_ctx, hiring, hr, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2027, 1, 31))
    hiring_round, _ = _completed(hiring, hr, [BEST], eligible_months=13)
    listed = _list_of(hiring_round)
    assert (listed.established_on, listed.expires_on) == (date(2027, 1, 31), date(2028, 2, 29))


def test_a_round_with_no_qualified_candidate_left_keeps_no_list(app_ctx, hiring, hr):
    hiring_round, _ = _completed(hiring, hr, [NOT_QUALIFIED])
    assert _list_of(hiring_round) is None


def test_a_rounds_eligible_months_are_bounded(app_ctx, hiring, hr, competencies):
    profile = competencies.job_profile([(competencies.competency(), 2, 1)])
    today = clock.today()
    with pytest.raises(Invalid) as refused:
        services.create_round(
            hr,
            job_profile_id=profile.id,
            title="Too long a list",
            openings=1,
            opens_on=today,
            closes_on=today + timedelta(days=7),
            eligible_months=49,
        )
    assert refused.value.field == "eligible_months"


# --- offers from the list ----------------------------------------------------------------------


def test_an_offer_from_the_list_keeps_category_order_and_needs_a_vacancy(app_ctx, hiring, hr):
    hiring_round, (best, well) = _completed(hiring, hr, [BEST, WELL])
    listed = _list_of(hiring_round)
    with pytest.raises(Conflict, match="Best qualified candidates are still in the running"):
        list_offers.make_offer(hr, listed, well, vacancy="Depot 2", terms=offer_terms())
    with pytest.raises(Invalid) as no_vacancy:
        list_offers.make_offer(hr, listed, best, vacancy="  ", terms=offer_terms())
    assert no_vacancy.value.field == "vacancy" and best.status == S.ASSESSED
    offer = list_offers.make_offer(hr, listed, best, vacancy="Depot 2", terms=offer_terms())
    assert best.status == S.OFFERED
    assert (offer.eligible_list_id, offer.vacancy, offer.status) == (
        listed.id,
        "Depot 2",
        OfferStatus.PENDING,
    )
    made = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "offer.made", AuditEvent.object_id == str(offer.id)
        )
    )
    assert made.after["eligible_list_id"] == listed.id and made.after["vacancy"] == "Depot 2"
    (offer_mail,) = [m for m in _mail_to(best.email) if m.subject.startswith("Job offer")]
    assert "(Depot 2), from the round's eligible list" in offer_mail.body
    # The best qualified candidate is under offer, so the next category may be offered now.
    list_offers.make_offer(hr, listed, well, vacancy="Depot 3", terms=offer_terms())
    assert well.status == S.OFFERED


def test_passing_over_a_veteran_on_the_list_needs_a_justification(app_ctx, hiring, hr):
    hiring_round = hiring.round(RoundStatus.RANKED, veterans_preference=True)
    veteran = _scored(hiring, hiring_round, S.ASSESSED, WELL, preference_eligible=True)
    other = _scored(hiring, hiring_round, S.ASSESSED, WELL)
    offers.complete_round(hr, hiring_round)
    listed = _list_of(hiring_round)
    with pytest.raises(Invalid, match=veteran.candidate_code) as refused:
        list_offers.make_offer(hr, listed, other, vacancy="Depot 5", terms=offer_terms())
    assert refused.value.field == "justification"
    reason = "Only this candidate holds the licence the post needs."
    offer = list_offers.make_offer(
        hr, listed, other, vacancy="Depot 5", justification=reason, terms=offer_terms()
    )
    assert other.offer_justification == reason and offer.status == OfferStatus.PENDING


def test_the_candidate_accepts_online_and_hr_records_the_hire(
    app_ctx, client, client_as, hiring, hr, people
):
    people.department("Parks > Forestry")
    hiring_round, (best,) = _completed(hiring, hr, [BEST])
    best_token = "list-offer-token"
    best.status_token_hash = token_hash(best_token)
    listed = _list_of(hiring_round)
    hr_client = client_as(hr)
    ask = hr_client.post(
        f"/hiring/eligible-lists/{listed.id}/offer", data={"application_id": best.id}
    )
    assert ask.status_code == 200 and "Offer a vacancy to" in ask.text
    assert best.status == S.ASSESSED  # nothing is offered until HR confirms
    missing = hr_client.post(
        f"/hiring/eligible-lists/{listed.id}/offer",
        data=offer_form(application_id=best.id, vacancy=""),
    )
    assert missing.status_code == 422 and "Name the vacancy" in missing.text
    made = hr_client.post(
        f"/hiring/eligible-lists/{listed.id}/offer",
        data=offer_form(application_id=best.id, vacancy="Forestry crew 3"),
    )
    assert made.status_code == 302
    db.session.refresh(best)
    assert best.status == S.OFFERED
    status_page = client.get(f"/jobs/status/{best_token}")
    assert "Accept the offer" in status_page.text
    assert client.post(f"/jobs/status/{best_token}/offer/accept").status_code == 302
    offer = offers.offer_of(best)
    db.session.refresh(offer)
    assert offer.status == OfferStatus.ACCEPTED
    notice = db.session.scalar(
        sa.select(Notification).where(
            Notification.user_id == hr.id, Notification.subject.startswith("Offer accepted")
        )
    )
    assert f"/hiring/eligible-lists/{listed.id}" in notice.link
    hired = hr_client.post(
        f"/hiring/applications/{best.id}/hire",
        data={
            "employee_number": "E-LIST-1",
            "department": "Parks > Forestry",
            "hire_date": clock.today().isoformat(),
            "bargaining_unit_id": "0",
        },
    )
    assert hired.status_code == 302 and hired.location.endswith(f"/eligible-lists/{listed.id}")
    db.session.refresh(best)
    assert best.status == S.HIRED


def test_the_rounds_decisions_name_the_vacancy_of_each_offer_from_its_list(
    app_ctx, client_as, hiring, hr
):
    hiring_round, (best,) = _completed(hiring, hr, [BEST])
    list_offers.make_offer(
        hr, _list_of(hiring_round), best, vacancy="=Depot 7", terms=offer_terms()
    )
    text = client_as(hr).get(f"/hiring/rounds/{hiring_round.id}/decisions.csv").text
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["offer_from_eligible_list_for"] == "'=Depot 7"  # made inert
    assert row["offer_answer"] == "Waiting for an answer"


def test_a_list_offer_lapses_and_can_be_declined_like_any_offer(app_ctx, hiring, hr, monkeypatch):
    hiring_round, (first, second) = _completed(hiring, hr, [BEST, BEST])
    listed = _list_of(hiring_round)
    lapsing = list_offers.make_offer(hr, listed, first, vacancy="Post 1", terms=offer_terms())
    declining = list_offers.make_offer(hr, listed, second, vacancy="Post 2", terms=offer_terms())
    answers.decline(second, "I moved away.")
    assert (declining.status, second.status) == (OfferStatus.DECLINED, S.DECLINED)
    monkeypatch.setattr(clock, "now", lambda: lapsing.respond_by + timedelta(hours=1))
    assert answers.lapse_overdue() == 1
    assert (lapsing.status, first.status) == (OfferStatus.LAPSED, S.DECLINED)


def test_an_expired_list_is_kept_but_makes_no_offers(app_ctx, client_as, hiring, hr, monkeypatch):
    hiring_round, (best,) = _completed(hiring, hr, [BEST])
    listed = _list_of(hiring_round)
    monkeypatch.setattr(clock, "today", lambda: listed.expires_on + timedelta(days=1))
    with pytest.raises(Conflict, match="expired"):
        list_offers.make_offer(hr, listed, best, vacancy="Post 9", terms=offer_terms())
    assert best.status == S.ASSESSED
    page = client_as(hr).get(f"/hiring/eligible-lists/{listed.id}").text
    assert "This list has expired" in page and "Offer a vacancy" not in page
    assert best.candidate_code in page  # kept for the record
    refused = client_as(hr).post(
        f"/hiring/eligible-lists/{listed.id}/offer", data={"application_id": best.id}
    )
    assert refused.status_code == 409


# --- the candidate leaves the list -------------------------------------------------------------


def test_a_candidate_leaves_the_list_from_their_status_page_after_confirming(
    app_ctx, client, hiring, hr
):
    hiring_round = hiring.round(RoundStatus.RANKED)
    best = _scored(hiring, hiring_round, S.ASSESSED, BEST, token=TOKEN)
    well = _scored(hiring, hiring_round, S.ASSESSED, WELL)
    offers.complete_round(hr, hiring_round)
    listed = _list_of(hiring_round)
    status_page = client.get(f"/jobs/status/{TOKEN}").text
    assert "you are on its eligible list" in status_page and "Take me off the list" in status_page
    confirm = client.get(f"/jobs/status/{TOKEN}/eligible-list/leave")
    assert confirm.status_code == 200 and "Yes, take me off the list" in confirm.text
    assert db.session.get(EligibleListEntry, best.id).removed_at is None
    assert client.post(f"/jobs/status/{TOKEN}/eligible-list/leave").status_code == 302
    entry = db.session.get(EligibleListEntry, best.id)
    db.session.refresh(entry)
    assert entry.removed_at is not None and entry.removal_reason == eligible_services.TAKEN_OFF
    assert db.session.scalar(
        sa.select(AuditEvent.after).where(AuditEvent.action == "eligible_list.candidate_removed")
    ) == {"application_id": best.id, "candidate_code": best.candidate_code}
    assert "asked to be taken off" in client.get(f"/jobs/status/{TOKEN}").text
    again = client.post(f"/jobs/status/{TOKEN}/eligible-list/leave")
    assert again.status_code == 409
    # Off the list, they hold nobody back: the next category is offered.
    with pytest.raises(Conflict, match="taken off"):
        list_offers.make_offer(hr, listed, best, vacancy="Post 1", terms=offer_terms())
    list_offers.make_offer(hr, listed, well, vacancy="Post 1", terms=offer_terms())
    assert well.status == S.OFFERED


def test_a_candidate_not_on_a_list_has_nothing_to_leave(app_ctx, client, hiring):
    hiring.application(hiring.round(RoundStatus.OPEN), token=TOKEN)
    assert client.get(f"/jobs/status/{TOKEN}/eligible-list/leave").status_code == 404
    assert client.post(f"/jobs/status/{TOKEN}/eligible-list/leave").status_code == 404


# --- HR's pages --------------------------------------------------------------------------------


def test_hr_sees_a_job_profiles_lists_with_counts_and_expiry(app_ctx, client_as, hiring, hr):
    hiring_round, (best, well, _) = _completed(hiring, hr, [BEST, WELL, WELL])
    other_round, _ = _completed(hiring, hr, [QUALIFIED])
    list_offers.make_offer(hr, _list_of(hiring_round), best, vacancy="P", terms=offer_terms())
    client = client_as(hr)
    page = client.get(f"/hiring/eligible-lists?job_profile={hiring_round.job_profile_id}").text
    assert hiring_round.title in page and other_round.title not in page
    assert _list_of(hiring_round).expires_on.strftime("%Y") in page and "Active" in page
    # The best qualified candidate is under offer: 2 of 3 available, both well qualified.
    assert "2 available of 3" in page
    (n,) = queries.counts([_list_of(hiring_round).id]).values()
    assert n.available == {Category.BEST: 0, Category.WELL: 2, Category.QUALIFIED: 0}
    everything = client.get("/hiring/eligible-lists").text
    assert hiring_round.title in everything and other_round.title in everything


def test_completing_warns_of_unfilled_openings_and_names_the_list(app_ctx, client_as, hiring, hr):
    hiring_round = hiring.round(RoundStatus.RANKED, openings=3)
    _scored(hiring, hiring_round, S.ASSESSED, BEST)
    client = client_as(hr)
    confirm = client.post(f"/hiring/rounds/{hiring_round.id}/move", data={"to": "completed"})
    assert "3 of 3 openings are still unfilled" in confirm.text
    assert "eligible list" in confirm.text
    done = client.post(
        f"/hiring/rounds/{hiring_round.id}/move",
        data={"to": "completed", "confirmed": "yes"},
        follow_redirects=True,
    )
    assert "3 of 3 opening(s) are left unfilled" in done.text
    assert "remaining qualified candidates are on an eligible list" in done.text
    assert "The round&#39;s eligible list" in done.text or "eligible list</a>" in done.text


@pytest.mark.parametrize("page", ["/hiring/eligible-lists", "/hiring/eligible-lists/{list_id}"])
def test_list_pages_make_as_many_queries_at_any_size(
    page, app_ctx, client_as, hiring, hr, count_queries
):
    client = client_as(hr)
    counts = []
    for size in (2, 10):
        hiring_round = hiring.round(RoundStatus.COMPLETED)
        placed = [_scored(hiring, hiring_round, S.ASSESSED, BEST) for _ in range(size)]
        listed = hiring.eligible_list(hiring_round, [(a, Category.BEST) for a in placed])
        for application in placed[: size // 2]:
            application.status = S.OFFERED
            hiring.offer(application, eligible_list_id=listed.id, vacancy="V")
        url = page.format(list_id=listed.id)
        client.get(url)
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_hr_reads_a_list_in_spanish_with_the_reason_a_candidate_left_it(
    app_ctx, client_as, hiring, hr
):
    hiring_round = hiring.round(RoundStatus.RANKED)
    best = _scored(hiring, hiring_round, S.ASSESSED, BEST, token=TOKEN)
    _scored(hiring, hiring_round, S.ASSESSED, WELL)
    offers.complete_round(hr, hiring_round)
    listed = _list_of(hiring_round)
    eligible_services.leave(best)
    url = f"/hiring/eligible-lists/{listed.id}"
    english = client_as(hr).get(url).text
    assert "Taken off the list" in english and "At the candidate's request." in english
    refresh()  # the requests share the test's app context, where the language is kept
    spanish = client_as(hr).get(url, headers={"Accept-Language": "es"}).text
    assert "Candidatos en la lista" in spanish and "Candidates on the list" not in spanish
    assert "Retirado de la lista" in spanish and "A petición del candidato." in spanish
    assert "Bien calificado" in spanish and "Ofrecer una vacante" in spanish
    assert "(vigente: se hacen ofertas hasta el final de ese día)" in spanish
    # The reason stays in English where it is kept: on the entry (and in the audit log).
    assert (
        db.session.get(EligibleListEntry, best.id).removal_reason == "At the candidate's request."
    )
