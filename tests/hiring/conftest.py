"""Fixtures for hiring tests: the hiring factories beside the people and competency ones."""

import pytest

from tests.hiring.factories import hiring_factories


@pytest.fixture
def hiring(make_user, competencies):
    return hiring_factories(make_user, competencies)
