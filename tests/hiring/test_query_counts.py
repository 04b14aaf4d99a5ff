"""The round's applications list, the ranked list and an assessor's queue make as many queries
at any number of applications."""

from __future__ import annotations

import pytest

from civicladder.access import Role
from hiring.models import ApplicationStatus, RoundStatus


def _round_with(hiring, size: int):
    """Half the applications assessed by both assessors, half waiting for the first's scores."""
    hiring_round = hiring.round(RoundStatus.ASSESSING)
    first, second = hiring.panel(hiring_round)
    rubric = hiring.rubric_ids(hiring_round)
    for n in range(size):
        done = n % 2 == 1
        status = ApplicationStatus.ASSESSED if done else ApplicationStatus.SCREENED_IN
        application = hiring.application(hiring_round, status)
        hiring.assessment(application, first, dict.fromkeys(rubric, 1 + n % 5) if done else None)
        hiring.assessment(application, second, dict.fromkeys(rubric, 1 + n % 5))
    return hiring_round, first


def _count(client, url, count_queries) -> int:
    client.get(url)  # warm the session and caches alike for both sizes
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("which", ["round", "ranking", "queue"])
def test_query_count_does_not_grow_with_applications(
    which, hiring, client_as, make_user, count_queries
):
    counts = []
    hr = client_as(make_user({Role.HR}))
    for size in (10, 200):
        hiring_round, assessor = _round_with(hiring, size)
        if which == "round":
            counts.append(_count(hr, f"/hiring/rounds/{hiring_round.id}", count_queries))
        elif which == "ranking":
            url = f"/hiring/rounds/{hiring_round.id}/ranking"
            counts.append(_count(hr, url, count_queries))
        else:
            client = client_as(assessor)
            counts.append(_count(client, f"/assess/rounds/{hiring_round.id}", count_queries))
    assert counts[0] == counts[1], counts
