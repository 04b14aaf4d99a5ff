"""A progress report from live figures to a published report both sides discuss, in a browser:
HR opens the unit's live report and publishes it after the confirmation, comments; the union
representative finds it from home, reads it and answers; the manager reads their department's
report. Every page passes axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from civicladder import clock
from reports import rules
from tests.browser.test_pages import follow, main_nav, sign_in

pytestmark = pytest.mark.browser

UNIT = "DC37 Local 1549"


def test_hr_publishes_a_report_the_union_rep_reads_and_answers(page: Page, axe, accounts):
    period = rules.default_period(clock.today()).code
    sign_in(page, accounts.hr)
    follow(page, axe, main_nav(page).get_by_role("link", name="Reports"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress reports")
    units = page.get_by_role("table", name="Bargaining units and their reports")
    follow(page, axe, units.get_by_role("link", name=f"{period}, live").first)
    expect(page.get_by_role("heading", name="Live figures, not published")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("^Chart of training"))).to_be_visible()

    follow(page, axe, page.get_by_role("link", name=f"Publish the {period} report"))
    expect(page.get_by_role("heading", name="Publishing is permanent")).to_be_visible()
    page.get_by_role("button", name="Publish the report").click()
    # A job publishes it; its page leads to the published report once done.
    expect(page.get_by_text(f"The {period} report for {UNIT} is being published")).to_be_visible()
    expect(page.get_by_text("Finished.")).to_be_visible()
    axe.check(page, "/admin/jobs/<id> (publishing finished)")
    follow(page, axe, page.get_by_role("link", name=re.compile(f"^Read the published {period}")))
    expect(page.get_by_role("heading", name="Published report")).to_be_visible()
    axe.check(page, "/reports/snapshots/<id> (published)")
    page.get_by_label("Your comment").fill("Completions rose after the new evening sessions.")
    page.get_by_role("button", name="Post the comment").click()
    expect(page.get_by_text("Completions rose after the new evening sessions.")).to_be_visible()
    axe.check(page, "/reports/snapshots/<id> (commented)")

    # The union representative reads it on a phone: the page fits 375 px, hash and all.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, accounts.union_rep)
    reports_panel = page.get_by_role("region", name="Progress reports")
    expect(reports_panel).to_contain_text("latest published")
    follow(page, axe, reports_panel.get_by_role("link", name=period, exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text(UNIT)
    expect(page.get_by_text("Content hash (SHA-256)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    expect(page.get_by_text("Completions rose after the new evening sessions.")).to_be_visible()
    expect(page.get_by_text("(Human resources)")).to_be_visible()
    page.get_by_label("Your comment").fill("Were members given release time to attend?")
    page.get_by_role("button", name="Post the comment").click()
    expect(page.get_by_text("(Union representative)")).to_be_visible()
    axe.check(page, "/reports/snapshots/<id> (answered)")


def test_the_manager_reads_their_departments_report(page: Page, axe, accounts):
    sign_in(page, accounts.manager)
    follow(page, axe, main_nav(page).get_by_role("link", name="Reports"))
    departments = page.get_by_role("table", name="Departments and their reports")
    follow(page, axe, departments.get_by_role("link", name=re.compile(", live$")).first)
    expect(page.get_by_role("heading", name="Live figures, not published")).to_be_visible()
    expect(page.get_by_role("heading", name="By department")).to_be_visible()
