"""The API against its own OpenAPI document, by schemathesis: generated requests (valid ones and
ones that break the schema) to every route, with a token holding every scope, must get no
server error and answers that match what the document says (status codes, media types, bodies,
headers); the same routes without a token must refuse. A request the document allows may
still be refused (422) where the document cannot know the answer: a cursor the API never gave,
an item key no level defines, an amount missing where the person's item has a limit; so
"schema-valid requests are accepted" is the one check left out. Examples are bounded to keep
the suite quick; the data behind them is a few people holding levels with discretion items,
a completed session with its certificate, and an open posting."""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from academy.models import EnrollmentStatus
from civicladder.db import db
from tests.academy.factories import academy_factories
from tests.api.factories import api_token
from tests.autonomy.factories import autonomy_factories
from tests.hiring.factories import hiring_factories


@pytest.fixture
def bearer(app, people, competencies, make_user):
    """A token with every scope, and a little data to answer from."""
    with app.test_request_context():
        autonomy = autonomy_factories()
        skill = competencies.competency()
        profile = competencies.job_profile([(skill, 2, 1)])
        track = autonomy.track(
            [profile],
            [
                {
                    "requirements": [(skill, 2)],
                    "discretion": [
                        ("waive-fee", "May waive a late fee", 250, "USD"),
                        ("close-complaint", "May close a complaint without sign-off"),
                    ],
                }
            ],
        )
        for n in range(3):
            person = people.employee(job_profile=profile, employee_number=f"C-{n}")
            autonomy.grant(person, track.levels[0], effective_on=date(2026, 1, 1))
        # A session with a completion and its certificate, and an open posting.
        academy = academy_factories(competencies)
        session = academy.session(academy.course([(skill, 2, 12)]), days=-3, instructor=person)
        academy.certificate(academy.enrollment(session, person, EnrollmentStatus.COMPLETED))
        hiring_factories(make_user, competencies).round(agency_id=person.department_id)
        db.session.flush()
        secret = api_token().secret
    return {"Authorization": f"Bearer {secret}"}


def test_every_route_keeps_to_its_document(app, bearer):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [found.ok() for found in schema.get_all_operations()]
    assert len(operations) >= 6
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20,
            deadline=None,
            # The same examples on every run, so the suite does not flicker; widen by hand
            # (derandomize=True, more examples) when changing the API.
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_to_it(case):
            case.call_and_validate(headers=bearer, excluded_checks=[positive_data_acceptance])

        try:
            keeps_to_it()
        except Exception as failure:  # noqa: BLE001 (each operation's failure is reported)
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)
