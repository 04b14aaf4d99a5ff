"""The demo city's reports: each bargaining unit's last two quarters, published (by the system,
as the demo's whole history is) so union reps and HR find reports to read and comment on.
Their PDFs are rendered on the first download, so that setting up the demo stays quick."""

from __future__ import annotations

import sqlalchemy as sa

from civicladder import clock
from civicladder.db import db
from people.models import BargainingUnit
from reports import rules, services

QUARTERS = 2


def build(built: dict) -> None:
    latest = rules.default_period(clock.today())
    periods = [latest]
    while len(periods) < QUARTERS:
        periods.insert(0, periods[0].previous())
    for unit in db.session.scalars(sa.select(BargainingUnit).order_by(BargainingUnit.name)):
        for period in periods:
            services.publish_unit_report(None, unit, period, tell_reps=False, pdf=False)
