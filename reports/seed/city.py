"""The synthetic city's reports: each bargaining unit's last finished quarter, published, so
that `make bench` reads a published report and its PDF at a city's size. As in the demo, each
PDF is rendered on its first download and kept (bench's warm-up makes that download), not while
the city is generated: rendering them all took most of the time of every small city the tests
build."""

from __future__ import annotations

import sqlalchemy as sa

from civicladder import clock
from civicladder.cli import CityContext
from civicladder.db import db
from people.models import BargainingUnit
from reports import live, rules, services


def build(ctx: CityContext) -> None:
    period = rules.default_period(clock.today())
    units = list(db.session.scalars(sa.select(BargainingUnit).order_by(BargainingUnit.name)))
    with ctx.progress(f"progress reports for {period.code}", len(units)) as bar:
        for unit in units:
            services.publish_unit_report(None, unit, period, tell_reps=False, pdf=False)
            bar.update(1)
    ctx.say(f"{len(units)} progress reports published for {period.code}")


def count_live_reports(ctx: CityContext) -> None:
    """The units' live reports counted ahead, as the scheduler keeps them."""
    stored = live.refresh()
    ctx.say(f"{stored} live reports counted ahead for the units' pages")
