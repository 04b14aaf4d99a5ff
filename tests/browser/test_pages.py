"""Each role signs in through the real form, and every page it can reach passes axe-core."""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import Error, Page, expect

from tests.browser.conftest import console_errors

pytestmark = pytest.mark.browser

HOME_PANEL = {
    "employee": "Your competencies",
    "manager": "Your team",
    "hr": "Workforce",
    "union_rep": "Your bargaining units",
    "admin": "Administration",
}
# Something on the home page that only this role's data explains.
HOME_FACT = {
    "employee": "1 of 2 requirements met",
    "manager": "2 direct reports",
    "hr": "Maintain the framework",
    "union_rep": "fewer than 5 active members",
    "admin": "Manage users and roles",
}
ADMIN_LINKS = {"Users", "Audit log", "Outbox"}
HR_LINKS = {"Roster import"}
# Everyone signed in reads the framework and the job profiles.
READ_LINKS = {"Home", "Competencies", "Job profiles"}
# (links the role's navigation must offer, links it must not)
NAVIGATION = {
    "employee": (READ_LINKS, {"Workforce"} | HR_LINKS | ADMIN_LINKS),
    "manager": (READ_LINKS | {"Workforce"}, HR_LINKS | ADMIN_LINKS),
    "hr": (READ_LINKS | {"Workforce", "Roster import"}, ADMIN_LINKS),
    "union_rep": (READ_LINKS, {"Workforce"} | HR_LINKS | ADMIN_LINKS),
    "admin": (READ_LINKS | {"Users", "Audit log", "Outbox"}, {"Workforce"} | HR_LINKS),
}


def open_page(page: Page, axe, path: str, status: int = 200):
    response = page.goto(path)
    assert response is not None and response.status == status, (
        f"{path}: HTTP {response.status if response else 'no response'}, expected {status}"
    )
    expect(page.locator("h1")).to_have_count(1)
    axe.check(page)
    return response


def follow(page: Page, axe, link) -> None:
    """Click a link as a person would; the page it opens must load and pass axe."""
    with page.expect_response(
        lambda r: r.request.is_navigation_request() and r.request.frame == page.main_frame
    ) as info:
        link.click()
    page.wait_for_load_state()
    assert info.value.status == 200, f"{info.value.url}: HTTP {info.value.status}"
    expect(page.locator("h1")).to_have_count(1)
    axe.check(page)


def sign_in(page: Page, account, axe=None) -> None:
    if axe is not None:
        open_page(page, axe, "/sign-in")
    else:
        page.goto("/sign-in")
    page.get_by_label("Email address").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def _nav_markup(page: Page):
    """The main navigation as the page holds it, shown or not (behind a phone's menu button,
    or its links in a closed section)."""
    return page.locator('nav[aria-label="Main"] .usa-nav__primary')


def nav_link(page: Page, name: str):
    """A link of the main navigation, made visible the way a person would: the phone's menu
    opened if the navigation is behind it, then the link's section if it is in one."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible() and not main_nav(page).is_visible():
        menu.click()
    # A `has` locator is matched inside each item, so it is built from the page, not the nav.
    link = page.get_by_role("link", name=name, exact=True, include_hidden=True)
    section = _nav_markup(page).locator(".usa-nav__primary-item", has=link).locator("button")
    if section.count() and section.get_attribute("aria-expanded") != "true":
        section.click()
    return main_nav(page).get_by_role("link", name=name, exact=True)


def nav_links(page: Page) -> dict[str, str]:
    """Every link of the main navigation, by its words, those in closed sections included."""
    links = _nav_markup(page).locator("a")
    return {
        links.nth(i).text_content().strip(): links.nth(i).get_attribute("href")
        for i in range(links.count())
    }


def walk_navigation(page: Page, axe, offered: dict[str, str]) -> None:
    for label, href in offered.items():
        if href == "/":
            continue
        follow(page, axe, nav_link(page, label))
        expect(
            _nav_markup(page).get_by_role("link", name=label, exact=True, include_hidden=True)
        ).to_have_attribute("aria-current", "page")
        assert page.url.endswith(href)


@pytest.mark.parametrize("role", list(HOME_PANEL))
def test_role_signs_in_and_every_page_it_can_reach_passes_axe(page: Page, axe, accounts, role):
    account = accounts.for_role(role)
    sign_in(page, account, axe)

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {account.full_name}")
    expect(page.get_by_role("heading", level=2, name=HOME_PANEL[role])).to_be_visible()
    expect(page.locator("main")).to_contain_text(HOME_FACT[role])
    expect(main_nav(page).get_by_role("link", name="Home")).to_have_attribute(
        "aria-current", "page"
    )
    axe.check(page)

    offered = nav_links(page)
    must, must_not = NAVIGATION[role]
    assert must <= offered.keys(), f"{role} navigation lacks {must - offered.keys()}"
    assert not must_not & offered.keys(), f"{role} navigation offers {must_not & offered.keys()}"

    walk_navigation(page, axe, offered)

    open_page(page, axe, "/no-such-page", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(main_nav(page)).to_be_visible()


def test_employee_pages_beyond_the_navigation(page: Page, axe, accounts):
    sign_in(page, accounts.employee)
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    needs = page.get_by_role("table", name="What the job needs")
    expect(needs.get_by_role("row", name=re.compile("Site safety .*Met"))).to_be_visible()
    expect(needs.get_by_role("row", name=re.compile("Tree pruning .*Below"))).to_be_visible()

    follow(page, axe, needs.get_by_role("link", name="Tree pruning", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tree pruning")
    expect(page.get_by_role("link", name="Arborist")).to_be_visible()
    page.go_back()

    follow(page, axe, page.get_by_role("link", name="Change password"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")

    open_page(page, axe, "/admin/audit", status=403)
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this")


def test_manager_opens_a_report_with_evidence_and_the_evidence_form(page: Page, axe, accounts):
    sign_in(page, accounts.manager)
    team = page.get_by_role("region", name="Direct reports against their jobs' competencies")
    expect(team.get_by_role("link", name=accounts.other_report)).to_be_visible()

    follow(page, axe, team.get_by_role("link", name=accounts.report_with_evidence))
    expect(page.get_by_role("heading", level=1)).to_have_text(accounts.report_with_evidence)
    history = page.get_by_role("table", name="Evidence history, newest first")
    expect(history.get_by_role("row")).to_have_count(3)  # header and two records

    follow(page, axe, page.get_by_role("link", name="Record evidence"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record competency evidence")
    expect(page.get_by_label("Competency (required)")).to_have_value("")
    expect(page.get_by_label("Level shown (required)")).to_have_value("")


def test_hr_opens_a_competency_and_the_add_competency_form(page: Page, axe, accounts):
    sign_in(page, accounts.hr)
    follow(page, axe, nav_link(page, "Competencies"))
    button = page.get_by_role("button", name="Site safety (SAF-1)")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("table", name="Proficiency scale for Site safety")).to_be_visible()
    axe.check(page, "/competencies (accordion open)")

    follow(page, axe, page.get_by_role("link", name="Add a competency"))
    expect(page.get_by_role("group", name="Behaviour at each step of the scale")).to_be_visible()


def test_hr_sees_row_errors_of_a_job_profile_in_the_error_summary(page: Page, axe, accounts):
    sign_in(page, accounts.hr)
    follow(page, axe, nav_link(page, "Job profiles"))
    follow(page, axe, page.get_by_role("link", name="Add a job profile"))
    page.get_by_label("Code").fill("GRD")
    page.get_by_label("Job title").fill("Gardener")
    page.get_by_label("Competency, row 1", exact=True).select_option(label="SAF-1 Site safety")
    page.get_by_label("Weight, row 1", exact=True).fill("150")
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.get_by_role("button", name="Save job profile").click()
    assert info.value.status == 422

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    error_link = summary.get_by_role("link", name="A weight is a whole number from 1 to 100.")
    expect(error_link).to_have_attribute("href", "#requirements-0-weight")
    expect(page.get_by_label("Weight, row 1", exact=True)).to_have_attribute("aria-invalid", "true")
    axe.check(page, "/job-profiles/new (failed)")


def test_admin_opens_a_user(page: Page, axe, accounts):
    sign_in(page, accounts.admin)
    follow(page, axe, nav_link(page, "Users"))
    follow(page, axe, page.get_by_role("link", name=accounts.union_rep.full_name))
    expect(page.get_by_role("heading", level=1)).to_have_text(accounts.union_rep.full_name)
    expect(page.get_by_role("checkbox", name="DC37 Local 1549")).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("^Union representative"))).to_be_checked()


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_small_screen_pages_pass_axe(page: Page, axe, accounts, role):
    """Wide tables scroll inside their own region on a phone; keyboards must reach them."""
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, accounts.for_role(role))
    axe.check(page, "/ (375px wide)")
    walk_navigation(page, axe, nav_links(page))


def test_sign_out_ends_the_session(page: Page, axe, accounts):
    sign_in(page, accounts.employee)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in$"))
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    axe.check(page, "/sign-in (signed out)")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to CivicLadder")
    expect(main_nav(page)).to_have_count(0)


def test_failed_sign_in_shows_the_error_summary(page: Page, axe, accounts):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(accounts.employee.email)
    page.get_by_label("Password").fill("not the password at all")
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.get_by_role("button", name="Sign in").click()
    assert info.value.status == 422

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    error_link = summary.get_by_role("link", name="The email address or password is not correct.")
    expect(error_link).to_have_attribute("href", "#password")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Email address")).to_have_value(accounts.employee.email)
    axe.check(page, "/sign-in (failed)")


def test_skip_link_moves_focus_to_main(page: Page, axe, accounts):
    sign_in(page, accounts.hr)
    skip = page.get_by_role("link", name="Skip to main content")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()
    # The next Tab continues inside main, past the header and navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def test_keyboard_focus_is_visible_in_the_header(page: Page, accounts):
    sign_in(page, accounts.employee)
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # CivicLadder
    page.keyboard.press("Tab")
    home = main_nav(page).get_by_role("link", name="Home")
    expect(home).to_be_focused()
    expect(home).to_have_css("outline-style", "solid")


@pytest.mark.browser_context_args(bypass_csp=False)
def test_pages_run_under_the_real_content_security_policy(page: Page, accounts):
    """The other tests bypass the CSP to inject axe; here the policy is enforced as shipped."""
    problems = console_errors(page)

    sign_in(page, accounts.hr)
    page.goto("/competencies")
    button = page.get_by_role("button", name="Site safety (SAF-1)")
    button.click()  # USWDS's accordion: its script must load under the policy
    expect(page.get_by_role("table", name="Proficiency scale for Site safety")).to_be_visible()
    assert not problems, "errors in the browser console:\n" + "\n".join(problems)

    # And the policy really is on here: an inline script without the nonce does not run.
    with contextlib.suppress(Error):
        page.add_script_tag(content="window.injected = true")
    assert page.evaluate("() => window.injected") is None
    assert any("Content Security Policy" in problem for problem in problems)


def test_hr_imports_a_roster_after_fixing_a_bad_row(page: Page, axe, accounts, tmp_path):
    header = (
        "employee_number,first_name,last_name,email,department_path,"
        "manager_employee_number,bargaining_unit,job_profile,hire_date\n"
    )
    good = "E200001,Dana,Whitfield,dana.whitfield@city.example.gov,Parks > Forestry > North Crew,"
    good += "E100001,L1549,ARB,2025-06-02\n"
    bad = "E200002,Sam,Ng,not-an-email,Parks > Forestry > North Crew,E100001,L1549,ARB,2025-13-40\n"
    broken = tmp_path / "roster-broken.csv"
    broken.write_text(header + good + bad)
    fixed = tmp_path / "roster.csv"
    fixed.write_text(
        header
        + good
        + bad.replace("not-an-email", "sam.ng@city.example.gov").replace("2025-13-40", "2025-07-01")
    )

    sign_in(page, accounts.hr)
    open_page(page, axe, "/people/import")
    page.locator("input[type=file]").set_input_files(str(broken))
    page.locator("main").get_by_role("button", name="Check the file").click()
    expect(page.locator("h1")).to_have_text(re.compile("Check the roster"))
    expect(page.get_by_text("2025-13-40")).to_be_visible()
    expect(
        page.locator("main").get_by_role("button", name=re.compile("^Import", re.I))
    ).to_have_count(0)
    axe.check(page, "/people/import (preview with problems)")

    page.goto("/people/import")
    page.locator("input[type=file]").set_input_files(str(fixed))
    page.locator("main").get_by_role("button", name="Check the file").click()
    axe.check(page, "/people/import (preview ready)")
    page.locator("main").get_by_role("button", name=re.compile("^Import", re.I)).click()
    expect(page.locator("h1")).to_have_text("Roster imported")
    expect(page.get_by_text(re.compile("Roster imported: 2 new employees"))).to_be_visible()
    axe.check(page, "/people/import (imported)")
    page.locator("main").get_by_role("link", name="See the workforce list").click()
    page.get_by_label("Name or employee number").fill("Whitfield")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("link", name="Whitfield, Dana")).to_be_visible()


def test_employee_downloads_their_learner_record_and_the_check_page_reads_it(
    page: Page, axe, accounts
):
    sign_in(page, accounts.employee)
    follow(page, axe, nav_link(page, "My profile"))
    follow(page, axe, page.get_by_role("link", name=re.compile("^Learner record")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Learner record")
    expect(page.get_by_role("heading", level=2, name="Competency levels")).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 800})
    axe.check(page, "/people/<id>/learner-record (375px wide)")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the signed record (.jwt)").click()
    token = download.value.path().read_text()
    assert token.count(".") == 2

    open_page(page, axe, "/verify/credential")
    page.get_by_label("Signed credential").fill(token)
    page.get_by_role("button", name="Check the credential").click()
    expect(page.get_by_role("heading", name="This credential is genuine and valid")).to_be_visible()
    expect(page.get_by_text("What the record holds")).to_be_visible()
    axe.check(page, "/verify/credential (a learner record)")
