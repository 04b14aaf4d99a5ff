"""A posting says what a job seeker looks for first; HR states it when starting a round, the
job profile supplies defaults, and open postings carry schema.org JobPosting JSON-LD."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from civicladder import clock
from civicladder.access import Role
from civicladder.audit import AuditEvent
from civicladder.db import db
from civicladder.errors import Invalid
from hiring import services
from hiring.models import HiringRound, RoundStatus, WorkSchedule
from hiring.posting import PostingDetails

LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _profile(competencies, description="Keep the city's parks safe and clean."):
    profile = competencies.job_profile([(competencies.competency(), 2, 1)])
    profile.description = description
    db.session.flush()
    return profile


def _create(profile, **posting):
    today = clock.today()
    return services.create_round(
        None,
        job_profile_id=profile.id,
        title="Gardener",
        openings=1,
        opens_on=today,
        closes_on=today + timedelta(days=10),
        posting=PostingDetails(**posting),
    )


def test_a_round_keeps_its_posting_and_its_audit_says_so(competencies, people, _transaction):
    agency = people.department("Parks")
    hiring_round = _create(
        _profile(competencies),
        agency_id=agency.id,
        work_location="  Riverside depot  ",
        schedule=WorkSchedule.PART_TIME,
        weekly_hours=20,
        pay_min_cents=4_200_000,
        pay_max_cents=5_150_050,
        working_conditions="Outdoors in all weathers.",
        process_weeks=6,
        closing_time=time(17, 0),
        accommodation_contact="hr-access@example.test",
    )
    db.session.expire_all()
    stored = db.session.get(HiringRound, hiring_round.id)
    assert (stored.agency_id, stored.work_location) == (agency.id, "Riverside depot")
    assert (stored.schedule, stored.weekly_hours) == (WorkSchedule.PART_TIME, 20)
    assert (stored.pay_min_cents, stored.pay_max_cents) == (4_200_000, 5_150_050)
    assert stored.closing_time == time(17, 0) and stored.process_weeks == 6
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "hiring_round.created")
    )
    assert event.after["pay_max_cents"] == 5_150_050 and event.after["closing_time"] == "17:00"


def test_the_job_profile_supplies_the_duties_hr_left_out(competencies):
    hiring_round = _create(_profile(competencies, "Mow, plant and prune."))
    assert hiring_round.duties == "Mow, plant and prune."
    written = _create(_profile(competencies), duties="Run the nursery.")
    assert written.duties == "Run the nursery."


@pytest.mark.parametrize(
    ("posting", "field"),
    [
        ({"pay_min_cents": 5_000_000, "pay_max_cents": 4_000_000}, "pay_max"),
        ({"pay_min_cents": 5_000_000}, "pay_max"),
        ({"pay_max_cents": 5_000_000}, "pay_min"),
        ({"pay_min_cents": -1, "pay_max_cents": 5}, "pay_min"),
        ({"weekly_hours": 0}, "weekly_hours"),
        ({"process_weeks": 53}, "process_weeks"),
    ],
)
def test_a_posting_out_of_order_is_refused_on_its_field(competencies, posting, field):
    with pytest.raises(Invalid) as refused:
        _create(_profile(competencies), **posting)
    assert refused.value.field == field


def test_the_agency_must_be_an_agency(competencies, people):
    division = people.department("Parks > Forestry").parent_id
    unit = people.department("Parks > Forestry")
    assert division is not None
    with pytest.raises(Invalid) as refused:
        _create(_profile(competencies), agency_id=unit.id)
    assert refused.value.field == "agency_id"


def _round_form(profile, **overrides):
    data = {
        "job_profile_id": str(profile.id),
        "title": "Arborist",
        "openings": "1",
        "opens_on": clock.today().isoformat(),
        "closes_on": (clock.today() + timedelta(days=20)).isoformat(),
        "best_qualified_from": "4.00",
        "well_qualified_from": "3.25",
        "qualified_from": "2.50",
    }
    return data | overrides


def test_hr_states_the_posting_on_the_new_round_form(client_as, competencies, people):
    agency = people.department("Parks")
    profile = _profile(competencies)
    hr = client_as(Role.HR)
    form = hr.get("/hiring/rounds/new").text
    for name in ("agency_id", "work_location", "schedule", "weekly_hours", "pay_min", "pay_max"):
        assert f'name="{name}"' in form
    response = hr.post(
        "/hiring/rounds/new",
        data=_round_form(
            profile,
            agency_id=str(agency.id),
            work_location="Riverside depot",
            schedule="part_time",
            weekly_hours="20",
            pay_min="42000",
            pay_max="51500.50",
            closing_time="17:00",
        ),
    )
    assert response.status_code == 302
    stored = db.session.scalar(sa.select(HiringRound).where(HiringRound.title == "Arborist"))
    assert (stored.pay_min_cents, stored.pay_max_cents) == (4_200_000, 5_150_050)
    assert stored.closing_time == time(17, 0) and stored.schedule == WorkSchedule.PART_TIME


def test_a_pay_range_out_of_order_shows_on_the_form(client_as, competencies):
    hr = client_as(Role.HR)
    response = hr.post(
        "/hiring/rounds/new",
        data=_round_form(_profile(competencies), pay_min="60000", pay_max="50000"),
    )
    assert response.status_code == 422
    assert "The top of the pay range is below its bottom." in response.text
    assert 'href="#pay_max"' in response.text


def test_the_form_starts_from_the_job_profiles_latest_round(client_as, competencies, hiring):
    profile = _profile(competencies, "Mow, plant and prune.")
    hiring.round(
        RoundStatus.COMPLETED,
        job_profile_id=profile.id,
        work_location="North yard",
        pay_min_cents=4_000_000,
        pay_max_cents=4_800_000,
    )
    hr = client_as(Role.HR)
    page = hr.get(f"/hiring/rounds/new?job_profile={profile.id}").text
    assert 'value="North yard"' in page and 'value="40000.00"' in page
    assert "Mow, plant and prune." in page


def _ld(page: str) -> dict | None:
    found = LD.findall(page)
    assert len(found) <= 1
    return json.loads(found[0]) if found else None


def test_an_open_posting_carries_job_posting_json_ld(client, app, hiring, people):
    agency = people.department("Parks")
    hiring_round = hiring.round(
        RoundStatus.OPEN,
        title="Arborist </script><b>",
        agency_id=agency.id,
        work_location="Riverside depot",
        schedule=WorkSchedule.FULL_TIME,
        pay_min_cents=4_200_000,
        pay_max_cents=5_150_050,
        duties="Climb & prune <carefully>.",
    )
    page = client.get(f"/jobs/{hiring_round.id}").text
    ld = _ld(page)
    assert ld["@type"] == "JobPosting" and ld["title"] == "Arborist </script><b>"
    assert ld["datePosted"] == hiring_round.opens_on.isoformat()
    assert datetime.fromisoformat(ld["validThrough"]) > clock.now()
    assert ld["hiringOrganization"]["name"] == app.config["CITY_NAME"]
    assert ld["hiringOrganization"]["department"]["name"] == "Parks"
    assert ld["jobLocation"]["address"]["streetAddress"] == "Riverside depot"
    assert ld["jobLocation"]["address"]["addressCountry"] == "US"
    assert ld["baseSalary"]["value"] == {
        "@type": "QuantitativeValue",
        "minValue": 42000,
        "maxValue": 51500.5,
        "unitText": "YEAR",
    }
    assert ld["employmentType"] == "FULL_TIME" and ld["directApply"] is True
    assert ld["identifier"]["value"] == str(hiring_round.id)
    assert "Climb &amp; prune &lt;carefully&gt;." in ld["description"]
    assert "Minimum requirements" in ld["description"]
    assert "$42,000 to $51,500.50 a year" in page and "Riverside depot" in page


@pytest.mark.parametrize("status", [RoundStatus.CLOSED, RoundStatus.COMPLETED])
def test_a_closed_posting_drops_its_json_ld(client, hiring, status):
    page = client.get(f"/jobs/{hiring.round(status).id}").text
    assert "Minimum requirements" in page
    assert _ld(page) is None


def test_a_posting_past_its_closing_time_takes_no_applications(client, hiring, monkeypatch):
    # 17:00 in New York on the closing date is 22:00 UTC (winter).
    day = datetime(2026, 12, 10, tzinfo=UTC).date()
    hiring_round = hiring.round(
        opens_on=day - timedelta(days=5), closes_on=day, closing_time=time(17, 0)
    )
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 10, 21, 59, tzinfo=UTC))
    page = client.get(f"/jobs/{hiring_round.id}").text
    assert _ld(page) is not None and "Submit application" in page
    assert hiring_round.title in client.get("/jobs").text
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 10, 22, 0, tzinfo=UTC))
    page = client.get(f"/jobs/{hiring_round.id}").text
    assert _ld(page) is None and "This round is not taking applications." in page
    assert hiring_round.title not in client.get("/jobs").text


def test_a_posting_states_requirements_as_skills_and_the_products_statements(client, hiring):
    hiring_round = hiring.round(process_weeks=6, accommodation_contact="ask-hr@example.test")
    page = client.get(f"/jobs/{hiring_round.id}").text
    assert re.search(r"at the Working level", page)
    for heading in (
        "How the process runs",
        "Reasonable accommodation",
        "Equal opportunity",
        "Privacy",
    ):
        assert f">{heading}</h2>" in page
    assert "about 6 weeks after the closing date" in page
    assert "ask-hr@example.test" in page


def test_hr_corrects_the_posting_of_an_open_round_and_the_change_is_audited(
    client_as, hiring, _transaction
):
    hiring_round = hiring.round(RoundStatus.OPEN, work_location="Old yard")
    hr = client_as(Role.HR)
    form = hr.get(f"/hiring/rounds/{hiring_round.id}/posting").text
    assert 'value="Old yard"' in form
    response = hr.post(
        f"/hiring/rounds/{hiring_round.id}/posting",
        data={"work_location": "New yard", "pay_min": "40000", "pay_max": "45000"},
    )
    assert response.status_code == 302
    db.session.refresh(hiring_round)
    assert hiring_round.work_location == "New yard" and hiring_round.pay_max_cents == 4_500_000
    (event,) = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "hiring_round.posting_changed")
    ).all()
    assert event.before["work_location"] == "Old yard"
    assert event.after["work_location"] == "New yard"
    assert "schedule" not in event.after  # only what changed


def test_the_posting_of_a_closed_round_cannot_change(client_as, hiring):
    hiring_round = hiring.round(RoundStatus.CLOSED, work_location="Old yard")
    response = client_as(Role.HR).post(
        f"/hiring/rounds/{hiring_round.id}/posting", data={"work_location": "New yard"}
    )
    assert response.status_code == 409
    db.session.refresh(hiring_round)
    assert hiring_round.work_location == "Old yard"


def test_a_bad_pay_range_on_the_posting_form_shows_on_the_form(client_as, hiring):
    hiring_round = hiring.round(RoundStatus.DRAFT)
    response = client_as(Role.HR).post(
        f"/hiring/rounds/{hiring_round.id}/posting", data={"pay_min": "50000"}
    )
    assert response.status_code == 422
    assert "Give both ends of the pay range, or neither." in response.text
