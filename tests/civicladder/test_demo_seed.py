"""`flask seed demo` builds the demo city into an empty database, once, and prints the sign-ins.

What the city holds is checked in test_demo_city.py, on one city built for that module.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.models import AuditEvent, User
from competencies.models import (
    Competency,
    CompetencyEvidence,
)
from people.models import (
    Department,
    Employee,
)

SIGN_IN_LINE = re.compile(r"^ +(\w+) +(\S+@\S+) +(\S+)$", re.MULTILINE)


def seed(app) -> str:
    # `flask` pushes an app context for every command; the test runner leaves that to us.
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    return result.output


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def count_sign_ins() -> int:
    """Accounts with a password; a hire's new account waits for an administrator's link."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.password_hash.is_not(None))
    )


def committed_users(app) -> int:
    """Users another connection can see, i.e. really committed."""
    with app.app_context():
        engine = db.engine
    with engine.connect() as other:
        return other.scalar(sa.select(sa.func.count(User.id)))


def test_every_demo_account_is_printed_and_signs_in_with_its_password(app):
    output = seed(app)
    sign_ins = SIGN_IN_LINE.findall(output)
    assert len(sign_ins) == count_sign_ins() == 5
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    assert {role for user in users.values() for role in user.roles} == set(Role)
    for label, email, password in sign_ins:
        assert len(password) >= 12 and "demo" in password
        client = app.test_client()
        response = client.post("/sign-in", data={"email": email, "password": password})
        assert response.status_code == 302, (label, email)
        assert response.headers["Location"] == "/"
        assert client.get("/").status_code == 200, (label, email)
    assert "demo data only" in output


def test_seed_commits_inside_the_test_transaction_and_loads_only_once(app):
    committed_before = committed_users(app)
    seed(app)
    assert count_sign_ins() == 5
    assert committed_users(app) == committed_before, "the seed's commit left the test's savepoint"
    models = [User, Employee, Department, Competency, CompetencyEvidence, AuditEvent]
    before = {model: count(model) for model in models}
    assert before[AuditEvent] > before[Employee]
    # Assessors score in their own names (the last score settles the application); everything
    # else is the system's.
    scoring = ["assessment.submitted", "application.assessed"]
    labels = sa.select(AuditEvent.actor_label).where(AuditEvent.action.not_in(scoring))
    assert set(db.session.scalars(labels.distinct())) == {"system"}
    output = seed(app)
    assert "not loaded again" in output
    assert not SIGN_IN_LINE.findall(output)
    assert {model: count(model) for model in models} == before
