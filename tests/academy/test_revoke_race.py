"""Two identical revocations at the same moment, each on its own connection: one revokes,
the other is told it already was; one audit event, never a 500."""

from __future__ import annotations

import sqlalchemy as sa

from academy.models import Certificate
from academy.models import EnrollmentStatus as S
from civicladder.access import Role
from civicladder.db import db
from civicladder.models import AuditEvent
from tests.academy.factories import academy_factories


def test_two_revocations_at_once_revoke_once(real_commits, people, competencies):
    real = real_commits
    academy = academy_factories(competencies)

    def build():
        enrollment = academy.enrollment(
            academy.session(days=-5), people.employee(employee_number="REVOKE-1"), S.COMPLETED
        )
        certificate = academy.certificate(enrollment)
        _, hr = people.employee_user(
            roles={Role.HR}, employee_number="REVOKE-HR", email="revoke.hr@city.test"
        )
        return certificate.id, hr.id

    certificate_id, hr_id = real.run(build)
    clients = [real.client(hr_id) for _ in range(2)]
    url = f"/academy/certificates/{certificate_id}/revoke"

    outcomes = real.concurrent(
        2, lambda i: clients[i].post(url, data={"reason": f"Issued in error ({i})."})
    )

    for outcome in outcomes:
        assert outcome.error is None, outcome.error
    assert sorted(o.value.status_code for o in outcomes) == [302, 409]
    events, reason = real.run(
        lambda: (
            db.session.scalar(
                sa.select(sa.func.count()).where(
                    AuditEvent.action == "certificate.revoked",
                    AuditEvent.object_id == str(certificate_id),
                )
            ),
            db.session.get(Certificate, certificate_id).revocation_reason,
        )
    )
    assert events == 1
    assert reason in ("Issued in error (0).", "Issued in error (1).")
