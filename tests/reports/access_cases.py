"""The reports package's rows of the access matrix: the units' reports, publishing, snapshots,
their files and comments. A union rep of another unit is a column of its own."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from civicladder.db import db
from civicladder.models import User
from people.models import Employee, UnionRepUnit
from reports import services
from reports.rules import parse_period
from tests.civicladder.access_cases import Case, only, recorded


def world(kit, ids: dict) -> dict:
    """A unit the world's union rep represents, with six members and its 2026Q2 report
    published; another unit, with its own representative, and its 2026Q2 report too; the
    department of the world's manager, whose reports they read."""
    unit = kit.people.bargaining_unit(name="Matrix Local")
    other = kit.people.bargaining_unit(name="Other Local")
    for _ in range(6):
        kit.people.employee(bargaining_unit=unit)
        kit.people.employee(bargaining_unit=other)
    db.session.add(UnionRepUnit(user_id=ids["users"]["union_rep"], bargaining_unit_id=unit.id))
    other_rep = kit.people.union_rep(other)
    q2 = parse_period("2026Q2")
    snapshot = services.publish_unit_report(None, unit, q2)
    # No row downloads the other unit's PDF: it is left to a first download (seconds saved in
    # every module that builds the world).
    other_snapshot = services.publish_unit_report(None, other, q2, pdf=False)
    manager = db.session.scalar(
        sa.select(Employee).where(Employee.user_id == ids["users"]["manager"])
    )
    db.session.flush()
    return {
        "manager_department": manager.department_id,
        "report_unit": unit.id,
        "other_unit": other.id,
        "report_snapshot": snapshot.id,
        "other_snapshot": other_snapshot.id,
        "other_rep": other_rep.id,
    }


@pytest.fixture
def rep_of_other_unit(world, client_as):
    """A union representative of another unit only: none of the world unit's reports are theirs."""
    return client_as(db.session.get(User, world["other_rep"]))


ACTORS: tuple[str, ...] = ("rep_of_other_unit",)

NOT_THEIR_UNIT = {"rep_of_other_unit": 403}
READERS = only({"hr": 200, "union_rep": 200}) | NOT_THEIR_UNIT

CASES = [
    Case("reports.index", "GET", "/reports", only({"hr": 200, "union_rep": 200, "manager": 200})),
    Case("reports.unit_report", "GET", "/reports/units/{report_unit}", READERS),
    Case(
        "reports.publish",
        "GET",
        "/reports/units/{report_unit}/publish",
        only({"hr": 200}),
    ),
    Case(
        "reports.publish",
        "POST",
        "/reports/units/{report_unit}/publish",
        only({"hr": 302}) | NOT_THEIR_UNIT,
        {"period": "2026Q3", "confirmed": "yes"},
        recorded("report_snapshot.published", "hr"),
    ),
    # Asking for a report not counted ahead to be counted: its readers (here at once: no Redis).
    Case(
        "reports.count_unit",
        "POST",
        "/reports/units/{report_unit}/count",
        only({"hr": 302, "union_rep": 302}) | NOT_THEIR_UNIT,
        {"period": "2026Q3"},
        recorded("live_report.count_requested", "hr", "union_rep"),
    ),
    Case(
        "reports.count_department",
        "POST",
        "/reports/departments/{manager_department}/count",
        only({"hr": 302, "manager": 302}) | NOT_THEIR_UNIT,
        {"period": "2026Q3"},
        recorded("live_report.count_requested", "hr", "manager"),
    ),
    Case(
        "reports.department_report",
        "GET",
        "/reports/departments/{manager_department}",
        only({"hr": 200, "manager": 200}) | NOT_THEIR_UNIT,
    ),
    Case(
        "reports.publish_department",
        "GET",
        "/reports/departments/{manager_department}/publish",
        only({"hr": 200}) | NOT_THEIR_UNIT,
    ),
    Case(
        "reports.publish_department",
        "POST",
        "/reports/departments/{manager_department}/publish",
        only({"hr": 302}) | NOT_THEIR_UNIT,
        {"period": "2026Q3", "confirmed": "yes"},
        recorded("report_snapshot.published", "hr"),
    ),
    Case("reports.snapshot", "GET", "/reports/snapshots/{report_snapshot}", READERS),
    Case("reports.snapshot_csv", "GET", "/reports/snapshots/{report_snapshot}/report.csv", READERS),
    Case("reports.snapshot_pdf", "GET", "/reports/snapshots/{report_snapshot}/report.pdf", READERS),
    Case(
        "reports.comment",
        "POST",
        "/reports/snapshots/{report_snapshot}/comments",
        only({"hr": 302, "union_rep": 302}) | NOT_THEIR_UNIT,
        {"body": "The completion rate fell: which courses were cancelled?"},
        recorded("report_comment.added", "hr", "union_rep"),
    ),
]
