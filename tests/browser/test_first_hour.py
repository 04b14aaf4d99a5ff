"""The first hour of each role: home pages at desktop and phone widths, invitations, confirmations.

Screenshots go to tests/browser/screenshots/ (ignored by git; pytest-playwright empties its own
test-results/ folder at every run) for people to look at; the assertions are what is checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import console_errors
from tests.browser.test_pages import follow, main_nav, nav_link, open_page, sign_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
WIDTHS = {"1280": (1280, 900), "375": (375, 812)}
# What each role's home must answer, visible without scrolling sideways.
HOME_ANSWERS = {
    "employee": ["1 of 2 requirements met", "What the job needs"],
    "manager": ["Your direct reports against their jobs", "2 direct reports"],
    "hr": ["Workforce", "Competency framework"],
    "union_rep": ["Your bargaining units", "Competency levels in your units"],
    "admin": ["Administration", "Latest changes"],
}


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page: Page) -> None:
    """The page itself never scrolls sideways: wide tables scroll inside their own region."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def nav_fits_the_screen(page: Page) -> None:
    """Every link and section of the navigation is on the screen, on one row, however many a
    person's roles bring (HR's ran past the right edge at 1280 px, then wrapped onto a second
    row, before its links were grouped in sections), and the signed-in person's links sit above
    the navigation's rather than on them."""
    width = page.viewport_size["width"]
    items = page.locator(".usa-nav__primary > .usa-nav__primary-item")
    for item in items.all():
        box = item.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (
            f"{item.inner_text()!r} is off the screen: {box}"
        )
    tops = {round(item.bounding_box()["y"]) for item in items.all()}
    assert len(tops) == 1, f"the navigation wraps onto {len(tops)} rows"
    row = items.first.bounding_box()["height"]
    assert page.locator(".usa-nav__primary").bounding_box()["height"] < 1.5 * row
    mine = page.locator(".usa-nav__secondary").bounding_box()
    links = page.locator(".usa-nav__primary").bounding_box()
    assert mine["y"] + mine["height"] <= links["y"], (mine, links)


def section(page: Page, name: str):
    """A section's button in the main navigation (HR's People, Skills, Hiring...)."""
    return main_nav(page).get_by_role("button", name=name, exact=True)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", list(HOME_ANSWERS))
def test_each_roles_home_at_desktop_and_phone_width(page: Page, axe, accounts, role, width):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    sign_in(page, accounts.for_role(role))
    for text in HOME_ANSWERS[role]:
        expect(page.locator("main").get_by_text(text).first).to_be_visible()
    menu = page.get_by_role("button", name="Menu")
    if width == "375":
        expect(menu).to_be_visible()
        expect(main_nav(page)).to_be_hidden()
        no_sideways_scroll(page)
    else:
        expect(menu).to_be_hidden()
        expect(main_nav(page).get_by_role("link", name="Home")).to_be_visible()
        nav_fits_the_screen(page)
    axe.check(page, f"/ as {role} ({width}px)")
    shoot(page, f"home-{role}-{width}")


def test_the_menu_button_opens_the_navigation_on_a_phone(page: Page, axe, accounts):
    """At 375 px HR's sections are in USWDS's mobile menu: a section opens in place."""
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, accounts.hr)
    page.get_by_role("button", name="Menu").click()
    nav = main_nav(page)
    people = section(page, "People")
    expect(people).to_be_visible()
    expect(section(page, "Hiring")).to_be_visible()
    expect(nav.get_by_role("link", name="Workforce")).to_be_hidden()
    people.click()
    expect(people).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Workforce")).to_be_visible()
    axe.check(page, "/ as hr (375px, menu and a section open)")
    shoot(page, "menu-hr-375")
    follow(page, axe, nav.get_by_role("link", name="Workforce"))
    expect(
        page.get_by_role("navigation", name="Workforce pages")
        .or_(page.get_by_text(re.compile(r"\d+ in all")))
        .first
    ).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, "workforce-hr-375")


def test_hrs_sections_open_with_a_click_and_with_the_keyboard(page: Page, axe, accounts):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, accounts.hr)
    nav = main_nav(page)
    hiring = section(page, "Hiring")
    lists = nav.get_by_role("link", name="Eligible lists")
    expect(hiring).to_have_attribute("aria-expanded", "false")
    expect(lists).to_be_hidden()
    hiring.click()
    expect(hiring).to_have_attribute("aria-expanded", "true")
    expect(lists).to_be_visible()
    axe.check(page, "/ as hr (1280px, Hiring open)")
    shoot(page, "nav-hr-hiring-open-1280")
    # Opening another section closes this one.
    skills = section(page, "Skills")
    skills.click()
    expect(skills).to_have_attribute("aria-expanded", "true")
    expect(hiring).to_have_attribute("aria-expanded", "false")
    expect(lists).to_be_hidden()
    skills.click()
    expect(skills).to_have_attribute("aria-expanded", "false")

    # By keyboard: Enter opens a section, Tab goes into it, Escape closes it and returns to it.
    people = section(page, "People")
    people.focus()
    page.keyboard.press("Enter")
    expect(people).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Workforce")).to_be_focused()
    page.keyboard.press("Escape")
    expect(people).to_have_attribute("aria-expanded", "false")
    expect(people).to_be_focused()
    # Space opens the next one; Enter on its link follows it.
    page.keyboard.press("Tab")
    expect(section(page, "Skills")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    autonomy = section(page, "Autonomy")
    expect(autonomy).to_be_focused()
    page.keyboard.press(" ")
    expect(autonomy).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Autonomy tracks")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_count(1)
    # The page's section is current: its button says so, and its link in the sub-menu.
    expect(section(page, "Autonomy")).to_have_class(re.compile(r"\busa-current\b"))
    expect(section(page, "Hiring")).not_to_have_class(re.compile(r"\busa-current\b"))
    nav_fits_the_screen(page)
    axe.check(page, "/autonomy/tracks as hr (1280px)")
    section(page, "Autonomy").click()
    expect(nav.get_by_role("link", name="Autonomy tracks")).to_have_attribute(
        "aria-current", "page"
    )


@pytest.mark.browser_context_args(bypass_csp=False)
def test_sections_open_under_the_real_content_security_policy(page: Page, accounts):
    """USWDS's script opens the sections: it is served by the app and runs under the CSP."""
    problems = console_errors(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, accounts.hr)
    section(page, "Hiring").click()
    expect(main_nav(page).get_by_role("link", name="Eligible lists")).to_be_visible()
    assert not problems, "errors in the browser console:\n" + "\n".join(problems)


def test_admin_invites_a_union_rep_by_email(page: Page, axe, accounts):
    sign_in(page, accounts.admin)
    follow(page, axe, page.locator("main").get_by_role("link", name="Invite a user"))
    units = page.get_by_role("group", name="Bargaining units represented")
    expect(units).to_be_hidden()
    page.get_by_label("Full name").fill("Rita Rep")
    page.get_by_label("Email address").fill("rita.rep@city.example.gov")
    # USWDS draws its own boxes: a person clicks the label, the input sits off-screen.
    page.locator("label[for=roles-3]").click()
    expect(page.get_by_role("checkbox", name=re.compile("^Union representative"))).to_be_checked()
    expect(units).to_be_visible()
    units.locator("label", has_text="DC37 Local 1549").click()
    axe.check(page, "/admin/users/new (filled)")
    shoot(page, "invite-form-1280")
    page.get_by_role("button", name="Create the account and send the invitation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Invitation for Rita Rep")
    link = page.get_by_label("One-time link for Rita Rep")
    expect(link).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/.+"))
    expect(page.get_by_role("button", name="Copy the link")).to_be_visible()
    axe.check(page, "invitation link")
    shoot(page, "invite-link-1280")

    follow(page, axe, nav_link(page, "Outbox"))
    expect(page.get_by_role("row", name=re.compile("rita.rep@city.example.gov"))).to_be_visible()


def test_deactivation_asks_for_its_own_reason_and_confirmation(page: Page, axe, accounts):
    sign_in(page, accounts.admin)
    follow(page, axe, nav_link(page, "Users"))
    follow(page, axe, page.get_by_role("link", name=accounts.other_report_user))
    follow(page, axe, page.get_by_role("link", name="Deactivate account…"))
    expect(page.get_by_role("heading", name="What happens")).to_be_visible()
    page.get_by_role("button", name="Deactivate account").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Give a reason")
    axe.check(page, "deactivate (no reason)")
    shoot(page, "deactivate-error-1280")
    follow(page, axe, page.get_by_role("link", name="Cancel"))
    expect(page.get_by_role("link", name="Deactivate account…")).to_be_visible()


def test_manager_records_evidence_after_checking_it(page: Page, axe, accounts):
    sign_in(page, accounts.manager)
    open_page(page, axe, f"/people/{accounts.other_report_id}/evidence/new")
    competency = page.get_by_label("Competency (required)")
    expect(competency.locator("optgroup").first).to_have_attribute("label", "Needed for Arborist")
    page.get_by_role("button", name="Check before recording").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    errors = summary.get_by_role("listitem")
    expect(errors.first).to_have_text("Choose the competency that was shown.")
    competency.select_option(label="Site safety (SAF-1), needs 3 Practitioner")
    page.get_by_label("Level shown (required)").select_option(label="3 Practitioner")
    expect(page.locator("#level-descriptor")).to_contain_text("Shows it at step 3")
    page.get_by_label("What was observed").fill("Ran the morning safety briefing")
    page.get_by_role("button", name="Check before recording").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the evidence before recording it"
    )
    axe.check(page, "evidence confirmation")
    shoot(page, "evidence-confirm-1280")
    page.get_by_role("button", name="Record this evidence").click()
    expect(page.get_by_role("status").first).to_contain_text("Evidence recorded")
    expect(page.get_by_role("table", name="Evidence history, newest first")).to_contain_text(
        "Ran the morning safety briefing"
    )


def test_hr_changes_an_employees_record_with_a_reason(page: Page, axe, accounts):
    sign_in(page, accounts.hr)
    follow(page, axe, nav_link(page, "Workforce"))
    page.get_by_label("Name or employee number").fill("Lindqvist, Sam")
    page.get_by_role("button", name="Find").click()
    follow(page, axe, page.get_by_role("link", name="Lindqvist, Sam"))
    follow(page, axe, page.get_by_role("link", name="Change department, manager, job or status"))
    page.get_by_label("Status").select_option(label="On leave")
    page.get_by_role("button", name="Save the record").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Give a reason")
    axe.check(page, "employee edit (no reason)")
    page.get_by_label("Reason for the change").fill("Parental leave from Monday")
    shoot(page, "employee-edit-1280")
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(accounts.other_report)
    expect(page.locator("main")).to_contain_text("On leave")
    axe.check(page, "profile after the edit")


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_without_scripts_each_sections_links_are_listed_under_it(page: Page, accounts):
    """Pages work without JavaScript: a section's links show under its name in the header."""
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, accounts.hr)
    nav = main_nav(page)
    for name in ("Workforce", "Competencies", "Autonomy tracks", "Eligible lists"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    link = nav.get_by_role("link", name="Eligible lists")
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, box
    with page.expect_navigation():
        link.click()
    expect(page.locator("h1")).to_have_text("Eligible lists")
