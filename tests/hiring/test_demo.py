"""The demo city's hiring: a completed round with a hire, a round under assessment, an open one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from civicladder.db import db
from civicladder.models import User
from competencies.models import CompetencyEvidence, EvidenceSource
from hiring.eligible import queries as eligible_queries
from hiring.models import (
    Application,
    ApplicationStatus,
    Assessment,
    HiringRound,
    PanelMember,
    RoundStatus,
)
from tests.civicladder.test_demo_seed import seed


@pytest.fixture(scope="module")
def seeded(app, module_data) -> str:
    return module_data.build(lambda: seed(app))


def _rounds():
    return {r.status: r for r in db.session.scalars(sa.select(HiringRound))}


def test_the_demo_has_a_completed_an_assessing_and_an_open_round(seeded):
    rounds = _rounds()
    assert {RoundStatus.COMPLETED, RoundStatus.ASSESSING, RoundStatus.OPEN} <= set(rounds)
    for hiring_round in rounds.values():
        applications = db.session.scalar(
            sa.select(sa.func.count()).where(Application.round_id == hiring_round.id)
        )
        assert applications >= 5


def test_the_completed_round_hired_someone_with_evidence_from_the_assessment(seeded):
    completed = _rounds()[RoundStatus.COMPLETED]
    hired = db.session.scalar(
        sa.select(Application).where(
            Application.round_id == completed.id, Application.status == ApplicationStatus.HIRED
        )
    )
    assert hired is not None
    evidence = db.session.scalar(
        sa.select(sa.func.count()).where(
            CompetencyEvidence.source == EvidenceSource.HIRING_ASSESSMENT
        )
    )
    assert evidence == len(completed.rubric)


def test_the_completed_round_left_an_eligible_list_for_later_vacancies(seeded):
    completed = _rounds()[RoundStatus.COMPLETED]
    listed = eligible_queries.round_list(completed.id)
    assert listed is not None and listed.is_active(listed.established_on)
    places = eligible_queries.places(listed.id)
    assert places and all(p.available for p in places)


def test_the_round_under_assessment_has_scores_still_to_come(seeded):
    assessing = _rounds()[RoundStatus.ASSESSING]
    submitted = db.session.scalars(
        sa.select(Assessment.submitted_at).where(Assessment.round_id == assessing.id)
    ).all()
    assert any(s is None for s in submitted) and any(s is not None for s in submitted)


def test_the_readme_demo_accounts_sit_on_every_panel_as_it_says(seeded):
    # README.md, "Demo sign-ins": the manager, employee and union rep assess on all three rounds.
    panels = db.session.execute(
        sa.select(PanelMember.round_id, User.email).join(User, User.id == PanelMember.user_id)
    ).all()
    members = {email.split("@")[0] for _, email in panels}
    assert members == {"manager", "employee", "union"}
    assert len(panels) == 3 * len(_rounds())


def test_the_demo_postings_state_pay_agency_location_and_schedule(seeded):
    for hiring_round in db.session.scalars(sa.select(HiringRound)):
        assert hiring_round.agency is not None and hiring_round.work_location
        assert 0 < hiring_round.pay_min_cents <= hiring_round.pay_max_cents
        assert hiring_round.weekly_hours and hiring_round.duties
        assert hiring_round.accommodation_contact and hiring_round.process_weeks
