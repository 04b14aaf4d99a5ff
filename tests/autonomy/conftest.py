"""Fixtures of the autonomy tests."""

from __future__ import annotations

from datetime import date

import pytest

from civicladder import clock
from tests.autonomy.factories import autonomy_factories


@pytest.fixture
def autonomy():
    return autonomy_factories()


TODAY = date(2026, 6, 30)  # the day the eligibility, review and supervision tests stand on


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
