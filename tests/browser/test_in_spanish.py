"""In Spanish on a phone (375 px): a candidate whose browser asks for Spanish finds a job from
the landing page and applies; an employee signs in and reads their home page; each switches
language with the button in the footer; a union representative opens a published report and
its PDF; a manager finds the autonomy decisions through the phone's menu and its sections.
axe-core checks every page on the way."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from civicladder import clock
from civicladder.db import db
from civicladder.models import User
from competencies.models import JobProfileRequirement
from hiring import services as hiring_services
from hiring.posting import PostingDetails
from people.models import JobProfile

pytestmark = pytest.mark.browser

TITLE = "Jardinero de parques"
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def open_round(live_server) -> str:
    """A round taking applications, with a question, for the candidate to find."""
    with live_server.app.app_context():
        profile_id = db.session.scalar(
            sa.select(JobProfile.id)
            .join(JobProfileRequirement, JobProfileRequirement.job_profile_id == JobProfile.id)
            .order_by(JobProfile.id)
            .limit(1)
        )
        hr = db.session.scalar(sa.select(User).where(User.email == live_server.accounts.hr.email))
        today = clock.today()
        hiring_round = hiring_services.create_round(
            hr,
            job_profile_id=profile_id,
            title=TITLE,
            openings=1,
            opens_on=today,
            closes_on=today + timedelta(days=20),
            posting=PostingDetails(pay_min_cents=4_800_000, pay_max_cents=5_600_000),
        )
        hiring_services.add_question(hr, hiring_round, "Tell us about a garden you cared for.")
        for email in (live_server.accounts.manager.email, live_server.accounts.admin.email):
            assessor = db.session.scalar(sa.select(User).where(User.email == email))
            hiring_services.add_panel_member(hr, hiring_round, assessor)
        hiring_services.open_round(hr, hiring_round)
        db.session.commit()
    return TITLE


def _spanish_phone(browser, browser_context_args) -> Page:
    context = browser.new_context(**browser_context_args, viewport=PHONE, locale="es-US")
    return context.new_page()


def _fits(page: Page, axe, label: str) -> None:
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    axe.check(page, f"{label} (Spanish, 375 px)")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width} px wide at 375 px"


def test_a_candidate_finds_a_job_and_applies_in_spanish(
    browser, browser_context_args, axe, open_round
):
    page = _spanish_phone(browser, browser_context_args)
    page.goto("/sign-in")
    _fits(page, axe, "/sign-in")
    page.get_by_role("link", name="Empleos en la ciudad").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Empleos en la ciudad")
    _fits(page, axe, "/jobs")
    page.get_by_role("link", name=open_round).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(open_round)
    expect(page.get_by_text("De $48,000 a $56,000 al año").first).to_be_visible()
    _fits(page, axe, "/jobs/<round>")
    # Sent empty: the error summary lists every missing field, in Spanish.
    page.get_by_role("button", name="Enviar la solicitud").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Hay un problema")
    expect(summary).to_contain_text("Escriba su nombre.")
    _fits(page, axe, "/jobs/<round> (errors)")
    page.get_by_label("Nombre completo").fill("Lucía Ortega")
    page.get_by_label("Correo electrónico").fill("lucia.ortega@example.org")
    page.get_by_label(re.compile(r"^Pregunta 1:")).fill("Cuidé el huerto comunitario dos años.")
    page.get_by_role("button", name="Enviar la solicitud").click()
    page.wait_for_url(re.compile(r"/jobs/status/"))
    expect(page.get_by_role("heading", name="Su enlace privado de seguimiento")).to_be_visible()
    _fits(page, axe, "/jobs/status/<token>")
    # The copy button says what happened in the page's language (whether or not this browser
    # lets the page write to the clipboard).
    page.get_by_role("button", name="Copiar el enlace").click()
    expect(page.locator("#status-link-copied")).to_have_text(
        re.compile(r"^(Copiado\.|No se pudo copiar: seleccione el enlace y cópielo\.)$")
    )
    # The footer's switch: the same page, in English.
    page.get_by_role("form", name="Idioma (pie de página)").get_by_role(
        "button", name="English"
    ).click()
    page.wait_for_url(re.compile(r"/jobs/status/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _signed_in_in_spanish(browser, browser_context_args, account) -> Page:
    page = _spanish_phone(browser, browser_context_args)
    page.goto("/sign-in")
    page.get_by_label("Correo electrónico").fill(account.email)
    page.get_by_label("Contraseña").fill(account.password)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def test_an_employee_reads_their_home_page_in_spanish(browser, browser_context_args, axe, accounts):
    page = _signed_in_in_spanish(browser, browser_context_args, accounts.for_role("employee"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Le damos la bienvenida")
    expect(page.get_by_role("heading", name="Sus competencias")).to_be_visible()
    expect(page.get_by_text("1 de 2 requisitos cumplidos")).to_be_visible()
    _fits(page, axe, "/")
    page.get_by_role("form", name="Idioma (pie de página)").get_by_role(
        "button", name="English"
    ).click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Your competencies")).to_be_visible()


def test_a_union_rep_reads_their_units_report_in_spanish(
    browser, browser_context_args, axe, accounts
):
    page = _signed_in_in_spanish(browser, browser_context_args, accounts.for_role("union_rep"))
    page.goto("/reports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Informes de progreso")
    expect(page.get_by_role("heading", name="Unidades de negociación")).to_be_visible()
    _fits(page, axe, "/reports")
    page.locator("td[data-label='Informe en vivo'] a").first.click()
    page.wait_for_url(re.compile(r"/reports/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("informe de progreso")
    expect(page.get_by_text("Cifras en vivo, sin publicar")).to_be_visible()
    expect(page.locator("main")).to_contain_text("menos de 5")
    _fits(page, axe, "/reports/<unit> (live)")


def test_a_manager_finds_autonomy_decisions_through_the_phone_menu_in_spanish(
    browser, browser_context_args, axe, accounts
):
    page = _signed_in_in_spanish(browser, browser_context_args, accounts.for_role("manager"))
    page.get_by_role("button", name="Menú").click()
    section = page.get_by_role("button", name="Habilidades", exact=True)
    section.click()
    expect(section).to_have_attribute("aria-expanded", "true")
    _fits(page, axe, "/ (menu open)")
    page.get_by_role("link", name="Autonomía", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decisiones de autonomía")
    _fits(page, axe, "/autonomy/queue")
