"""Withdrawn evidence stays on record and stops counting everywhere current evidence is read:
levels, requirements met, expiry lists, autonomy eligibility and the reports' levels gained."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from academy import records
from autonomy import queries as autonomy_queries
from civicladder import clock
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Forbidden, Invalid
from competencies import queries, standing
from competencies.models import CompetencyEvidence, CompetencyEvidenceWithdrawal
from competencies.withdrawal import withdraw_evidence
from people.models import Employee
from reports.queries import gains
from reports.rules import Period


@pytest.fixture
def shown(people, competencies, make_user):
    """Ana's job needs pruning at level 3; her manager recorded level 3 last month, expiring
    in 30 days."""
    pruning = competencies.competency(name="Pruning")
    job = competencies.job_profile(requirements=[(pruning, 3, 10)])
    manager, manager_user = people.employee_user(roles={Role.MANAGER})
    ana = people.employee(manager=manager, job_profile=job, first_name="Ana")
    evidence = competencies.evidence(
        ana,
        pruning,
        3,
        observed_on=clock.today() - timedelta(days=30),
        expires_on=clock.today() + timedelta(days=30),
    )
    return locals()


def _withdraw(shown, reason="Recorded for the wrong person."):
    return withdraw_evidence(shown["manager_user"], [shown["evidence"]], reason)


def test_withdrawn_evidence_stays_recorded_and_no_longer_gives_a_level(app_ctx, shown):
    ana = shown["ana"]
    assert [c.level for c in queries.current_levels(ana.id)] == [3]

    [withdrawal] = _withdraw(shown)

    assert withdrawal.withdrawn_by_id == shown["manager_user"].id
    assert withdrawal.reason == "Recorded for the wrong person."
    assert db.session.get(CompetencyEvidence, shown["evidence"].id) is not None
    assert queries.current_levels(ana.id) == []


def test_withdrawn_evidence_no_longer_meets_a_requirement_or_runs_out(app_ctx, shown):
    ana = shown["ana"]
    below = standing.below_requirements_statement(Employee.id == ana.id)
    expiring = standing.expiring_evidence_statement(Employee.id == ana.id)
    assert db.session.scalars(below).all() == []
    assert db.session.scalars(expiring).all() == [shown["evidence"]]
    assert [e.evidence for e in records.expiring_evidence(Employee.id == ana.id)] == [
        shown["evidence"]
    ]

    _withdraw(shown)

    assert db.session.scalars(below).all() == [ana]
    assert db.session.scalars(expiring).all() == []
    assert records.expiring_evidence(Employee.id == ana.id) == []
    assert standing.requirements_missed([ana.id]) == {ana.id: 1}


def levels_gained(members, period) -> int:
    return sum(levels for _, _, _, levels in gains(members, period))


def test_withdrawn_evidence_counts_neither_for_autonomy_nor_as_a_level_gained(app_ctx, shown):
    ana, pruning = shown["ana"], shown["pruning"]
    members = sa.select(Employee.id, Employee.department_id).where(Employee.id == ana.id).subquery()
    today = clock.today()
    period = Period("now", today - timedelta(days=60), today)
    assert autonomy_queries.facts_for(ana, date(2020, 1, 1), None).levels == {pruning.id: 3}
    assert levels_gained(members, period) == 1

    _withdraw(shown)

    assert autonomy_queries.facts_for(ana, date(2020, 1, 1), None).levels == {}
    assert levels_gained(members, period) == 0


def test_withdrawing_needs_a_reason_and_someone_who_may_record_evidence(app_ctx, people, shown):
    with pytest.raises(Invalid):
        _withdraw(shown, reason=" ")
    _, stranger = people.employee_user(roles={Role.MANAGER})
    with pytest.raises(Forbidden):
        withdraw_evidence(stranger, [shown["evidence"]], "Not mine to judge.")
    assert (
        db.session.scalar(sa.select(sa.func.count(CompetencyEvidenceWithdrawal.evidence_id))) == 0
    )


def test_withdrawing_twice_leaves_the_first_withdrawal(app_ctx, shown):
    _withdraw(shown)
    assert _withdraw(shown, reason="Again.") == []
    reasons = db.session.scalars(sa.select(CompetencyEvidenceWithdrawal.reason)).all()
    assert reasons == ["Recorded for the wrong person."]


def test_profile_history_marks_withdrawn_evidence_with_its_reason(app, client_as, shown):
    with app.app_context():
        _withdraw(shown)
    page = client_as(shown["manager_user"]).get(f"/people/{shown['ana'].id}")

    assert page.status_code == 200
    assert "Withdrawn" in page.text and "Recorded for the wrong person." in page.text
