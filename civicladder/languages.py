"""The product's languages: which one a page is in, and the catalogues that translate it.

A page is in the language the person chose (the switch in the header and footer: kept in the
session, and on the account of someone signed in, from which signing in brings it to the
session), or else the best match for the browser's Accept-Language, or else English. The choice
is read from the session alone, never by loading the user, so a page or an email written before
anyone asked who is signed in is in the same language as the rest. Every string meant for
people goes through gettext
(`flask_babel.gettext`/`lazy_gettext` in Python, `_()` in templates); the catalogues live in
translations/<language>/LC_MESSAGES (the .po each translator edits and the .mo compiled from it,
both kept in the repository: `make translations` extracts, updates and compiles them).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, force_locale, get_locale, refresh

# The languages the product is written in, each named in its own words (as the switch shows it).
LANGUAGES = {"en": "English", "es": "Español"}
# The locale each is written for: a US city's Spanish writes numbers and money as es_US does
# ("$52,000"), and its catalogue is found under es.
LOCALES = {"en": "en_US", "es": "es_US"}
DEFAULT = "en"
SESSION_KEY = "lang"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def N_(text: str) -> str:
    """Mark words for the catalogue where they are declared (a label in a table of choices);
    they are translated where they are shown, with gettext."""
    return text


def choose() -> str:
    """The locale of this request's page (Flask-Babel's locale selector)."""
    if not has_request_context():
        return LOCALES[DEFAULT]
    if request.path.startswith(tuple(current_app.extensions.get(_ENGLISH_ONLY_KEY, ()))):
        return LOCALES[DEFAULT]
    chosen = session.get(SESSION_KEY)
    if chosen not in LANGUAGES:
        chosen = g.get(_PREFERRED_KEY)
    if chosen not in LANGUAGES:
        chosen = request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT)
    return LOCALES[chosen]


def current() -> str:
    """The language being written now: the request's, or the one `force_locale` set."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT


def others() -> list[tuple[str, str]]:
    """The languages a page can switch to, as (code, own name)."""
    here = current()
    return [(code, name) for code, name in LANGUAGES.items() if code != here]


_PREFERRED_KEY = "civicladder.preferred_language"
_ENGLISH_ONLY_KEY = "civicladder.english_only"


def english_only(app: Flask, path_prefix: str) -> None:
    """Answer every request under `path_prefix` in English, whatever its Accept-Language: a
    machine interface (the JSON API, SCIM) is documented and read by developers in one
    language, and its error details stay stable for the programs that log them."""
    app.extensions.setdefault(_ENGLISH_ONLY_KEY, []).append(path_prefix)


def prefer(language: str | None) -> None:
    """This page is about someone whose language is known (a candidate's status page, by its
    link): unless the browser chose one with the switch, the page is in theirs."""
    if language in LANGUAGES and has_request_context():
        g.setdefault(_PREFERRED_KEY, language)
        refresh()


def written_in(language: str | None):
    """Write in someone's language for a while (an email to a candidate, from any request):
    `with written_in(application.locale): ...`; their choice unknown, English."""
    return force_locale(LOCALES.get(language or DEFAULT, LOCALES[DEFAULT]))


def register(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=choose)
    app.jinja_env.globals.update(language=current, other_languages=others)
