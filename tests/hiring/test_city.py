"""The synthetic city's hiring: rounds and applications in proportion, in every state."""

from __future__ import annotations

import sqlalchemy as sa

from civicladder.db import db
from civicladder.models import User
from hiring import ranking, rules, stages
from hiring.eligible import queries as eligible_queries
from hiring.eligible.models import EligibleList
from hiring.models import (
    Application,
    ApplicationStatus,
    Assessment,
    HiringRound,
    PanelMember,
    RoundStatus,
)
from hiring.rules import Category
from people.seed.city import CITY_SIGN_INS
from tests.city.test_city import SIZE, city


def _count(*where, model=Application) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_the_city_has_about_five_applications_for_every_three_employees(app):
    city(app)
    assert abs(_count() - SIZE * 5 / 3) <= 3
    codes = db.session.scalar(sa.select(sa.func.count(sa.distinct(Application.candidate_code))))
    assert codes == _count()
    assert _count(model=HiringRound) >= 3


def test_the_benchmark_rounds_are_open_under_assessment_and_ranked(app):
    city(app)
    first = db.session.scalars(sa.select(HiringRound).order_by(HiringRound.id).limit(3)).all()
    assert [r.status for r in first] == [
        RoundStatus.OPEN,
        RoundStatus.ASSESSING,
        RoundStatus.RANKED,
    ]
    employee = db.session.scalar(
        sa.select(User.id).where(User.email == CITY_SIGN_INS["employee"][0])
    )
    assert db.session.get(PanelMember, (first[1].id, employee)) is not None
    assert _count(
        Assessment.round_id == first[1].id, Assessment.assessor_id == employee, model=Assessment
    )
    ranked = ranking.ranked_list(first[2])
    assessed = _count(
        Application.round_id == first[2].id, Application.status == ApplicationStatus.ASSESSED
    )
    assert len(ranked) == assessed > 0


def test_completed_rounds_hire_within_their_openings_and_keep_eligible_lists(app):
    city(app, size=1500)  # enough rounds for completed ones beside the benchmark's three
    hired = db.session.execute(
        sa.select(HiringRound.openings, sa.func.count(Application.id))
        .join(Application, Application.round_id == HiringRound.id)
        .where(Application.status == ApplicationStatus.HIRED)
        .group_by(HiringRound.id, HiringRound.openings)
    ).all()
    assert hired and all(count <= openings for openings, count in hired)
    # Each completed round's list holds its remaining qualified candidates in the order the
    # round's own ranked list gives them, with their categories.
    lists = db.session.scalars(sa.select(EligibleList).order_by(EligibleList.id)).all()
    assert lists and {listed.round.status for listed in lists} == {RoundStatus.COMPLETED}
    listed = lists[0]
    expected = [
        (row.application_id, row.ranked.category, row.ranked.preference)
        for row in ranking.ranked_list(listed.round)
        if row.status in ranking.IN_RUNNING and row.ranked.category != Category.NOT
    ]
    places = eligible_queries.places(listed.id)
    assert [(p.application_id, p.category, p.preference) for p in places] == expected
    assert listed.expires_on == rules.add_months(listed.established_on, 12)


def test_every_generated_posting_states_pay_agency_location_and_schedule(app):
    city(app)
    rounds = db.session.scalars(sa.select(HiringRound)).all()
    assert rounds
    for hiring_round in rounds:
        assert hiring_round.agency is not None and hiring_round.work_location
        assert 0 < hiring_round.pay_min_cents <= hiring_round.pay_max_cents
        assert hiring_round.weekly_hours and hiring_round.duties and hiring_round.process_weeks


def test_the_benchmark_rounds_pages_show_how_long_applications_waited(app):
    """Their applications' moves are in the audit log, so the time in each stage has figures:
    every application of the ranked round was submitted, and the assessed ones moved on from
    screening to assessment."""
    city(app)
    ranked = db.session.scalars(sa.select(HiringRound).order_by(HiringRound.id).limit(3)).all()[2]
    figures = {wait.status: wait for wait in stages.round_waits(ranked.id)}
    submitted = figures[ApplicationStatus.SUBMITTED]
    assert submitted.passed == _count(Application.round_id == ranked.id)
    assert 1 <= submitted.median_days <= 4
    assessed = _count(
        Application.round_id == ranked.id, Application.status == ApplicationStatus.ASSESSED
    )
    assert figures[ApplicationStatus.SCREENED_IN].passed == assessed
    assert figures[ApplicationStatus.ASSESSED].waiting_now == assessed
