"""HR on a phone (375 px) imports a framework published in CASE: the upload page and the
preview pass axe-core, fit the screen, and list what the package leaves out. The preview is
not confirmed here: the live server's framework is shared with the other browser tests (the
real-server test in tests/competencies confirms one)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_pages import open_page, sign_in

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "standards" / "case_sample_framework.json"


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_hr_previews_a_case_package_on_a_phone(page: Page, axe, accounts, tmp_path):
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, accounts.hr)
    open_page(page, axe, "/competencies/import")
    assert fits_the_screen(page)
    not_json = tmp_path / "framework.json"
    not_json.write_text("{this is not json")
    page.locator("input[type=file]").set_input_files(str(not_json))
    page.locator("main").get_by_role("button", name="Check the package").click()
    expect(page.get_by_text(re.compile("not JSON")).first).to_be_visible()
    axe.check(page, "/competencies/import (not JSON, 375 px)")

    page.locator("input[type=file]").set_input_files(str(SAMPLE))
    page.locator("main").get_by_role("button", name="Check the package").click()
    expect(page.locator("h1")).to_have_text("Check the framework before importing")
    expect(page.get_by_role("heading", name="Left out")).to_be_visible()
    expect(
        page.locator("main").get_by_role("button", name=re.compile(r"^Import \d+ changes"))
    ).to_be_visible()
    assert fits_the_screen(page)
    axe.check(page, "/competencies/import/<run> (preview, 375 px)")
