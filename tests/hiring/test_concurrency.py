"""Races with real commits: offers never exceed the openings, one email applies once, and one
new-round form sent twice at once makes one round."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.models import AuditEvent
from hiring.models import Application, ApplicationStatus, HiringRound, RoundStatus
from hiring.offers.models import Offer
from hiring.rules import Category
from tests.hiring.factories import hiring_factories, offer_form

_unique = itertools.count(1)


@pytest.fixture
def world(real_commits, make_user, competencies):
    hiring = hiring_factories(make_user, competencies)

    def build():
        n = next(_unique)
        skills = [
            competencies.competency(code=f"RACE-{n}-{k}", name=f"Race skill {n}.{k}")
            for k in (1, 2)
        ]
        hr = make_user({Role.HR})
        ranked = hiring.round(RoundStatus.RANKED, competencies=skills, openings=1)
        shortlisted = [
            hiring.application(ranked, ApplicationStatus.SHORTLISTED, candidate_code=f"R{n}S{k}")
            for k in range(2)
        ]
        marks = dict.fromkeys(hiring.rubric_ids(ranked), 4)  # both best qualified
        for application in shortlisted:
            for judge in hiring.panel(ranked):
                hiring.assessment(application, judge, marks)
        open_round = hiring.round(RoundStatus.OPEN, competencies=skills)
        completed = hiring.round(RoundStatus.COMPLETED, competencies=skills)
        listed = hiring.application(completed, ApplicationStatus.ASSESSED, candidate_code=f"R{n}L")
        for judge in hiring.panel(completed):
            hiring.assessment(listed, judge, marks)
        eligible = hiring.eligible_list(completed, [(listed, Category.BEST)])
        return {
            "eligible_list": eligible.id,
            "listed": listed.id,
            "hr": hr.id,
            "profile": ranked.job_profile_id,
            "ranked": ranked.id,
            "shortlisted": [a.id for a in shortlisted],
            "open": open_round.id,
            "questions": [q.id for q in open_round.questions],
        }

    return real_commits.run(build)


def _statuses(real, round_id):
    stmt = sa.select(Application.status).where(Application.round_id == round_id)
    return real.run(lambda: list(db.session.scalars(stmt)))


def test_two_offers_at_once_for_one_opening_make_one_offer(real_commits, world):
    clients = [real_commits.client(world["hr"]) for _ in range(2)]
    outcomes = real_commits.concurrent(
        2,
        lambda i: clients[i].post(
            f"/hiring/applications/{world['shortlisted'][i]}/decision",
            data=offer_form(),
        ),
    )
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
    codes = sorted(o.value.status_code for o in outcomes)
    assert codes == [302, 409], codes
    assert _statuses(real_commits, world["ranked"]).count(ApplicationStatus.OFFERED) == 1


def test_two_offers_at_once_to_one_candidate_on_a_list_make_one_offer(real_commits, world):
    clients = [real_commits.client(world["hr"]) for _ in range(2)]
    outcomes = real_commits.concurrent(
        2,
        lambda i: clients[i].post(
            f"/hiring/eligible-lists/{world['eligible_list']}/offer",
            data=offer_form(application_id=str(world["listed"]), vacancy=f"Post {i}"),
        ),
    )
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
    codes = sorted(o.value.status_code for o in outcomes)
    assert codes == [302, 409], codes
    made = real_commits.run(
        lambda: db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Offer)
            .where(Offer.application_id == world["listed"])
        )
    )
    assert made == 1


def test_the_same_email_applying_twice_at_once_gives_one_application(real_commits, world):
    data = {"full_name": "Twin Applicant", "email": f"twin{next(_unique)}@example.test"}
    data |= {f"answer_{q}": "My answer." for q in world["questions"]}
    clients = [real_commits.client() for _ in range(2)]
    outcomes = real_commits.concurrent(
        2, lambda i: clients[i].post(f"/jobs/{world['open']}", data=data)
    )
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
    codes = sorted(o.value.status_code for o in outcomes)
    assert codes[0] == 302 and codes[1] in (409, 422), codes
    assert len(_statuses(real_commits, world["open"])) == 1


def test_one_new_round_form_sent_twice_at_once_makes_one_round(real_commits, world):
    title = f"Race round {next(_unique)}"
    data = {
        "job_profile_id": world["profile"],
        "title": title,
        "openings": 1,
        "opens_on": "2026-12-01",
        "closes_on": "2026-12-31",
        "best_qualified_from": "4.00",
        "well_qualified_from": "3.25",
        "qualified_from": "2.50",
        "form_token": f"race-token-{title}",
    }
    clients = [real_commits.client(world["hr"]) for _ in range(2)]
    outcomes = real_commits.concurrent(
        2, lambda i: clients[i].post("/hiring/rounds/new", data=data)
    )
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
    codes = sorted(o.value.status_code for o in outcomes)
    assert codes[0] == 302 and codes[1] in (302, 409), codes
    found = real_commits.run(
        lambda: list(
            db.session.scalars(sa.select(HiringRound.id).where(HiringRound.title == title))
        )
    )
    assert len(found) == 1
    redirected = {o.value.headers.get("Location") for o in outcomes if o.value.status_code == 302}
    assert redirected == {f"/hiring/rounds/{found[0]}"}


@pytest.mark.parametrize(
    "answers",
    [("accept", "accept"), ("accept", "decline")],
    ids=["twice", "both-ways"],
)
def test_two_answers_to_one_offer_at_once_make_one_answer(
    real_commits, make_user, competencies, answers
):
    hiring = hiring_factories(make_user, competencies)
    token = f"race-offer-{next(_unique)}"

    def build():
        n = next(_unique)
        skills = [
            competencies.competency(code=f"RACE-O{n}-{k}", name=f"Offer {n}.{k}") for k in (1, 2)
        ]
        ranked = hiring.round(RoundStatus.RANKED, competencies=skills)
        application = hiring.application(ranked, ApplicationStatus.OFFERED, token=token)
        return hiring.offer(application).id

    offer_id = real_commits.run(build)
    clients = [real_commits.client() for _ in answers]
    forms = {"accept": {}, "decline": {"reason": "Another job came first."}}
    outcomes = real_commits.concurrent(
        2,
        lambda i: clients[i].post(
            f"/jobs/status/{token}/offer/{answers[i]}", data=forms[answers[i]]
        ),
    )
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
    codes = sorted(o.value.status_code for o in outcomes)
    assert codes == [302, 409], codes
    answered = sa.select(AuditEvent).where(
        AuditEvent.object_type == "Offer",
        AuditEvent.object_id == str(offer_id),
        AuditEvent.action.in_(["offer.accepted", "offer.declined"]),
    )
    assert real_commits.count(answered) == 1
