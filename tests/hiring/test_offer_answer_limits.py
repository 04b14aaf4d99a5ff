"""A candidate's answers through their status link are rate-limited per client address and per
link: accepting or declining an offer, and leaving an eligible list."""

from __future__ import annotations

import pytest

from civicladder.extensions import limiter
from hiring.models import ApplicationStatus, RoundStatus

HOME = "192.0.2.60"
ELSEWHERE = "203.0.113.61"


@pytest.fixture
def limits(app, monkeypatch):
    def set_limits(per_address: str = "10000 per minute", per_link: str = "10000 per minute"):
        monkeypatch.setitem(app.config, "OFFER_ANSWER_LIMIT_PER_ADDRESS", per_address)
        monkeypatch.setitem(app.config, "OFFER_ANSWER_LIMIT_PER_LINK", per_link)
        monkeypatch.setattr(limiter, "enabled", True)

    limiter.reset()
    yield set_limits
    limiter.reset()


def _offered(hiring, token: str):
    application = hiring.application(
        hiring.round(RoundStatus.RANKED), ApplicationStatus.OFFERED, token=token
    )
    hiring.offer(application)
    return application


def _decline(app, token: str, address: str, reason: str = ""):
    return app.test_client().post(
        f"/jobs/status/{token}/offer/decline",
        data={"reason": reason},
        environ_base={"REMOTE_ADDR": address},
    )


def test_answers_through_one_link_are_limited_with_a_clear_page(app, hiring, limits):
    limits(per_link="2 per hour")
    first, other = _offered(hiring, "limit-link-1"), _offered(hiring, "limit-link-2")
    tries = [_decline(app, "limit-link-1", address).status_code for address in (HOME, ELSEWHERE)]
    assert tries == [422, 422]  # a reason is missing: each attempt still counts
    refused = _decline(app, "limit-link-1", ELSEWHERE, "I found other work.")
    assert refused.status_code == 429 and "through this status link" in refused.text
    assert first.status == ApplicationStatus.OFFERED
    # Accepting through the same link counts too; another link is not held back.
    accepting = app.test_client().post(
        "/jobs/status/limit-link-1/offer/accept", environ_base={"REMOTE_ADDR": HOME}
    )
    assert accepting.status_code == 429
    assert _decline(app, "limit-link-2", HOME, "I moved away.").status_code == 302
    assert other.status == ApplicationStatus.DECLINED


def test_answers_from_one_address_are_limited_across_links(app, hiring, limits):
    limits(per_address="2 per hour")
    for n in range(3):
        _offered(hiring, f"limit-address-{n}")
    codes = [_decline(app, f"limit-address-{n}", HOME).status_code for n in range(3)]
    assert codes == [422, 422, 429]
    leave = app.test_client().post(
        "/jobs/status/limit-address-2/eligible-list/leave", environ_base={"REMOTE_ADDR": HOME}
    )
    assert leave.status_code == 429
    assert _decline(app, "limit-address-2", ELSEWHERE, "No longer free.").status_code == 302
