"""More discretion as verified skill grows, as the people involved see it in a browser: an
employee's home names the gap to their next level and the course that closes it; the instructor
records the completion; the employee is then ready and appears in their manager's queue; the
manager proposes the level, HR approves it as the second approver, and the employee's home
shows what they may now do. Every page passes axe."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from academy import enrolment
from academy import services as academy_services
from academy.models import CourseSession, DeliveryMode
from autonomy import definitions, queries
from autonomy.models import AutonomyGrant, GrantStatus
from civicladder import clock
from civicladder.access import Role
from civicladder.db import db
from civicladder.security import hash_password
from competencies import services as competency_services
from people import services as people_services
from tests.browser.conftest import PASSWORD, Account, _user
from tests.browser.test_academy_journey import _person
from tests.browser.test_pages import follow, open_page, sign_in

pytestmark = pytest.mark.browser

CLIMBER = Account("kai.moreno@city.test", "Kai Moreno")
CREW_LEAD = Account("lee.park@city.test", "Lee Park")
COURSE = "Climbing to standard"
DISCRETION = "May climb trees without a spotter"


@pytest.fixture(scope="module")
def climbing_crew(live_server):
    """A crew of its own (so the other browser tests find their people as they expect): its
    lead, a manager with no manager above them, so HR is the second approver; a climber on a
    one-level track that needs a second approval, one step short in rope climbing; and a
    session of the course that closes the gap, under way, with the climber in a seat."""
    app = live_server.app
    with app.app_context():
        password_hash = hash_password(PASSWORD)
        crew = people_services.ensure_department(None, "Parks > Forestry > Climbing Crew")
        category = competency_services.create_category(None, "Climbing", "Work at height.")
        climbing = competency_services.create_competency(
            None,
            code="CLB-1",
            name="Rope climbing",
            category_id=category.id,
            description="Climbs and works in trees on ropes.",
            descriptors={n: f"Climbs at step {n}, in observable terms." for n in range(1, 6)},
        )
        profile = competency_services.save_job_profile(
            None,
            None,
            code="CLB",
            title="Tree climber",
            description="Works in the crowns of the city's trees.",
            requirements=[(climbing.id, 2, 100)],
        )
        lead = people_services.create_employee(
            None,
            employee_number="E100201",
            first_name="Lee",
            last_name="Park",
            email=CREW_LEAD.email,
            department=crew,
            hire_date=date(2012, 3, 1),
        )
        kai = people_services.create_employee(
            None,
            employee_number="E100202",
            first_name="Kai",
            last_name="Moreno",
            email=CLIMBER.email,
            department=crew,
            hire_date=date(2020, 6, 1),
            manager=lead,
            job_profile_id=profile.id,
        )
        lead_user = _user(
            CREW_LEAD.email, CREW_LEAD.full_name, {Role.MANAGER, Role.EMPLOYEE}, password_hash, lead
        )
        kai_user = _user(CLIMBER.email, CLIMBER.full_name, {Role.EMPLOYEE}, password_hash, kai)
        competency_services.record_evidence(
            lead_user, kai, climbing, level=2, observed_on=date.today() - timedelta(days=30)
        )
        track = definitions.save_track(
            None,
            None,
            code="CLIMB",
            name="Tree climbing",
            description="Discretion aloft, as rope skills grow.",
            job_profile_ids=[profile.id],
        )
        definitions.save_level(
            None,
            track,
            None,
            definitions.LevelTerms(
                name="Independent climber",
                discretion=[
                    definitions.ItemTerms(DISCRETION, "climb-without-spotter", Decimal(20), "m")
                ],
                requirements=[(climbing.id, 3)],
                second_approval=True,
            ),
        )
        course = academy_services.create_course(
            None,
            code="CLB-101",
            title=COURSE,
            hours=16,
            delivery_mode=DeliveryMode.IN_PERSON,
            outcomes=[(climbing.id, 3, 36)],
        )
        start = clock.now() + timedelta(days=3)
        session = academy_services.create_session(
            None,
            course,
            starts_at=start,
            ends_at=start + timedelta(hours=8),
            capacity=6,
            location="Climbing tower",
            instructor=lead,
        )
        enrolment.request_seat(kai_user, session, kai)
        # A climber who has held the level since the summer, its focused review now due.
        noor = people_services.create_employee(
            None,
            employee_number="E100203",
            first_name="Noor",
            last_name="Haddad",
            department=crew,
            hire_date=date(2018, 2, 1),
            manager=lead,
            job_profile_id=profile.id,
        )
        competency_services.record_evidence(
            lead_user, noor, climbing, level=3, observed_on=date.today() - timedelta(days=200)
        )
        db.session.add(
            AutonomyGrant(
                employee_id=noor.id,
                level_id=queries.ladders().track_for(profile.id).levels[0].id,
                status=GrantStatus.ACTIVE,
                effective_on=date.today() - timedelta(days=120),
                review_on=date.today() - timedelta(days=1),
            )
        )
        db.session.commit()
        return session.id


def _under_way(app, session_id: int) -> None:
    with app.app_context():
        session = db.session.get(CourseSession, session_id)
        session.starts_at = clock.now() - timedelta(hours=3)
        session.ends_at = clock.now() + timedelta(hours=3)
        db.session.commit()


def test_a_course_closes_the_gap_and_the_level_is_proposed_approved_and_shown(
    browser, browser_context_args, axe, accounts, live_server, climbing_crew
):
    session_id = climbing_crew
    climber = _person(browser, browser_context_args, CLIMBER, axe)
    gap = climber.get_by_role("region", name=re.compile("Your autonomy: Tree climbing"))
    expect(gap.get_by_text("You do not hold a level on this track yet.")).to_be_visible()
    expect(gap.get_by_text(re.compile(r"Rope climbing: 3 Practitioner needed"))).to_be_visible()
    expect(gap.get_by_role("link", name=COURSE)).to_be_visible()

    _under_way(live_server.app, session_id)
    lead = _person(browser, browser_context_args, CREW_LEAD, axe)
    open_page(lead, axe, f"/academy/sessions/{session_id}/roster")
    lead.get_by_label("Attendance or result for Kai Moreno").select_option("completed")
    lead.get_by_role("button", name="Record").click()
    expect(lead.get_by_text("Kai Moreno: completed.")).to_be_visible()

    open_page(climber, axe, "/")
    expect(climber.get_by_text("You meet every condition of this level.")).to_be_visible()

    follow(lead, axe, lead.get_by_role("link", name="Autonomy", exact=True))
    ready = lead.get_by_role("region", name="Ready for their next level")
    follow(lead, axe, ready.get_by_role("link", name="Moreno, Kai"))
    expect(lead.get_by_text("This level needs a second approver")).to_be_visible()
    lead.get_by_label(re.compile("Note for the record")).fill(
        "Completed the climbing course with the crew."
    )
    lead.get_by_role("button", name="Send for approval").click()
    expect(lead.get_by_text("Proposal sent for a second approval.")).to_be_visible()
    axe.check(lead, "/autonomy/people/<id> (proposed)")

    hr = _person(browser, browser_context_args, accounts.hr, axe)
    open_page(hr, axe, "/autonomy/queue")
    waiting = hr.get_by_role("region", name="Proposals waiting for your decision")
    row = waiting.get_by_role("row").filter(has_text="Kai Moreno")
    expect(row.get_by_text("Meets every condition")).to_be_visible()
    row.get_by_role("button", name="Approve").click()
    expect(hr.get_by_text("Approved: Kai Moreno now holds Independent climber.")).to_be_visible()
    axe.check(hr, "/autonomy/queue (after approving)")

    open_page(climber, axe, "/")
    held = climber.get_by_role("region", name=re.compile("Your autonomy: Tree climbing"))
    expect(held.get_by_text(re.compile("You hold level 1, Independent climber"))).to_be_visible()
    expect(held.get_by_text(f"{DISCRETION} (up to 20 m)")).to_be_visible()
    expect(
        climber.get_by_text("You now hold autonomy level 1: Independent climber")
    ).to_be_visible()


def test_the_crew_lead_reviews_a_level_and_reads_the_supervision_dashboard_on_a_phone(
    browser, browser_context_args, axe, live_server, climbing_crew
):
    context = browser.new_context(**browser_context_args, viewport={"width": 375, "height": 812})
    lead = context.new_page()
    sign_in(lead, CREW_LEAD, axe)
    open_page(lead, axe, "/autonomy/reviews")
    row = lead.get_by_role("row").filter(has_text="Haddad, Noor")
    expect(row.get_by_text("Focused review", exact=True)).to_be_visible()
    expect(row.get_by_text(re.compile(r"focused review due since"))).to_be_visible()
    row.get_by_role("button", name="Keep the level").click()
    expect(lead.get_by_text("Kept: Noor Haddad keeps Independent climber.")).to_be_visible()
    axe.check(lead, "/autonomy/reviews (after keeping, 375 px)")
    open_page(lead, axe, "/autonomy/supervision")
    expect(lead.get_by_role("heading", level=1)).to_have_text("Outcomes and supervision")
