"""Fixtures of the API tests."""

from __future__ import annotations

import pytest

from tests.academy.factories import academy_factories
from tests.autonomy.factories import autonomy_factories


@pytest.fixture
def autonomy():
    return autonomy_factories()


@pytest.fixture
def academy(competencies):
    return academy_factories(competencies)
