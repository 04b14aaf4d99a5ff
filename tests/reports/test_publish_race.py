"""Two HR officers publish the same report at the same moment: one snapshot, one clear refusal."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.models import AuditEvent
from reports.models import ReportSnapshot

_unique = itertools.count(1)


def test_publishing_twice_at_once_makes_one_snapshot_and_a_409(real_commits, people, make_user):
    real = real_commits
    run = next(_unique)

    def build():
        unit = people.bargaining_unit(code=f"RACE{run}", name=f"Race Local {run}")
        for n in range(6):
            people.employee(
                bargaining_unit=unit,
                employee_number=f"PUB{run}-{n}",
                email=f"pub{run}.{n}@city.test",
            )
        officers = [make_user({Role.HR}, email=f"hr{run}.{n}@city.test").id for n in range(2)]
        return unit.id, officers

    unit_id, officers = real.run(build)
    clients = [real.client(user_id) for user_id in officers]
    url = f"/reports/units/{unit_id}/publish"
    data = {"period": "2026Q3", "confirmed": "yes"}

    outcomes = real.concurrent(2, lambda i: clients[i].post(url, data=data))

    for outcome in outcomes:
        assert outcome.error is None, outcome.error
    statuses = sorted(outcome.value.status_code for outcome in outcomes)
    assert statuses == [302, 409]
    refused = next(o.value for o in outcomes if o.value.status_code == 409)
    # The loser waited for the winner's lock: it finds the report published, or its job
    # still at work (jobs run right after the commit that asks for them).
    assert (
        "a published report never changes" in refused.text
        or "is being published already" in refused.text
    )
    snapshots, events = real.run(
        lambda: (
            db.session.scalar(
                sa.select(sa.func.count(ReportSnapshot.id)).where(
                    ReportSnapshot.bargaining_unit_id == unit_id
                )
            ),
            db.session.scalar(
                sa.select(sa.func.count(AuditEvent.id)).where(
                    AuditEvent.action == "report_snapshot.published",
                    AuditEvent.object_label == f"Race Local {run}, 2026Q3",
                )
            ),
        )
    )
    assert (snapshots, events) == (1, 1)
