"""The demo city's autonomy levels: tracks, outcomes and levels held, dated as a real city's."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from autonomy import rules
from autonomy.models import AutonomyGrant, AutonomyLevel
from bench import database
from civicladder import clock, credential_checks
from civicladder.db import db
from civicladder.models import User
from people import learner_record
from people.models import Employee
from tests.civicladder.test_demo_seed import seed


@pytest.fixture(scope="module")
def seeded(app, module_data) -> str:
    return module_data.build(lambda: seed(app))


def _held():
    return db.session.execute(
        sa.select(AutonomyGrant, AutonomyLevel, Employee.hire_date)
        .join(AutonomyLevel, AutonomyLevel.id == AutonomyGrant.level_id)
        .join(Employee, Employee.id == AutonomyGrant.employee_id)
    ).all()


def test_no_demo_level_takes_effect_before_its_holders_hire(seeded):
    held = _held()
    assert len(held) >= 10
    early = [
        (g.employee_id, g.effective_on, hired) for g, _, hired in held if g.effective_on < hired
    ]
    assert early == []


def test_demo_levels_leave_time_for_the_months_each_lower_level_asks(seeded):
    months = {
        (level.track_id, level.rank): level.min_months
        for level in db.session.scalars(sa.select(AutonomyLevel))
    }
    today = clock.today()
    held = _held()
    assert {level.rank for _, level, _ in held} >= {1, 2, 3}
    for grant, level, hired in held:
        first = hired  # each level's months served at the one below, from the hire
        for rank in range(1, level.rank + 1):
            first = rules.add_months(first, months[(level.track_id, rank)])
        assert grant.effective_on >= first, (grant.employee_id, level)
        assert grant.effective_on <= today


def test_the_demo_employee_has_a_learner_record_to_download_on_the_first_visit(app, seeded):
    """The employee sign-in's record holds a certificate and competency levels (with the level
    they hold, if any), and its signed form checks as genuine and valid."""
    user = db.session.scalar(
        sa.select(User).where(User.email == database.sign_ins("demo")["employee"][0])
    )
    employee = db.session.scalar(sa.select(Employee).where(Employee.user_id == user.id))
    with app.test_request_context():
        record = learner_record.gather(employee)
        found = {section.key: len(items) for section, items in record.parts}
        assert found["certificates"] >= 1 and found["competency_levels"] >= 1, found
        assert found["autonomy_levels"] <= 1, found
        assert credential_checks.verify(learner_record.signed(record)).valid
