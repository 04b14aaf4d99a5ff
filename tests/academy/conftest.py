"""Academy fixtures: the factories, on top of the people and competency ones."""

import pytest

from tests.academy.factories import academy_factories


@pytest.fixture
def academy(competencies):
    return academy_factories(competencies)
