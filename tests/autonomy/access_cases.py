"""The autonomy package's rows of the access matrix: tracks, the queue, a person, decisions."""

from __future__ import annotations

import sqlalchemy as sa

from autonomy import outcomes
from autonomy.models import GrantStatus
from civicladder.access import Role
from civicladder.db import db
from people.models import Employee
from tests.civicladder.access_cases import EVERYONE_SIGNED_IN, REJECTED, Case, only, recorded
from tests.civicladder.factories import checked_import

NO_RECORDS = b"employee_number,metric_code,period_start,value\n"


def world(kit, ids: dict) -> dict:
    """A track over a job profile; in the manager's line, a person ready for level 1, and a
    proposal for level 2 made by a manager below them, waiting for a second approver."""
    safety = kit.competencies.competency()
    profile = kit.competencies.job_profile([(safety, 2, 1)])
    track = kit.autonomy.track(
        [profile],
        [{"requirements": [(safety, 2)]}, {"requirements": [(safety, 3)], "second_approval": True}],
    )
    first, second = track.levels
    manager = db.session.scalar(
        sa.select(Employee).where(Employee.user_id == ids["users"]["manager"])
    )
    ready = kit.people.employee(manager=manager, job_profile=profile)
    kit.competencies.evidence(ready, safety, 2)
    middle, middle_user = kit.people.employee_user(roles={Role.MANAGER}, manager=manager)
    proposed_for = kit.people.employee(manager=middle, job_profile=profile)
    kit.competencies.evidence(proposed_for, safety, 3)
    kit.autonomy.grant(proposed_for, first)
    proposal = kit.autonomy.grant(proposed_for, second, status=GrantStatus.PROPOSED)
    proposal.proposed_by_id = middle_user.id
    held = kit.people.employee(manager=manager, job_profile=profile)
    kit.competencies.evidence(held, safety, 3)
    held_grant = kit.autonomy.grant(held, second)
    db.session.flush()
    return {
        "ready_employee": ready.id,
        "proposal": proposal.id,
        "held_grant": held_grant.id,
        "track": track.id,
        "level": second.id,
        "track_competency": safety.id,
        "outcome_check": checked_import("outcomes", NO_RECORDS, outcomes.preview(NO_RECORDS)).id,
    }


ACTORS: tuple[str, ...] = ()

LEVEL_FORM = {
    "name": "Matrix level",
    "discretion-0-words": "May sign off their own inspections",
    "requirements-0-competency_id": "{track_competency}",
    "requirements-0-min_level": "3",
    "min_months": "6",
    "focused_review_days": "90",
    "outcome_metric_id": "0",
    "outcome_window_days": "90",
}
IN_LINE = only({"hr": 200, "manager": 200}, others=404)
DECIDERS = only({"hr": 302, "manager": 302})

CASES = [
    Case("autonomy.tracks", "GET", "/autonomy/tracks", EVERYONE_SIGNED_IN),
    # The held level's signed credential: its holder's (tests/autonomy/test_credentials.py)
    # and HR's; the holder's manager, like everyone else, finds nothing there.
    Case(
        "autonomy.grant_credential",
        "GET",
        "/autonomy/grants/{held_grant}/credential.jwt",
        only({"hr": 200}, others=404),
    ),
    Case("autonomy.queue", "GET", "/autonomy/queue", only({"hr": 200, "manager": 200})),
    Case("autonomy.person", "GET", "/autonomy/people/{ready_employee}", IN_LINE),
    Case(
        "autonomy.person",
        "POST",
        "/autonomy/people/{ready_employee}",
        IN_LINE | {"hr": 403, "manager": 302},  # HR reads the ladder; a manager of the line grants
        {"reason": "Handles every call in the script unaided."},
        recorded("autonomy_grant.active", "manager"),
    ),
    Case(
        "autonomy.approve",
        "POST",
        "/autonomy/grants/{proposal}/approve",
        DECIDERS,
        records=recorded("autonomy_grant.active", "hr", "manager"),
    ),
    Case(
        "autonomy.decline",
        "POST",
        "/autonomy/grants/{proposal}/decline",
        DECIDERS,
        {"reason": "Not yet: one more quarter of results first."},
        recorded("autonomy_grant.declined", "hr", "manager"),
    ),
    Case(
        "autonomy.supervision_page",
        "GET",
        "/autonomy/supervision",
        only({"hr": 200, "manager": 200}),
    ),
    Case("autonomy.reviews", "GET", "/autonomy/reviews", only({"hr": 200, "manager": 200})),
    Case(
        "autonomy.keep",
        "POST",
        "/autonomy/grants/{held_grant}/keep",
        DECIDERS,
        {"note": "Reviewed with the quarter's results."},
        recorded("autonomy_grant.reviewed", "hr", "manager"),
    ),
    Case(
        "autonomy.lower",
        "GET",
        "/autonomy/grants/{held_grant}/lower",
        only({"hr": 200, "manager": 200}),
    ),
    Case(
        "autonomy.lower",
        "POST",
        "/autonomy/grants/{held_grant}/lower",
        DECIDERS,
        {"reason": "Two complaints upheld this month."},
        recorded("autonomy_grant.revoked", "hr", "manager"),
    ),
    Case("autonomy.new_track", "GET", "/autonomy/tracks/new", only({"hr": 200})),
    Case(
        "autonomy.new_track",
        "POST",
        "/autonomy/tracks/new",
        only({"hr": 302}),
        {"code": "MX", "name": "Matrix track"},
        recorded("autonomy_track.created", "hr"),
    ),
    Case("autonomy.edit_track", "GET", "/autonomy/tracks/{track}/edit", only({"hr": 200})),
    Case(
        "autonomy.edit_track",
        "POST",
        "/autonomy/tracks/{track}/edit",
        only({"hr": 302}),
        {"code": "MX2", "name": "Renamed track"},
        recorded("autonomy_track.updated", "hr"),
    ),
    Case("autonomy.new_level", "GET", "/autonomy/tracks/{track}/levels/new", only({"hr": 200})),
    Case(
        "autonomy.new_level",
        "POST",
        "/autonomy/tracks/{track}/levels/new",
        only({"hr": 302}),
        LEVEL_FORM,
        recorded("autonomy_level.created", "hr"),
    ),
    Case("autonomy.edit_level", "GET", "/autonomy/levels/{level}/edit", only({"hr": 200})),
    Case(
        "autonomy.edit_level",
        "POST",
        "/autonomy/levels/{level}/edit",
        only({"hr": 302}),
        LEVEL_FORM,
        recorded("autonomy_level.revised", "hr"),  # someone holds it: a new version
    ),
    Case("autonomy.metrics", "GET", "/autonomy/metrics", only({"hr": 200})),
    Case("autonomy.new_metric", "GET", "/autonomy/metrics/new", only({"hr": 200})),
    Case(
        "autonomy.new_metric",
        "POST",
        "/autonomy/metrics/new",
        only({"hr": 302}),
        {"code": "MXM", "name": "Matrix metric", "unit": "%", "higher_is_better": "1"},
        recorded("outcome_metric.created", "hr"),
    ),
    Case("autonomy.import_outcomes", "GET", "/autonomy/outcomes/import", only({"hr": 200})),
    Case(
        "autonomy.import_outcomes",
        "POST",
        "/autonomy/outcomes/import",
        only({"hr": REJECTED}),  # no file chosen: the form says so
    ),
    Case(
        "autonomy.outcome_import",
        "GET",
        "/autonomy/outcomes/import/{outcome_check}",
        only({"hr": 200}),
    ),
    Case(
        "autonomy.commit_outcomes",
        "POST",
        "/autonomy/outcomes/import/{outcome_check}/commit",
        only({"hr": REJECTED}),  # its check found nothing to change
    ),
]
