"""A seat from request to certificate, as the people involved do it in a browser: the employee
finds a course and asks for a seat, the manager approves, the instructor records the completion,
the employee downloads the certificate, and anyone can verify it; then HR revokes it, the
instructor corrects the result, and the public check says it was revoked. Every page passes
axe."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from academy import services
from academy.models import Course, CourseSession, DeliveryMode
from civicladder import clock
from civicladder.access import Role
from civicladder.db import db
from civicladder.security import hash_password
from competencies.models import Competency
from people import services as people_services
from people.models import Department, Employee
from tests.browser.conftest import PASSWORD, Account, _user
from tests.browser.test_pages import follow, nav_link, open_page, sign_in

pytestmark = pytest.mark.browser

COURSE = "Pruning to standard"
LEARNER = Account("sam.lindqvist@city.test", "Sam Lindqvist")


@pytest.fixture(scope="module")
def pruning_course(live_server):
    """A course that needs the manager's approval, with a session next week and its
    instructor (an employee with a sign-in and no other role); the learner is the manager's
    other report, given a sign-in here, so the other browser tests find Erin's record as
    they expect it."""
    app = live_server.app
    with app.app_context():
        pruning = db.session.scalar(sa.select(Competency).where(Competency.code == "ARB-2"))
        parks = db.session.scalar(sa.select(Department).where(Department.path.like("Parks%")))
        teacher = people_services.create_employee(
            None,
            employee_number="E100099",
            first_name="Ivan",
            last_name="Teach",
            email="ivan.teach@city.test",
            department=parks,
            hire_date=date(2015, 1, 5),
        )
        password_hash = hash_password(PASSWORD)
        _user(teacher.email, "Ivan Teach", {Role.EMPLOYEE}, password_hash, teacher)
        sam = db.session.scalar(sa.select(Employee).where(Employee.employee_number == "E100003"))
        _user(LEARNER.email, LEARNER.full_name, {Role.EMPLOYEE}, password_hash, sam)
        course = services.create_course(
            None,
            code="ARB-201",
            title=COURSE,
            hours=8,
            delivery_mode=DeliveryMode.IN_PERSON,
            needs_manager_approval=True,
            outcomes=[(pruning.id, 3, 24)],
        )
        start = clock.now() + timedelta(days=7)
        session = services.create_session(
            None,
            course,
            starts_at=start,
            ends_at=start + timedelta(hours=8),
            capacity=8,
            location="Forestry yard",
            instructor=teacher,
        )
        db.session.commit()
        return session.id, Account("ivan.teach@city.test", "Ivan Teach")


def _the_day_comes(app, session_id: int) -> None:
    """The session takes place: its start moves into the past."""
    with app.app_context():
        session = db.session.get(CourseSession, session_id)
        session.starts_at = clock.now() - timedelta(hours=2)
        session.ends_at = clock.now() + timedelta(hours=4)
        db.session.commit()


def _person(browser, browser_context_args, account, axe) -> Page:
    page = browser.new_context(**browser_context_args).new_page()
    sign_in(page, account, axe)
    return page


def test_employee_to_certificate_through_manager_and_instructor(
    browser, browser_context_args, axe, accounts, live_server, pruning_course
):
    session_id, instructor = pruning_course
    employee = _person(browser, browser_context_args, LEARNER, axe)

    open_page(employee, axe, "/academy")
    employee.get_by_label("Search courses").fill("pruning")
    employee.get_by_role("button", name="Find").click()
    follow(employee, axe, employee.get_by_role("link", name=COURSE))
    expect(
        employee.get_by_text("raise Tree pruning from Not yet shown to 3 Practitioner")
    ).to_be_visible()
    follow(employee, axe, employee.get_by_role("link", name=re.compile(r"\d{4}")).first)
    employee.get_by_role("button", name="Ask my manager for a seat").click()
    expect(employee.get_by_text("Your request has gone to your manager")).to_be_visible()
    axe.check(employee, "/academy/sessions/<id> (requested)")

    manager = _person(browser, browser_context_args, accounts.manager, axe)
    follow(manager, axe, nav_link(manager, "Training requests"))
    expect(manager.get_by_role("heading", name=re.compile(COURSE))).to_be_visible()
    manager.get_by_role("button", name="Approve").click()
    expect(manager.get_by_text("Approved Sam Lindqvist's request")).to_be_visible()
    axe.check(manager, "/academy/approvals (after approving)")

    _the_day_comes(live_server.app, session_id)
    teacher = _person(browser, browser_context_args, instructor, axe)
    open_page(teacher, axe, f"/academy/sessions/{session_id}/roster")
    teacher.get_by_label("Attendance or result for Sam Lindqvist").select_option("completed")
    teacher.get_by_label("Score (optional)").fill("94")
    teacher.get_by_role("button", name="Record").click()
    expect(teacher.get_by_text("Sam Lindqvist: completed.")).to_be_visible()
    axe.check(teacher, "/academy/sessions/<id>/roster (after recording)")

    follow(employee, axe, employee.get_by_role("link", name="My training", exact=True))
    follow(employee, axe, employee.get_by_role("link", name=COURSE))
    code = employee.locator("dd strong").inner_text().strip()
    with employee.expect_download() as download:
        employee.get_by_role("link", name="Download the certificate (PDF)").click()
    pdf = download.value.path().read_bytes()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Sam Lindqvist" in text and COURSE in text and code in text

    anyone = browser.new_context(**browser_context_args).new_page()
    open_page(anyone, axe, "/verify")
    anyone.get_by_label("Verification code").fill(code)
    anyone.get_by_role("button", name="Verify").click()
    expect(anyone.get_by_role("heading", name="This certificate is genuine")).to_be_visible()
    expect(anyone.get_by_text("Sam Lindqvist")).to_be_visible()
    axe.check(anyone, "/verify?code=<code>")

    # HR revokes the certificate after a confirmation page; the instructor then corrects the
    # result; the public check says it was revoked, and when.
    hr = _person(browser, browser_context_args, accounts.hr, axe)
    certificate_url = employee.url.split("//", 1)[1].split("/", 1)[1]
    open_page(hr, axe, "/" + certificate_url)
    follow(hr, axe, hr.get_by_role("link", name="Revoke this certificate"))
    hr.get_by_label("Reason").fill("Completed under another person's name.")
    hr.get_by_role("button", name="Revoke the certificate").click()
    expect(hr.get_by_text(f"Certificate {code} is revoked")).to_be_visible()
    expect(hr.get_by_role("heading", name=re.compile("^Revoked on"))).to_be_visible()
    axe.check(hr, "/academy/certificates/<id> (revoked)")

    open_page(teacher, axe, f"/academy/sessions/{session_id}/roster")
    follow(teacher, axe, teacher.get_by_role("link", name="Correct the result for Sam Lindqvist"))
    teacher.get_by_label("Corrected result").select_option("failed")
    teacher.get_by_label("Reason").fill("The practical part was not passed.")
    teacher.get_by_role("button", name="Correct the result").click()
    expect(teacher.get_by_text("Sam Lindqvist: corrected to not passed.")).to_be_visible()

    anyone.reload()
    expect(anyone.get_by_role("heading", name=re.compile("^Revoked on"))).to_be_visible()
    expect(anyone.get_by_text("genuine")).to_have_count(0)
    axe.check(anyone, "/verify?code=<code> (revoked)")


def test_hr_cancels_a_session_after_a_confirmation_page(
    browser, browser_context_args, axe, accounts, live_server, pruning_course
):
    app = live_server.app
    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.code == "ARB-201"))
        start = clock.now() + timedelta(days=20)
        session = services.create_session(
            None,
            course,
            starts_at=start,
            ends_at=start + timedelta(hours=8),
            capacity=4,
            location="Depot",
        )
        db.session.commit()
        session_id = session.id
    hr = _person(browser, browser_context_args, accounts.hr, axe)
    open_page(hr, axe, f"/academy/sessions/{session_id}")
    follow(hr, axe, hr.get_by_role("link", name="Cancel this session"))
    hr.get_by_label("Why is it cancelled?").fill("The depot is closed for repairs.")
    hr.get_by_role("button", name="Cancel the session").click()
    expect(hr.get_by_text("The session is cancelled")).to_be_visible()
    expect(hr.get_by_text(re.compile("This session was cancelled on .*repairs"))).to_be_visible()
    axe.check(hr, "/academy/sessions/<id> (cancelled)")
