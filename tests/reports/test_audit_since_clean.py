"""The audit works out again only the years whose figures changed since it found them clean,
says so, and still finds a fault in a year that changed; --all works out every year."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from academy.models import EnrollmentStatus as E
from civicladder.db import db
from reports import disclosure
from reports.models import AuditedYear, ProtectedBlock
from tests.reports.small_city import _session
from tests.reports.test_audit import only_small_counts, run_audit


def years_worked_out(output: str) -> tuple[int, int]:
    found = re.search(r"(\d+) year\(s\) worked out(?:, (\d+) unchanged)?", output)
    assert found, output
    return int(found[1]), int(found[2] or 0)


@pytest.mark.usefixtures("app_ctx")
def test_a_second_audit_works_out_only_the_year_that_changed(app, small_city, academy):
    first = run_audit(app, "--unit", "L100")
    assert first.exit_code == 0, first.output
    solved, unchanged = years_worked_out(first.output)
    assert solved >= 2 and unchanged == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditedYear.id))) == solved

    again = run_audit(app, "--unit", "L100")
    assert again.exit_code == 0, again.output
    assert years_worked_out(again.output) == (0, solved)
    assert "unchanged since found clean" in again.output

    made = _session(academy, academy.course(hours=1), date(2026, 9, 14))
    for person in list(small_city.P.values())[:6]:
        academy.enrollment(made, person, E.COMPLETED)
    db.session.commit()
    changed = run_audit(app, "--unit", "L100")
    assert changed.exit_code == 0, changed.output
    assert years_worked_out(changed.output) == (1, solved - 1)

    everything = run_audit(app, "--unit", "L100", "--all")
    assert everything.exit_code == 0, everything.output
    assert years_worked_out(everything.output) == (solved, 0)


@pytest.mark.usefixtures("app_ctx")
def test_a_year_that_changed_since_it_was_found_clean_is_checked_and_its_fault_found(
    app, small_city, monkeypatch
):
    assert run_audit(app, "--unit", "L100").exit_code == 0
    # The same figures protected as reports once were: what a reader sees changes.
    db.session.execute(sa.delete(ProtectedBlock))
    db.session.commit()
    monkeypatch.setattr(disclosure, "protect", only_small_counts)
    result = run_audit(app, "--unit", "L100")
    assert result.exit_code == 1
    assert "L100 2026Q3, training: members not enrolled: counts fewer than 5" in result.output
