"""The public application form is rate-limited per client address and per email address."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from civicladder.db import db
from civicladder.extensions import limiter
from hiring.models import Application

HOME = "192.0.2.44"
LIBRARY = "198.51.100.7"
ELSEWHERE = "203.0.113.9"


@pytest.fixture
def limits(app, monkeypatch):
    def set_limits(per_address: str = "10000 per minute", per_email: str = "10000 per minute"):
        monkeypatch.setitem(app.config, "APPLICATION_LIMIT_PER_ADDRESS", per_address)
        monkeypatch.setitem(app.config, "APPLICATION_LIMIT_PER_EMAIL", per_email)
        monkeypatch.setattr(limiter, "enabled", True)

    limiter.reset()
    yield set_limits
    limiter.reset()


def apply(app, hiring_round, email: str, address: str, answer: str = "I led a crew."):
    data = {"full_name": "Sam Ortiz", "email": email}
    data |= {f"answer_{q.id}": answer for q in hiring_round.questions}
    return app.test_client().post(
        f"/jobs/{hiring_round.id}", data=data, environ_base={"REMOTE_ADDR": address}
    )


def _count(round_ids) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Application.round_id.in_(round_ids)))


def test_applications_from_one_address_are_limited_with_a_clear_page(app, hiring, limits):
    limits(per_address="2 per hour")
    rounds = [hiring.round() for _ in range(3)]
    answers = [apply(app, r, f"person{n}@example.test", LIBRARY) for n, r in enumerate(rounds)]
    assert [r.status_code for r in answers] == [302, 302, 429]
    assert "Too many applications have been sent from here" in answers[2].text
    assert _count([r.id for r in rounds]) == 2
    # Another address is not held back.
    assert apply(app, rounds[2], "person2@example.test", ELSEWHERE).status_code == 302


def test_accepted_applications_per_email_are_limited_whatever_the_address(app, hiring, limits):
    limits(per_email="2 per day")
    rounds = [hiring.round() for _ in range(3)]
    addresses = [HOME, LIBRARY, ELSEWHERE]
    codes = [
        apply(app, r, "Sam.Ortiz@example.test", a).status_code
        for r, a in zip(rounds, addresses, strict=True)
    ]
    assert codes == [302, 302, 429]
    assert _count([r.id for r in rounds]) == 2
    assert apply(app, rounds[2], "someone.else@example.test", HOME).status_code == 302


def test_correcting_mistakes_in_the_form_does_not_use_up_the_email_limit(app, hiring, limits):
    limits(per_email="1 per day")
    hiring_round = hiring.round()
    for _ in range(3):
        assert apply(app, hiring_round, "sam@example.test", HOME, answer="").status_code == 422
    assert apply(app, hiring_round, "sam@example.test", HOME).status_code == 302
