"""The demo city's published reports: two quarters for each bargaining unit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from civicladder import clock
from civicladder.db import db
from civicladder.models import User
from people.models import BargainingUnit
from reports import rules
from reports.models import ReportComment, ReportSnapshot
from tests.civicladder.test_demo_seed import seed


@pytest.fixture(scope="module")
def seeded(app, module_data) -> str:
    return module_data.build(lambda: seed(app))


def test_each_unit_has_its_last_two_quarters_published(app_ctx, seeded):
    latest = rules.default_period(clock.today())
    expected = {latest.previous().code, latest.code}
    units = db.session.scalars(sa.select(BargainingUnit)).all()
    snapshots = db.session.scalars(sa.select(ReportSnapshot)).all()
    assert len(units) == 2 and len(snapshots) == 4
    for unit in units:
        mine = [s for s in snapshots if s.bargaining_unit_id == unit.id]
        assert {s.period for s in mine} == expected
        for snapshot in mine:
            assert snapshot.content_hash == rules.content_hash(snapshot.content)
            assert snapshot.published_by_id is None  # the demo's history is the system's
            assert snapshot.content["scope"]["name"] == unit.name
    assert db.session.scalar(sa.select(sa.func.count(ReportComment.id))) == 0


def test_the_demo_union_rep_reads_the_published_reports(seeded, client_as):
    rep = db.session.scalar(sa.select(User).where(User.email.startswith("union@")))
    client = client_as(rep)
    home = client.get("/").text
    assert "latest published" in home
    snapshot_id = db.session.scalar(sa.select(sa.func.max(ReportSnapshot.id)))
    assert client.get(f"/reports/snapshots/{snapshot_id}").status_code == 200
