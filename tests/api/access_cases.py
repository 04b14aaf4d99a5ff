"""The API's rows of the access matrix: a signed-in session is no way in (every role gets
401); a token is, as far as its scopes go."""

from __future__ import annotations

import pytest

from academy.models import Course
from api.roster_routes import EMPLOYEES
from civicladder.db import db
from civicladder.models import JobRun
from people.models import JobProfile
from tests.api.factories import api_token
from tests.civicladder.access_cases import REJECTED, ROLES, Case, only, recorded


def world(kit, ids: dict) -> dict:
    """A token with every scope, and one with a scope other than the discretion check; a client
    with a token for the administrator's pages to act on."""
    held = api_token(["discretion:check"])
    full = api_token()
    return {
        "api_secret": full.secret,
        "api_secret_unscoped": api_token(["roster:read"]).secret,
        "api_client": held.token.client_id,
        "api_token": held.token.id,
        "api_employee_number": kit.people.employee().employee_number,
        "api_job_profile": db.session.get(JobProfile, ids["job_profile"]).code,
        "api_course": db.session.get(Course, ids["course"]).code,
        "api_batch": _batch_of(full.token.client_id),
    }


def _batch_of(client_id: int) -> int:
    """A batch of employees the client sent, waiting for its job."""
    run = JobRun(
        kind=EMPLOYEES.job,
        title="Employees",
        params={"file_id": None, "client_id": client_id, "acting_as": "A system", "rows": 2000},
    )
    db.session.add(run)
    db.session.flush()
    return run.id


def _client(app, secret: str):
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


@pytest.fixture
def api_caller(app, world):
    """A client of the API whose token carries every scope."""
    return _client(app, world["api_secret"])


@pytest.fixture
def api_caller_unscoped(app, world):
    """A client of the API whose token carries none of the scopes the routes here need."""
    return _client(app, world["api_secret_unscoped"])


ACTORS: tuple[str, ...] = ("api_caller", "api_caller_unscoped")

NO_SESSION = dict.fromkeys(ROLES, 401)
# Through the token check, the empty request is refused (422, nothing written); a token
# without the route's scope is refused with 403.
TOKEN_ONLY = NO_SESSION | {"api_caller": REJECTED, "api_caller_unscoped": 403}
READS = NO_SESSION | {"api_caller": 200, "api_caller_unscoped": 200}
# A read the unscoped column's token (roster:read alone) does not open.
SCOPED_READS = READS | {"api_caller_unscoped": 403}
OPEN = dict.fromkeys([*ROLES, *ACTORS], 200)

CASES = [
    Case(
        "api-docs.openapi_json",
        "GET",
        "/api/v1/openapi.json",
        dict.fromkeys([*ROLES, *ACTORS], 200),
    ),
    Case("api_reference.reference", "GET", "/api/v1/docs", dict.fromkeys(ROLES, 200)),
    # The unscoped column's token carries roster:read alone.
    Case(
        "api_people.departments", "GET", "/api/v1/departments", READS | {"api_caller_unscoped": 403}
    ),
    Case(
        "api_people.bargaining_units",
        "GET",
        "/api/v1/bargaining-units",
        READS | {"api_caller_unscoped": 403},
    ),
    Case("api_people.employees", "GET", "/api/v1/employees", READS),
    Case(
        "api_people.employee",
        "GET",
        "/api/v1/employees/{api_employee_number}",
        READS,
    ),
    # The world's employee has nothing verified: a learner record is refused (409) after the
    # token check.
    Case(
        "api_records.learner_record_json",
        "GET",
        "/api/v1/employees/{api_employee_number}/learner-record",
        NO_SESSION | {"api_caller": 409, "api_caller_unscoped": 403},
    ),
    Case(
        "api_records.learner_record_jwt",
        "GET",
        "/api/v1/employees/{api_employee_number}/learner-record.jwt",
        NO_SESSION | {"api_caller": 409, "api_caller_unscoped": 403},
    ),
    Case("api_evidence.evidence", "GET", "/api/v1/evidence", READS | {"api_caller_unscoped": 403}),
    Case("api_evidence.record_evidence", "POST", "/api/v1/evidence", TOKEN_ONLY),
    Case("api_autonomy.levels", "GET", "/api/v1/levels", READS | {"api_caller_unscoped": 403}),
    Case("api_events.changes", "GET", "/api/v1/events", READS | {"api_caller_unscoped": 403}),
    Case("api_reports.reports", "GET", "/api/v1/reports", READS | {"api_caller_unscoped": 403}),
    Case(
        "api_reports.report",
        "GET",
        "/api/v1/reports/{report_snapshot}",
        READS | {"api_caller_unscoped": 403},
    ),
    Case("api_discretion.check", "GET", "/api/v1/discretion/check", TOKEN_ONLY),
    Case("api_discretion.check_many", "POST", "/api/v1/discretion/checks", TOKEN_ONLY),
    Case("api_roster.upsert_employees", "POST", "/api/v1/employees", TOKEN_ONLY),
    Case("api_outcomes.record_outcomes", "POST", "/api/v1/outcomes", TOKEN_ONLY),
    # The batch is the full token's client's; the unscoped token's client may not send one.
    Case("api_batches.batch", "GET", "/api/v1/batches/{api_batch}", SCOPED_READS),
    Case("api_framework.framework", "GET", "/api/v1/framework", SCOPED_READS),
    Case("api_framework.framework_case", "GET", "/api/v1/framework/case", SCOPED_READS),
    Case("api_framework.import_framework_case", "POST", "/api/v1/framework/case", TOKEN_ONLY),
    Case("api_framework.job_profiles", "GET", "/api/v1/job-profiles", SCOPED_READS),
    Case(
        "api_framework.job_profile",
        "GET",
        "/api/v1/job-profiles/{api_job_profile}",
        SCOPED_READS,
    ),
    Case("api_training.courses", "GET", "/api/v1/courses", SCOPED_READS),
    Case("api_training.course", "GET", "/api/v1/courses/{api_course}", SCOPED_READS),
    Case("api_training.sessions", "GET", "/api/v1/sessions", SCOPED_READS),
    Case("api_training.enrollments", "GET", "/api/v1/enrollments", SCOPED_READS),
    # Open postings need no token: everyone reads them, with a token or without.
    Case("api_postings.postings", "GET", "/api/v1/postings", OPEN),
    Case("api_postings.posting", "GET", "/api/v1/postings/{open_round}", OPEN),
]

ADMIN_ONLY = only({"admin": 200})
CONFIRMED = {"reason": "The contract ended", "confirmed": "yes"}

CASES += [
    Case("api_admin.clients", "GET", "/admin/api-clients", ADMIN_ONLY),
    Case("api_admin.new_client", "GET", "/admin/api-clients/new", ADMIN_ONLY),
    Case(
        "api_admin.new_client",
        "POST",
        "/admin/api-clients/new",
        only({"admin": 302}),
        data={
            "name": "Permits",
            "contact": "permits@city.gov",
            "scopes": ["discretion:check", "roster:read"],
        },
        records=recorded("api_client.registered", "admin"),
    ),
    Case("api_admin.client", "GET", "/admin/api-clients/{api_client}", ADMIN_ONLY),
    Case(
        "api_admin.issue_token",
        "POST",
        "/admin/api-clients/{api_client}/tokens",
        ADMIN_ONLY,
        data={"label": "production", "scopes": ["discretion:check"], "days": "90"},
        records=recorded("api_token.issued", "admin"),
    ),
    Case(
        "api_admin.revoke_token", "GET", "/admin/api-clients/tokens/{api_token}/revoke", ADMIN_ONLY
    ),
    Case(
        "api_admin.revoke_token",
        "POST",
        "/admin/api-clients/tokens/{api_token}/revoke",
        only({"admin": 302}),
        data=CONFIRMED,
        records=recorded("api_token.revoked", "admin"),
    ),
    Case("api_admin.disable_client", "GET", "/admin/api-clients/{api_client}/disable", ADMIN_ONLY),
    Case(
        "api_admin.disable_client",
        "POST",
        "/admin/api-clients/{api_client}/disable",
        only({"admin": 302}),
        data=CONFIRMED,
        records=recorded("api_client.disabled", "admin"),
    ),
]
