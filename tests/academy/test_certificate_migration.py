"""Migration 0019 fills existing certificates with what they certified, from their course and
session as they stand, and adds nothing a certificate did not have before (not revoked)."""

from __future__ import annotations

import json
from datetime import date

from civicladder.db import db
from tests.civicladder.test_migrations import (  # noqa: F401
    SEED_0001,
    _old_schema_writes,
    _rows,
    scratch_database_url,
)

# Sam Lee (employee 2) completed SAF-1, taught by Dana Ruiz (employee 1), in a session from
# 2 March 14:00 UTC to 4 March 03:00 UTC: 3 March in the evening, in New York.
SEED_0018 = [
    "INSERT INTO course (id, code, title, description, hours, delivery_mode, "
    "needs_manager_approval) VALUES (1, 'SAF-1', 'Site safety', '', 8, 'in_person', false)",
    "INSERT INTO course_outcome (course_id, competency_id, level, validity_months) "
    "VALUES (1, 1, 3, 12)",
    "INSERT INTO course_session (id, course_id, starts_at, ends_at, location, online_url, "
    "instructor_id, capacity, enrolled, arrivals) VALUES (1, 1, '2026-03-02 14:00:00+00', "
    "'2026-03-04 03:00:00+00', 'Room 1', '', 1, 10, 1, 1)",
    "INSERT INTO enrollment (id, session_id, employee_id, status, arrival, requested_at, "
    "decision_reason, score, result_on) VALUES (1, 1, 2, 'completed', 1, "
    "'2026-02-01 00:00:00+00', '', 90, '2026-03-10')",
    "INSERT INTO certificate (id, enrollment_id, code, issued_on, expires_on) "
    "VALUES (1, 1, 'AAAA-BBBB-CCCC', '2026-03-10', '2027-03-10')",
]


def test_existing_certificates_are_filled_from_their_course_and_session(scratch_database_url):  # noqa: F811
    from flask_migrate import upgrade

    from civicladder.app import create_app

    scratch = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": scratch_database_url}
    )
    with scratch.app_context():
        upgrade(revision="0001")
        with _old_schema_writes() as connection:
            for statement in SEED_0001:
                connection.exec_driver_sql(statement)
        upgrade(revision="0018")
        with _old_schema_writes() as connection:
            for statement in SEED_0018:
                connection.exec_driver_sql(statement)
        upgrade(revision="0019")
        with db.engine.connect() as connection:
            [row] = _rows(
                connection,
                "SELECT course_code, course_title, hours, first_day, last_day, instructor_name, "
                "outcomes, issued_on, revoked_at, revocation_reason FROM certificate",
            )
        db.engine.dispose()
    code, title, hours, first_day, last_day, instructor, outcomes, issued, revoked, reason = row
    assert (code, title, hours, instructor) == ("SAF-1", "Site safety", 8, "Dana Ruiz")
    assert (str(first_day), str(last_day)) == ("2026-03-02", "2026-03-03")
    if isinstance(outcomes, str):
        outcomes = json.loads(outcomes)
    assert outcomes == [{"code": "SAF", "name": "Safety", "level": 3, "validity_months": 12}]
    assert str(issued) == str(date(2026, 3, 10))  # the day it was issued stays as it was
    assert revoked is None and reason == ""
