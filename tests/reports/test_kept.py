"""Protection decisions kept between runs: used while a block's figures are unchanged, stale
after any change that moves one of them, and never different from protecting again."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from academy.models import EnrollmentStatus as E
from civicladder.access import Role
from civicladder.db import db
from people.models import EmployeeStatus
from reports import assemble, kept, live, protection, services
from reports.models import ProtectedBlock
from reports.rules import parse_period
from tests.reports.small_city import _session

pytestmark = pytest.mark.usefixtures("app_ctx")
Q3 = parse_period("2026Q3")


@pytest.fixture
def protections(monkeypatch):
    """How many times a year was protected (not taken as kept) since the test began."""
    calls = []
    real = protection.protect_year

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(protection, "protect_year", counted)
    return calls


def fresh_report(scope, period) -> dict:
    """The report as protecting everything again gives it, nothing kept."""
    saved = db.session.begin_nested()
    db.session.execute(sa.delete(ProtectedBlock))
    content = assemble.report(scope, period)
    saved.rollback()
    return content


def test_a_kept_decision_is_used_while_the_blocks_figures_are_unchanged(small_city, protections):
    scope = assemble.unit_scope(small_city.unit)
    live.refresh()
    assert db.session.scalar(sa.select(sa.func.count(ProtectedBlock.id))) > 0
    protections.clear()
    content = assemble.report(scope, Q3)
    assert protections == []  # this year and the trend's year before: both kept
    assert content == fresh_report(scope, Q3)


def _enrolment(city, academy, **_):
    made = _session(academy, academy.course(hours=2), date(2026, 8, 25))
    academy.enrollment(made, city.P[13], E.COMPLETED)


def _evidence(city, competencies, **_):
    competencies.evidence(city.B[6], competencies.competency(), 3, observed_on=date(2026, 8, 3))


def _grant(city, autonomy, **_):
    track = autonomy.track(levels=[{}], name="Desk")
    autonomy.grant(city.B[5], track.levels[0], effective_on=date(2026, 9, 2))


def _separation(city, people, hr, **_):
    people.edit(hr, city.P[2], status=EmployeeStatus.SEPARATED, effective_on=date(2026, 6, 30))


def _publishing(city, **_):
    services.publish_unit_report(None, city.unit, parse_period("2026Q2"), tell_reps=False)


@pytest.mark.parametrize("change", [_enrolment, _evidence, _grant, _separation, _publishing])
def test_a_change_to_a_blocks_figures_makes_its_kept_decision_stale(
    change, small_city, protections, people, academy, competencies, autonomy, make_user
):
    scope = assemble.unit_scope(small_city.unit)
    live.refresh()
    before = assemble.report(scope, Q3)
    change(
        small_city,
        people=people,
        academy=academy,
        competencies=competencies,
        autonomy=autonomy,
        hr=make_user({Role.HR}),
    )
    protections.clear()
    after = assemble.report(scope, Q3)
    assert protections, "the changed year is protected again"
    assert after == fresh_report(scope, Q3)
    assert after != before or change is _publishing


def test_only_the_audit_and_the_scheduler_keep_decisions(small_city):
    scope = assemble.unit_scope(small_city.unit)
    assemble.report(scope, Q3)
    assert db.session.scalar(sa.select(sa.func.count(ProtectedBlock.id))) == 0
    protection.block(scope, Q3, kept.Kept())
    assert db.session.scalar(sa.select(sa.func.count(ProtectedBlock.id))) == 1
