"""Fixtures of the reports tests: every lower package's factories, and a small city."""

from __future__ import annotations

import pytest

from tests.academy.factories import academy_factories
from tests.autonomy.factories import autonomy_factories
from tests.hiring.factories import hiring_factories
from tests.reports.small_city import build_small_city


@pytest.fixture
def academy(competencies):
    return academy_factories(competencies)


@pytest.fixture
def autonomy():
    return autonomy_factories()


@pytest.fixture
def hiring(make_user, competencies):
    return hiring_factories(make_user, competencies)


@pytest.fixture
def small_city(people, competencies, academy, autonomy, hiring):
    """A bargaining unit of 20 members where every figure of 2026Q3 is known (small_city.py)."""
    return build_small_city(people, competencies, academy, autonomy, hiring)
