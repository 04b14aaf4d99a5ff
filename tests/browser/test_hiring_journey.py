"""A hiring round from start to finish in a browser: HR opens it, a candidate finds it from the
landing page and applies without an account, two assessors score blind, HR ranks and offers,
the candidate accepts the offer online, HR records the hire and completes the round, offers a
later vacancy from the round's eligible list to the next candidate (who sees it on their status
page), and the new employee signs in to find competencies from the hiring assessment. axe-core
checks every page on the way, at 1280 px and, for the candidates' pages, at 375 px."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from civicladder.db import db
from civicladder.models import User
from tests.browser.test_pages import open_page, sign_in

pytestmark = pytest.mark.browser

CANDIDATE = "Noor Haddad"
CANDIDATE_EMAIL = "noor.haddad@example.org"
RUNNER_UP = "Tomas Brandt"
RUNNER_UP_TOKEN = "journey-runner-up-status-link"
NEW_PASSWORD = "a long new employee password"


def _cv() -> bytes:
    from tests.hiring.test_files import make_pdf

    return make_pdf(
        change=lambda writer: writer.add_metadata({"/Author": CANDIDATE, "/Title": "Haddad CV"})
    )


def _context_page(browser, browser_context_args) -> Page:
    return browser.new_context(**browser_context_args).new_page()


def _click(page: Page, axe, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_count(1)
    axe.check(page)


def _fits_375(page: Page, axe) -> None:
    page.wait_for_load_state()
    axe.check(page)
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width} px wide at 375 px"


def _score_as(page: Page, axe, account, round_title: str, level: str) -> None:
    sign_in(page, account)
    open_page(page, axe, "/assess")
    page.get_by_role("link", name=round_title).click()
    axe.check(page)
    body = page.content()
    assert CANDIDATE not in body and CANDIDATE_EMAIL not in body
    page.locator("table a").first.click()
    axe.check(page)
    assert CANDIDATE not in page.content()
    _download_blind(page)
    for radio in page.locator(f"input[type=radio][value='{level}']").all():
        # USWDS hides the input itself; a person clicks its label.
        page.locator(f"label[for='{radio.get_attribute('id')}']").click()
    _click(page, axe, "Submit scores")
    expect(page.get_by_text("submitted.")).to_be_visible()


def _download_blind(page: Page) -> None:
    """The candidate's file, through the real server: under the candidate code, no metadata."""
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("^Download")).click()
    download = info.value
    assert re.fullmatch(r"[A-Z0-9]+-work-sample\.pdf", download.suggested_filename)
    assert b"Haddad" not in Path(download.path()).read_bytes()


def _runner_up_scored(live_server, title: str) -> None:
    """A second candidate, already scored by both assessors (qualified, below the first): the
    first candidate's steps show applying and scoring, so this one is written directly."""
    from civicladder import clock
    from civicladder.security import token_hash
    from hiring.models import (
        Application,
        ApplicationStatus,
        Assessment,
        HiringRound,
        PanelMember,
        RubricItem,
        Score,
    )

    with live_server.app.app_context():
        round_id = db.session.scalar(sa.select(HiringRound.id).where(HiringRound.title == title))
        application = Application(
            round_id=round_id,
            candidate_code="JRNY2345",
            full_name=RUNNER_UP,
            email="tomas.brandt@example.org",
            status=ApplicationStatus.ASSESSED,
            status_token_hash=token_hash(RUNNER_UP_TOKEN),
        )
        db.session.add(application)
        db.session.flush()
        rubric = db.session.scalars(
            sa.select(RubricItem.competency_id).where(RubricItem.round_id == round_id)
        ).all()
        for user_id in db.session.scalars(
            sa.select(PanelMember.user_id).where(PanelMember.round_id == round_id)
        ):
            db.session.add(
                Assessment(
                    application_id=application.id,
                    round_id=round_id,
                    assessor_id=user_id,
                    notes="",
                    submitted_at=clock.now(),
                    scores=[Score(competency_id=c, score=3) for c in rubric],
                )
            )
        db.session.commit()


def test_a_round_from_opening_to_a_hire_who_signs_in(
    browser, browser_context_args, live_server, accounts, axe
):
    today = date.today()
    title = "Arborist, spring intake"
    hr = _context_page(browser, browser_context_args)
    sign_in(hr, accounts.hr)
    open_page(hr, axe, "/hiring/rounds/new")
    hr.get_by_label("Job profile").select_option(label="Arborist")
    hr.get_by_label("Title candidates see").fill(title)
    hr.get_by_label("Opens on").fill(today.isoformat())
    hr.get_by_label("Closes on").fill((today + timedelta(days=14)).isoformat())
    _click(hr, axe, "Create draft round")
    round_url = hr.url
    hr.get_by_role("textbox", name=re.compile("^Question")).fill(
        "Tell us about pruning a tree near power lines."
    )
    _click(hr, axe, "Add question")
    for assessor in (accounts.manager, accounts.employee):
        hr.get_by_label("Assessor's email address").fill(assessor.email)
        _click(hr, axe, "Add to panel")
    _click(hr, axe, "Open for applications")
    expect(hr.get_by_text("The round is open for applications.")).to_be_visible()

    candidate = _context_page(browser, browser_context_args)
    open_page(candidate, axe, "/")
    candidate.get_by_role("link", name="Jobs with the city").first.click()
    axe.check(candidate)
    candidate.get_by_role("link", name=title).click()
    axe.check(candidate)
    candidate.get_by_label("Full name").fill(CANDIDATE)
    candidate.get_by_label("Email address").fill(CANDIDATE_EMAIL)
    candidate.get_by_label(re.compile("Question 1")).fill(
        "I roped off the area, called the utility and pruned once the line was cut."
    )
    candidate.locator("input[name=upload]").set_input_files(
        files=[{"name": "Noor Haddad CV.pdf", "mimeType": "application/pdf", "buffer": _cv()}]
    )
    _click(candidate, axe, "Submit application")
    expect(candidate.locator(".usa-tag", has_text="Submitted")).to_be_visible()

    hr.goto(round_url)
    hr.locator("table a").first.click()
    axe.check(hr)
    _download_blind(hr)
    hr.locator("label", has_text="Screen in").click()
    _click(hr, axe, "Record screening decision")
    _click(hr, axe, "Close to applications")
    # Before its closing day: HR is asked to confirm first.
    expect(hr.locator("h1")).to_have_text("Close the round early?")
    _click(hr, axe, "Close to applications now")
    _click(hr, axe, "Start assessment")

    for account, level in ((accounts.manager, "4"), (accounts.employee, "4")):
        _score_as(_context_page(browser, browser_context_args), axe, account, title, level)
    _runner_up_scored(live_server, title)

    hr.goto(round_url)
    _click(hr, axe, "Lock the ranking")
    expect(hr.locator("h1")).to_have_text("Lock the ranking?")
    _click(hr, axe, "Lock the ranking")
    hr.get_by_role("link", name="Ranked list").click()
    axe.check(hr)
    expect(hr.get_by_text(CANDIDATE)).to_be_visible()
    # The first candidate ranks first (the runner-up is rated qualified, below them).
    hr.get_by_role("button", name=re.compile("^Shortlist")).first.click()
    hr.wait_for_load_state()
    axe.check(hr)
    _click(hr, axe, re.compile("^Offer the job"))
    expect(hr.locator("h1")).to_have_text(f"Offer the job to {CANDIDATE}?")
    hr.get_by_label(re.compile("^Grade")).fill("Grade 7")
    hr.get_by_label(re.compile("^Yearly salary")).fill("52000")
    _click(hr, axe, re.compile("^Offer the job to"))

    # The candidate answers online, from the status page, after a confirmation step; on a
    # phone's width, every page of the answer fits the screen.
    candidate.set_viewport_size({"width": 375, "height": 812})
    candidate.reload()
    expect(candidate.get_by_role("heading", name="Your job offer")).to_be_visible()
    _fits_375(candidate, axe)
    candidate.get_by_role("link", name="Decline the offer").click()
    _fits_375(candidate, axe)
    candidate.get_by_role("link", name="No, go back").click()
    candidate.get_by_role("link", name="Accept the offer").click()
    _fits_375(candidate, axe)
    _click(candidate, axe, "Yes, I accept the offer")
    expect(candidate.get_by_text("You have accepted the offer.")).to_be_visible()

    hr.goto(round_url)
    hr.get_by_role("link", name="Ranked list").click()
    hr.get_by_role("link", name=re.compile("^Record the hire")).click()
    axe.check(hr)
    hr.get_by_label(re.compile("^Employee number")).fill("E300001")
    hr.get_by_label("Department").fill("Parks > Central Office")
    _click(hr, axe, "Record the hire")
    expect(hr.get_by_text(f"{CANDIDATE} is hired.")).to_be_visible()

    # HR completes the round: the runner-up stays on its eligible list, and a later vacancy is
    # offered to them from it, without a new round.
    hr.goto(round_url)
    _click(hr, axe, "Complete the round")
    expect(hr.locator("h1")).to_have_text("Complete the round?")
    _click(hr, axe, "Complete the round")
    expect(hr.get_by_text("remaining qualified candidates are on an eligible list")).to_be_visible()
    open_page(hr, axe, "/hiring/eligible-lists")
    hr.get_by_role("link", name=title).click()
    axe.check(hr)
    expect(hr.get_by_text(RUNNER_UP)).to_be_visible()
    _click(hr, axe, re.compile("^Offer a vacancy"))
    expect(hr.locator("h1")).to_have_text(f"Offer a vacancy to {RUNNER_UP}?")
    hr.get_by_label(re.compile("^Vacancy")).fill("Forestry crew 2, Queens")
    _click(hr, axe, re.compile("^Offer the vacancy to"))
    expect(hr.get_by_text(f"{RUNNER_UP} (JRNY2345) offered the vacancy.")).to_be_visible()
    # HR's list pages fit a phone's width too (their tables scroll inside the page).
    hr.set_viewport_size({"width": 375, "height": 812})
    _fits_375(hr, axe)
    open_page(hr, axe, "/hiring/eligible-lists")
    _fits_375(hr, axe)
    hr.set_viewport_size({"width": 1280, "height": 800})

    runner_up = _context_page(browser, browser_context_args)
    runner_up.set_viewport_size({"width": 375, "height": 812})
    open_page(runner_up, axe, f"/jobs/status/{RUNNER_UP_TOKEN}")
    expect(runner_up.get_by_role("heading", name="Your job offer")).to_be_visible()
    expect(runner_up.get_by_text("Forestry crew 2, Queens")).to_be_visible()
    _fits_375(runner_up, axe)

    with live_server.app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == CANDIDATE_EMAIL))
    admin = _context_page(browser, browser_context_args)
    sign_in(admin, accounts.admin)
    open_page(admin, axe, f"/admin/users/{user_id}")
    admin.get_by_role("button", name="Issue a one-time password link").click()
    link = admin.locator("#reset-link").input_value().strip()

    hired = _context_page(browser, browser_context_args)
    hired.goto(link)
    hired.get_by_label(re.compile("^New password")).fill(NEW_PASSWORD)
    hired.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    hired.get_by_role("button", name="Set password").click()
    hired.goto("/sign-in")
    hired.get_by_label("Email address").fill(CANDIDATE_EMAIL)
    hired.get_by_label("Password").fill(NEW_PASSWORD)
    hired.get_by_role("button", name="Sign in").click()
    hired.wait_for_url(re.compile(r"/$"))
    axe.check(hired)
    panel = hired.locator("section", has_text="Your competencies")
    expect(panel.get_by_text("Tree pruning").first).to_be_visible()
    expect(panel.get_by_text("Hiring assessment").first).to_be_visible()
