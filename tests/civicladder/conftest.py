"""Fixtures for the route-wide tests (access matrix, bad input)."""

import pytest

from civicladder.db import db
from civicladder.models import User
from tests.conftest import client_with_session, start_test_session


@pytest.fixture(scope="module")
def world(module_data):
    """What the access matrix's rows point at, built once per module (see access_cases.py):
    a user for each role, a target user and employee outside everyone's line, a competency,
    a job profile, and so on. Ids only; each test finds the rows as built."""
    from tests.civicladder.test_access_matrix import build_world

    return module_data.build(lambda: build_world(module_data))


@pytest.fixture(scope="module")
def role_sessions(module_data, world) -> dict[str, tuple[str, str]]:
    """A session for each role's user, started once for the module: thousands of requests sign
    in as one of a handful of users, and each test's writes (a session ended among them) are
    rolled back before the next."""

    def start() -> dict[str, tuple[str, str]]:
        return {
            role: start_test_session(module_data.app, db.session.get(User, user_id))
            for role, user_id in world["users"].items()
        }

    return module_data.build(start)


@pytest.fixture
def client_for(app, client, world, role_sessions):
    def make(role: str):
        if role == "anonymous":
            return client
        user = db.session.get(User, world["users"][role])
        return client_with_session(app, user, *role_sessions[role])

    return make
