"""Fixtures for the route-wide tests (access matrix, bad input)."""

import pytest

from civicladder.db import db
from civicladder.models import User


@pytest.fixture(scope="module")
def world(module_data):
    """What the access matrix's rows point at, built once per module (see access_cases.py):
    a user for each role, a target user and employee outside everyone's line, a competency,
    a job profile, and so on. Ids only; each test finds the rows as built."""
    from tests.civicladder.test_access_matrix import build_world

    return module_data.build(lambda: build_world(module_data))


@pytest.fixture
def client_for(client, client_as, world):
    def make(role: str):
        if role == "anonymous":
            return client
        return client_as(db.session.get(User, world["users"][role]))

    return make
