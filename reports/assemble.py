"""A report's content as a page, a PDF, CSV and a snapshot show it: the figures of the period
(queries) and of the periods before it (trends), every count protected (rules)."""

from __future__ import annotations

from flask import current_app

from people.models import BargainingUnit
from reports import queries, rules, trends
from reports.rules import Period


def unit_report(unit: BargainingUnit, period: Period) -> dict:
    """A unit's report for a period as shown live (and as a snapshot freezes it)."""
    scope = {"kind": "bargaining_unit", "id": unit.id, "code": unit.code, "name": unit.name}
    minimum = current_app.config["SMALL_GROUP_MINIMUM"]
    return rules.report_content(
        scope,
        period,
        minimum,
        queries.unit_figures(unit.id, period),
        trends.unit_trend(unit.id, period),
    )
