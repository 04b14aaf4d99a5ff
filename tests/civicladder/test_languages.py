"""The product in English and Spanish: which language a page is in, the switch that changes it,
the catalogue that translates it, and the templates already written for translation."""

from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from jinja2 import DictLoader

from civicladder.db import db
from civicladder.languages import TRANSLATIONS
from civicladder.models import AuditEvent, User
from tests.civicladder.factories import PASSWORD

ROOT = TRANSLATIONS.parent
SPANISH_PO = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"
SPANISH_MO = SPANISH_PO.with_suffix(".mo")

# Every template: each word a person reads on it goes through gettext.
TEMPLATES = ROOT / "templates"
TRANSLATED_TEMPLATES = sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html"))


def html_lang(text: str) -> str:
    return re.search(r'<html lang="([^"]+)"', text).group(1)


# --- which language a page is in ----------------------------------------------------------------


def test_a_page_is_in_english_unless_the_browser_asks_for_spanish(client):
    english = client.get("/jobs")
    assert html_lang(english.text) == "en"
    assert "<h1>Jobs with the city</h1>" in english.text

    spanish = client.get("/jobs", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert html_lang(spanish.text) == "es"
    assert "<h1>Empleos en la ciudad</h1>" in spanish.text
    assert "Skip to main content" not in spanish.text
    assert "Saltar al contenido principal" in spanish.text
    # The switch offers the other language, named in its own words.
    assert 'lang="en" class="usa-button usa-button--unstyled ">English</button>' in spanish.text
    assert 'lang="es" class="usa-button usa-button--unstyled ">Español</button>' in english.text


def test_sign_in_and_the_error_pages_speak_the_visitors_language(client):
    spanish = {"Accept-Language": "es"}
    refused = client.post("/sign-in", data={"email": "", "password": ""}, headers=spanish)
    assert "Escriba su correo electrónico." in refused.text
    assert "Escriba su contraseña." in refused.text
    missing = client.get("/no-such-page", headers=spanish)
    assert missing.status_code == 404
    assert "No se encontró la página" in missing.text
    assert "Error 404." in missing.text
    # The API's errors stay in one language for the programs that read them.
    api = client.get("/api/v1/no-such-thing", headers=spanish)
    assert api.json["title"] == "Page not found"


def test_the_switch_keeps_a_visitors_choice_over_the_browsers(client):
    chosen = client.post("/language", data={"lang": "es", "next": "/jobs?q=park"})
    assert chosen.status_code == 302
    assert chosen.headers["Location"] == "/jobs?q=park"
    assert html_lang(client.get("/jobs").text) == "es"
    client.post("/language", data={"lang": "en", "next": "/jobs"})
    assert html_lang(client.get("/jobs", headers={"Accept-Language": "es"}).text) == "en"


def test_the_switch_refuses_a_language_not_offered_and_a_next_page_elsewhere(client):
    refused = client.post("/language", data={"lang": "fr", "next": "/jobs"})
    assert refused.status_code == 422
    assert "Choose one of the languages offered" in refused.text
    assert html_lang(client.get("/jobs").text) == "en"
    away = client.post("/language", data={"lang": "es", "next": "//elsewhere.example/"})
    assert away.status_code == 302
    assert away.headers["Location"] == "/"


def test_a_signed_in_persons_choice_is_kept_on_their_account_and_audited(client_as, make_user, app):
    user = make_user()
    first = client_as(user)
    assert first.post("/language", data={"lang": "es", "next": "/"}).status_code == 302
    assert db.session.get(User, user.id).locale == "es"
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "user.language_chosen")
    ).one()
    assert (event.before, event.after) == ({"locale": None}, {"locale": "es"})
    # Signing in on another browser, whose own language is English: the account's choice wins.
    elsewhere = app.test_client()
    signed_in = elsewhere.post(
        "/sign-in",
        data={"email": user.email, "password": PASSWORD},
        headers={"Accept-Language": "en"},
    )
    assert signed_in.status_code == 302
    page = elsewhere.get("/account/password", headers={"Accept-Language": "en"})
    assert html_lang(page.text) == "es"
    assert "Cerrar sesión" in page.text
    # Choosing the same language again changes nothing and records nothing.
    elsewhere.post("/language", data={"lang": "es", "next": "/"})
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "user.language_chosen")
        )
        == 1
    )


def test_dates_are_written_in_the_pages_language(app):
    from datetime import date

    from civicladder.layout import format_date

    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert format_date(date(2026, 1, 5)) == "5 ene 2026"
    with app.test_request_context():
        assert format_date(date(2026, 1, 5)) == "5 Jan 2026"


# --- the catalogue ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extraction(tmp_path_factory) -> tuple[dict, str]:
    """What the code marks for translation now, extracted afresh as `make translations` does,
    and what pybabel said while extracting it."""
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("the catalogue does not depend on the database: the SQLite run checks it")
    out = tmp_path_factory.mktemp("words") / "messages.pot"
    words = ["civicladder", "people", "competencies", "hiring", "academy", "autonomy", "reports"]
    done = subprocess.run(  # noqa: S603 (pybabel of this interpreter's environment, our files)
        [
            str(Path(sys.executable).with_name("pybabel")),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "--no-location",
            "-o",
            str(out),
            *words,
            "api",
            "templates",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    with out.open("rb") as f:
        return {message.id: message for message in read_po(f) if message.id}, done.stderr


@pytest.fixture(scope="module")
def extracted(extraction) -> dict:
    return extraction[0]


def test_no_words_are_left_out_of_the_catalogue_for_an_f_string(extraction):
    # gettext(f"...{n:,}") cannot be translated: pybabel skips it (and says so). Numbers and
    # dates go in as placeholders, written for the reader's locale (format_decimal, ...).
    skipped = [line for line in extraction[1].splitlines() if "Skipping f-string" in line]
    assert not skipped, "\n".join(skipped)


@pytest.fixture(scope="module")
def spanish():
    with SPANISH_PO.open("rb") as f:
        return read_po(f, locale="es")


def test_every_marked_string_has_a_spanish_translation_and_nothing_is_left_over(extracted, spanish):
    translated = {m.id: m for m in spanish if m.id}
    missing = [key for key in extracted if key not in translated]
    assert not missing, f"run `make translations` and translate: {missing[:10]}"
    empty = [
        key
        for key, m in translated.items()
        if not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    assert not empty, f"not yet translated: {empty[:10]}"
    fuzzy = [key for key, m in translated.items() if m.fuzzy]
    assert not fuzzy, f"marked fuzzy (a guess to check): {fuzzy[:10]}"
    stale = [key for key in translated if key not in extracted]
    assert not stale, f"no longer in the code (`make translations` drops them): {stale[:10]}"


def test_every_translation_keeps_the_placeholders_of_its_original(spanish):
    problems = [
        (message.id, [str(error) for error in errors])
        for message, errors in spanish.check()
        if errors
    ]
    assert not problems


def test_the_compiled_catalogue_is_the_one_the_translators_wrote(spanish):
    with SPANISH_MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for message in spanish:
        if not message.id:
            continue
        # A word whose translation depends on where it is shown has a context (pgettext).
        if isinstance(message.id, str) and message.context:
            found = compiled.pgettext(message.context, message.id)
            assert found == message.string, (message.context, message.id)
        elif isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string, message.id
        elif message.context:
            singular, plural = message.id
            found = compiled.npgettext(message.context, singular, plural, 5)
            assert found == message.string[2], (message.context, singular)
        else:
            singular, plural = message.id
            assert compiled.ngettext(singular, plural, 1) == message.string[0], singular
            assert compiled.ngettext(singular, plural, 5) == message.string[2], singular


# --- templates with nothing left in English -----------------------------------------------------

ATTRIBUTES_READ = {"alt", "aria-label", "title", "placeholder"}
# Not words to translate: the product's name, file formats' names, and the marks between parts of
# a line (quotation marks and the arrow from an old value to a new one among them).
NOT_WORDS = re.compile(
    r"CivicLadder|\b(?:PDF|CSV)\b|[\s\u00b7\u2026:;,.()\-\u2013\u2014\u201c\u201d\u2192|/$%]|&[a-z]+;|\x00"
)


class _BareWords(HTMLParser):
    """Text and read attributes of a template's markup, with its Jinja parts blanked out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "style"):
            self.skipping += 1
        for name, value in attrs:
            if name in ATTRIBUTES_READ and value and NOT_WORDS.sub("", value):
                self.found.append(f'{name}="{value}"')

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data) -> None:
        if not self.skipping and NOT_WORDS.sub("", data):
            self.found.append(data.replace("\x00", " ").strip())


def bare_words(env, name: str) -> list[str]:
    source = env.loader.get_source(env, name)[0]
    markup = "".join(
        value if kind == "data" else "\x00"
        for _, kind, value in env.lex(source)
        if kind not in ("comment_begin", "comment", "comment_end")
    )
    # Each Jinja construct is one blank: a run of them (an expression's tokens) is still one.
    markup = re.sub("\x00+", "\x00", markup)
    parser = _BareWords()
    parser.feed(markup)
    parser.close()
    return parser.found


@pytest.mark.parametrize("name", TRANSLATED_TEMPLATES)
def test_a_translated_template_has_no_words_outside_gettext(app, name):
    assert bare_words(app.jinja_env, name) == []


def test_the_check_finds_words_left_in_english(app):
    env = app.jinja_env.overlay()
    env.loader = DictLoader(
        {
            "left.html": '<p>{{ _("Done") }} Left over</p><img alt="A chart" src="{{ x }}">',
            "done.html": '<p>{{ _("Done") }} · {{ n }}</p><img alt="{{ _(\'A chart\') }}">',
        }
    )
    assert bare_words(env, "left.html") == ["Left over", 'alt="A chart"']
    assert bare_words(env, "done.html") == []


# --- administration in Spanish ------------------------------------------------------------------


def test_the_audit_log_and_the_outbox_read_in_spanish(client_as):
    admin = client_as("admin")
    spanish = {"Accept-Language": "es"}
    audit = admin.get("/admin/audit", headers=spanish)
    assert audit.status_code == 200
    assert '<h1 class="margin-top-0">Registro de auditoría</h1>' in audit.text
    assert "Cualquier acción" in audit.text and "Qué pasó" in audit.text
    assert "Inició sesión" in audit.text  # the admin's own sign-in, in words
    refused = admin.get("/admin/audit?date_from=2026-02-30", headers=spanish)
    assert refused.status_code == 422
    assert "2026-02-30 no es una fecha real." in refused.text
    outbox = admin.get("/admin/outbox", headers=spanish)
    assert outbox.status_code == 200
    assert "Bandeja de salida" in outbox.text and "Asunto" in outbox.text
    home = admin.get("/", headers=spanish)
    assert "Administración" in home.text and "Últimos cambios" in home.text


def test_the_api_clients_pages_read_in_spanish(client_as):
    admin = client_as("admin")
    spanish = {"Accept-Language": "es"}
    listing = admin.get("/admin/api-clients", headers=spanish)
    assert listing.status_code == 200
    assert "Clientes de la API" in listing.text and "Registrar un cliente" in listing.text
    form = admin.get("/admin/api-clients/new", headers=spanish)
    assert "Nombre del sistema" in form.text and "Correo de contacto" in form.text
    refused = admin.post(
        "/admin/api-clients/new", data={"name": "", "contact": ""}, headers=spanish
    )
    assert refused.status_code == 422
    assert "Escriba el nombre del sistema." in refused.text
    registered = admin.post(
        "/admin/api-clients/new",
        data={"name": "311", "contact": "ops@city.gov", "scopes": ["discretion:check"]},
        headers=spanish,
    )
    assert registered.status_code == 302
    page = admin.get(registered.headers["Location"], headers=spanish)
    assert "311 está registrado. Emítale un token abajo." in page.text
    assert "Emitir un token" in page.text and "Días de validez" in page.text
