"""flask reports publish: every unit's report for a period, with progress, safe to run twice."""

from __future__ import annotations

import sqlalchemy as sa

from civicladder.db import db
from civicladder.models import Notification, OutboxMessage
from reports.models import ReportSnapshot


def publish(app, *args):
    return app.test_cli_runner().invoke(args=["reports", "publish", *args])


def test_publish_makes_each_units_snapshot_once_and_says_so(app, small_city, people):
    empty = people.bargaining_unit(name="Zero Local")
    db.session.commit()
    first = publish(app, "--period", "2026Q3")
    assert first.exit_code == 0, first.output
    assert "Publishing the 2026Q3 reports of 3 bargaining units." in first.output
    assert "[1/3] Local 100: published, SHA-256 " in first.output
    assert "[3/3] Zero Local: published" in first.output
    assert "Done: 3 published, 0 already published for 2026Q3." in first.output
    snapshots = db.session.scalars(sa.select(ReportSnapshot).order_by(ReportSnapshot.id)).all()
    assert {s.bargaining_unit_id for s in snapshots} == {
        small_city.unit.id,
        small_city.other.id,
        empty.id,
    }
    hashes = {s.id: s.content_hash for s in snapshots}
    again = publish(app, "--period", "2026q3")
    assert again.exit_code == 0, again.output
    assert "[1/3] Local 100: already published, skipped" in again.output
    assert "Done: 0 published, 3 already published for 2026Q3." in again.output
    after = db.session.scalars(sa.select(ReportSnapshot)).all()
    assert {s.id: s.content_hash for s in after} == hashes


def test_a_bad_or_unfinished_period_is_refused_with_a_message(app, small_city):
    for period, message in [("2026Q7", "is not a period"), ("2999Q1", "publish it once")]:
        result = publish(app, "--period", period)
        assert result.exit_code != 0 and message in result.output
    assert db.session.scalar(sa.select(sa.func.count(ReportSnapshot.id))) == 0


def test_the_reps_notice_from_the_command_carries_a_full_working_link(
    app, small_city, people, client_as, monkeypatch
):
    rep = people.union_rep(small_city.unit)
    db.session.commit()
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://ladder.city.example")
    result = publish(app, "--period", "2026Q3")  # no request: the command's own app context
    assert result.exit_code == 0, result.output
    snapshot = db.session.scalar(
        sa.select(ReportSnapshot).where(ReportSnapshot.bargaining_unit_id == small_city.unit.id)
    )
    notice = db.session.scalar(sa.select(Notification).where(Notification.user_id == rep.id))
    assert notice.link == f"/reports/snapshots/{snapshot.id}"
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_address == rep.email))
    assert f"https://ladder.city.example/reports/snapshots/{snapshot.id}" in mail.body
    page = client_as(rep).get(notice.link)
    assert page.status_code == 200 and "2026Q3" in page.text
