"""Bargaining units' figures: computed for every unit at once, stored, and read back as of then."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from civicladder.db import db
from people import figures
from people.models import UnitFigure

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_a_refresh_stores_every_kind_for_every_unit(people, competencies):
    unit = people.bargaining_unit("DC37")
    job = competencies.job_profile()
    members = [people.employee(bargaining_unit=unit, job_profile=job) for _ in range(6)]
    skill = competencies.competency()
    competencies.evidence(members[0], skill, 4)
    as_of, lines = figures.refresh()
    kinds = {
        kind: figures.unit_figures([unit.id], kind)[0][unit.id]
        for kind in ("members", "job", "level_band")
    }
    assert kinds["members"] == [("members", 6)]
    assert kinds["job"] == [(job.title, 6)]
    assert sum(n for _, n in kinds["level_band"]) == 6
    assert lines == db.session.scalar(sa.select(sa.func.count()).select_from(UnitFigure))
    assert figures.unit_figures([unit.id], "members")[1] == as_of


def test_pages_read_the_stored_figures_until_the_next_refresh(people):
    unit = people.bargaining_unit("DC37")
    for _ in range(5):
        people.employee(bargaining_unit=unit)
    figures.refresh()
    people.employee(bargaining_unit=unit)
    assert figures.unit_figures([unit.id], "members")[0][unit.id] == [("members", 5)]
    figures.refresh()
    assert figures.unit_figures([unit.id], "members")[0][unit.id] == [("members", 6)]


def test_before_any_refresh_the_figures_are_computed_live(people):
    unit = people.bargaining_unit("DC37")
    people.employee(bargaining_unit=unit)
    found, _ = figures.unit_figures([unit.id], "members")
    assert found[unit.id] == [("members", 1)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UnitFigure)) == 0


def test_the_scheduled_command_saves_the_figures_it_counts(real_commits, people):
    real = real_commits

    def build():
        unit = people.bargaining_unit("FIGS")
        for _ in range(3):
            people.employee(bargaining_unit=unit)
        return unit.id

    unit_id = real.run(build)
    with real.app.app_context():  # the command runs on the app whose work really commits
        result = real.app.test_cli_runner().invoke(args=["people", "refresh-unit-figures"])
    assert result.exit_code == 0, result.output
    stored = sa.select(UnitFigure.members).where(
        UnitFigure.bargaining_unit_id == unit_id, UnitFigure.kind == "members"
    )
    assert real.run(lambda: db.session.scalars(stored).all()) == [3]
