"""Words for people written in Python go through gettext: what a page flashes, the message a
domain error carries to the screen, a form field's label and a validator's message. A string
literal (or an f-string) in one of those places is a word the catalogue never sees, and the
page would show it in English whatever the reader's language.

The check reads the source (no import, no app), so it covers code no test happens to run, in
every module of the product's packages but seed data (a demo's or a synthetic city's content)
and the JSON API's own modules, which answer in English whatever a client asks
(`civicladder.languages.english_only`, tested in tests/api/test_roster_writes.py): their
messages are for the developers of other systems, as the API's reference is. The API's pages for
administrators (its forms, pages and token messages) are checked like the rest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["civicladder", "people", "competencies", "hiring", "academy", "autonomy", "reports"]
API_PAGES = ["api/admin_views.py", "api/forms.py", "api/tokens.py"]

# Where a person reads the first argument (or the keyword) of these calls.
SHOWN_FIRST_ARGUMENT = {
    "flash",
    # civicladder.errors and the errors built on it
    "DomainError",
    "NotFound",
    "Forbidden",
    "Conflict",
    "Invalid",
    "ProviderRefused",
    "ProviderUnavailable",
    "Gone",
    "TooLarge",
    # a form's own check
    "ValidationError",
}
# WTForms' validators, whose message a person reads beside the field.
VALIDATORS = {
    "DataRequired",
    "InputRequired",
    "Optional",
    "Length",
    "NumberRange",
    "Email",
    "Regexp",
    "EqualTo",
    "AnyOf",
    "NoneOf",
    "URL",
}
SHOWN_KEYWORDS = {"label", "message", "description"}


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _words(node: ast.expr | None) -> bool:
    """A literal a person would read: a string with a letter in it, or an f-string."""
    if isinstance(node, ast.JoinedStr):
        return True
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and any(c.isalpha() for c in node.value)
    )


def untranslated(source: str) -> list[tuple[int, str]]:
    """(line, call) for each string literal shown to people without gettext."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node)
        is_field = name.endswith("Field")
        if (name in SHOWN_FIRST_ARGUMENT or is_field) and node.args and _words(node.args[0]):
            found.append((node.lineno, name))
        # A job's title, shown on the jobs' pages: declared with N_ where it is registered, or
        # its words given (`words=`) where it is built from parts.
        given = {k.arg: k.value for k in node.keywords}
        if name == "register" and _words(given.get("title")) and "words" not in given:
            found.append((node.lineno, "register(title=…)"))
        if not (is_field or name in VALIDATORS):
            continue
        for keyword in node.keywords:
            if keyword.arg in SHOWN_KEYWORDS and _words(keyword.value):
                found.append((node.lineno, f"{name}({keyword.arg}=…)"))
    return sorted(found)


def _modules(entry: str) -> list[Path]:
    path = ROOT / entry
    if path.is_dir():
        return sorted(p for p in path.rglob("*.py") if "seed" not in p.relative_to(ROOT).parts)
    return [path]


@pytest.mark.parametrize("entry", PACKAGES + API_PAGES)
def test_no_module_shows_words_outside_gettext(entry):
    left = [
        f"{path.relative_to(ROOT)}:{line} {call}"
        for path in _modules(entry)
        for line, call in untranslated(path.read_text())
    ]
    assert not left, "mark these for translation (gettext, lazy_gettext as _l):\n" + "\n".join(left)


# Python packages whose words are not for the product's readers.
NOT_FOR_READERS = {
    "api": "the JSON API answers in English (its pages for administrators are checked)",
    "scim": "SCIM answers the city's identity system in English",
    "bench": "the benchmark's output, for developers",
    "deploy": "the production shape's starter, for operators",
    "migrations": "schema changes",
    "tests": "tests",
}


def test_every_package_is_checked_or_said_why_not():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    unaccounted = packages - set(PACKAGES) - set(NOT_FOR_READERS)
    assert not unaccounted, f"check these packages' words or say why not: {sorted(unaccounted)}"


def test_the_check_finds_words_left_in_english():
    source = """
from flask import flash
from flask_babel import gettext, lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired

class F:
    name = StringField("Name", validators=[DataRequired(message="Say who")])
    kept = StringField(_l("Kept"), validators=[DataRequired(message=_l("Fine"))])
    code = StringField(label="Code", description=_l("Fine too"))

def view(who):
    flash("Saved.")
    flash(gettext("Saved."))
    flash(f"Saved {who}.")
    raise Invalid("That is not a date.", field="on")
    raise Invalid(gettext("That is not a date."), field="on")
    raise NotFound(message)
    flash("", "success")
    audit.record(label="kept.in.english")
    raise ValidationError("Pick one.")
    jobs.register(app, "x.y", work, title="Tidy up")
    jobs.register(app, "x.z", work, title=N_("Tidy up"))
"""
    assert [line for line, _ in untranslated(source)] == [8, 8, 10, 13, 15, 16, 21, 22]
