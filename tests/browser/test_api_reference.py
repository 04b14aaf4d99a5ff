"""The API's reference page: Swagger UI, served from the site's own static files, renders the
API's OpenAPI document under the site's Content-Security-Policy as shipped."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import console_errors

pytestmark = pytest.mark.browser


@pytest.mark.browser_context_args(bypass_csp=False)
def test_the_reference_renders_every_route_under_the_real_policy(page: Page):
    problems = console_errors(page)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto("/api/v1/docs")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1, name="CivicLadder API reference")).to_be_visible()
    check = page.locator(".opblock-summary-path", has_text="/api/v1/discretion/check")
    expect(check.first).to_be_visible()
    check.first.click()  # an operation opens: its parameters
    expect(page.locator(".parameter__name", has_text="employee").first).to_be_visible()
    assert not problems, "errors in the browser console:\n" + "\n".join(problems)
    # Nothing is fetched from anywhere but the site itself.
    origin = page.url.split("/api/v1/docs")[0]
    assert all(url.startswith((origin, "data:")) for url in requested), requested


def test_the_reference_passes_axe(page: Page, axe):
    page.goto("/api/v1/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    axe.check(page)
