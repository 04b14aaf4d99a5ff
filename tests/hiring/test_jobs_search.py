"""Candidates find jobs: the sign-in page, header, footer and home lead to the jobs page, which
searches, filters, sorts and pages by GET parameters, in as many queries at any size."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from civicladder import clock
from civicladder.access import Role
from hiring.models import RoundStatus, WorkSchedule


def _titles(page: str) -> list[str]:
    return re.findall(r'<h3 id="job-\d+"[^>]*><a href="/jobs/\d+">([^<]+)</a>', page)


@pytest.fixture
def openings(hiring, people):
    parks = people.department("Parks")
    transit = people.department("Transit")
    today = clock.today()
    made = {
        "gardener": hiring.round(
            title="Gardener",
            duties="Plant and prune the borders.",
            agency_id=parks.id,
            work_location="North yard",
            pay_min_cents=4_000_000,
            pay_max_cents=4_500_000,
            closes_on=today + timedelta(days=5),
        ),
        "driver": hiring.round(
            title="Bus driver",
            duties="Drive the routes safely.",
            agency_id=transit.id,
            work_location="Central depot",
            schedule=WorkSchedule.PART_TIME,
            pay_min_cents=5_000_000,
            pay_max_cents=6_000_000,
            closes_on=today + timedelta(days=20),
        ),
        "clerk": hiring.round(
            title="Depot clerk",
            duties="Keep the depot's records; some pruning of files.",
            agency_id=transit.id,
            work_location="Central depot",
            closes_on=today + timedelta(days=10),
        ),
    }
    hiring.round(RoundStatus.CLOSED, title="Closed gardener", agency_id=parks.id)
    return made, parks, transit


def test_every_open_posting_is_listed_closing_soonest_first(client, openings):
    page = client.get("/jobs")
    assert page.status_code == 200
    assert _titles(page.text) == ["Gardener", "Depot clerk", "Bus driver"]
    assert "3 openings" in page.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=prun", ["Gardener", "Depot clerk"]),  # duties as well as titles
        ("q=DRIVER", ["Bus driver"]),
        ("agency={transit}", ["Depot clerk", "Bus driver"]),
        ("location=North+yard", ["Gardener"]),
        ("schedule=part_time", ["Bus driver"]),
        ("min_pay=48000", ["Bus driver"]),
        ("closes_by={in_12_days}", ["Gardener", "Depot clerk"]),
        ("agency={transit}&schedule=full_time", ["Depot clerk"]),
        ("sort=pay", ["Bus driver", "Gardener", "Depot clerk"]),
        ("sort=newest&agency={transit}", ["Depot clerk", "Bus driver"]),
        ("q=astronaut", []),
    ],
)
def test_the_jobs_page_searches_and_filters_by_its_address(client, openings, query, expected):
    _, parks, transit = openings
    in_12_days = (clock.today() + timedelta(days=12)).isoformat()
    url = "/jobs?" + query.format(transit=transit.id, parks=parks.id, in_12_days=in_12_days)
    response = client.get(url)
    assert response.status_code == 200
    assert _titles(response.text) == expected
    if not expected:
        assert "No openings match this search." in response.text


def test_filters_offer_the_agencies_and_locations_of_open_postings(client, openings, people):
    people.department("Libraries")  # no opening: not offered
    page = client.get("/jobs").text
    agency_options = re.search(r'<select[^>]*name="agency".*?</select>', page, re.S).group(0)
    assert ">Parks<" in agency_options and ">Transit<" in agency_options
    assert "Libraries" not in agency_options
    assert '<option value="Central depot">' in page and '<option value="North yard">' in page


@pytest.mark.parametrize(
    "query",
    ["schedule=always", "agency=banana", "agency=999999", "min_pay=-5", "closes_by=2026-02-30"],
)
def test_a_filter_the_page_does_not_offer_is_refused_with_a_message(client, openings, query):
    response = client.get("/jobs?" + query)
    assert response.status_code == 422
    assert "There is a problem" in response.text


def test_the_jobs_page_pages(client, hiring, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    for n in range(5):
        hiring.round(title=f"Opening {n}", closes_on=clock.today() + timedelta(days=n + 1))
    first = client.get("/jobs").text
    assert _titles(first) == ["Opening 0", "Opening 1"]
    third = client.get("/jobs?page=3").text
    assert _titles(third) == ["Opening 4"]


def test_the_jobs_page_makes_as_many_queries_at_any_size(client, hiring, count_queries, people):
    counts = []
    agency = people.department("Parks")
    for size in (3, 30):
        for n in range(size):
            hiring.round(
                title=f"Gardener {size}-{n}",
                duties="Plant and prune.",
                agency_id=agency.id,
                work_location=f"Yard {n % 4}",
                pay_min_cents=4_000_000,
                pay_max_cents=4_500_000,
            )
        for url in ("/jobs", f"/jobs?q=garden&agency={agency.id}&sort=pay"):
            client.get(url)
            with count_queries() as statements:
                assert client.get(url).status_code == 200
            counts.append(len(statements))
    assert counts[:2] == counts[2:], counts


def test_a_posting_makes_as_many_queries_whatever_its_applications(client, hiring, count_queries):
    counts = []
    for size in (2, 40):
        hiring_round = hiring.round()
        for _ in range(size):
            hiring.application(hiring_round)
        client.get(f"/jobs/{hiring_round.id}")
        with count_queries() as statements:
            assert client.get(f"/jobs/{hiring_round.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_signed_out_the_header_footer_and_sign_in_page_lead_to_the_jobs(client):
    page = client.get("/sign-in").text
    header = re.search(r"<header.*?</header>", page, re.S).group(0)
    footer = re.search(r'<div class="usa-identifier cl-footer">.*?</div>\s*<script', page, re.S)
    main = re.search(r"<main.*?</main>", page, re.S).group(0)
    for part in (header, footer.group(0), main):
        assert 'href="/jobs"' in part


def test_signed_in_the_home_page_and_footer_lead_to_the_jobs(client_as, hiring):
    hiring.round(title="Gardener")
    page = client_as(Role.EMPLOYEE).get("/").text
    main = re.search(r"<main.*?</main>", page, re.S).group(0)
    assert "1 opening is taking applications" in main and 'href="/jobs"' in main
    footer = re.search(r'<div class="usa-identifier cl-footer">.*?</div>\s*<script', page, re.S)
    assert 'href="/jobs"' in footer.group(0)
