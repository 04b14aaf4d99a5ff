"""Layout helpers for templates: navigation, pagination, dates and times, audit events in words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel import Locale
from babel import dates as babel_dates
from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale, gettext
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup

from civicladder import caching, clock, navigation
from civicladder.access import Role
from civicladder.db import db
from civicladder.languages import N_

MAX_PAGE = 100_000


def page_number() -> int:
    """The ?page= argument, forgiving: junk means page 1, and no page lies past MAX_PAGE."""
    try:
        return min(MAX_PAGE, max(1, int(request.args.get("page", "1"))))
    except ValueError:
        return 1


@dataclass(frozen=True)
class Window:
    """One page of a list that is never counted whole (too costly at a city's size)."""

    items: list
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def window(stmt: sa.Select, per_page: int) -> Window:
    """The current page of a statement's rows, found by reading one row past it, no count."""
    number = page_number()
    rows = list(db.session.scalars(stmt.limit(per_page + 1).offset((number - 1) * per_page)))
    return Window(rows[:per_page], number, len(rows) > per_page)


def page_url(page: int) -> str:
    args = request.args.to_dict()
    args["page"] = str(page)
    return request.path + "?" + urlencode(args)


class ListPage(Pagination):
    """A page of items found some other way than one paginated SELECT (e.g. a set-based
    computation that counts and slices itself), for the same pagination macro."""

    def __init__(self, items: list, page: int, per_page: int, total: int) -> None:
        self._found, self._total = items, total
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False)

    def _query_items(self) -> list:
        return self._found

    def _query_count(self) -> int:
        return self._total


def sort_url(key: str, current: str) -> str:
    """The address that sorts by `key`: ascending, or descending when already ascending."""
    args = request.args.to_dict()
    args["sort"] = f"-{key}" if current == key else key
    args.pop("page", None)
    return request.path + "?" + urlencode(args)


def sort_header(label: str, key: str, current: str) -> dict:
    """A column heading for templates/macros/ui.html data_table that sorts the list by `key`.

    `current` is the list's sort now: "name", or "-name" for the reverse order.
    """
    state = {key: "ascending", f"-{key}": "descending"}.get(current)
    arrow = {"ascending": " ▲", "descending": " ▼"}.get(state, "")
    if state == "ascending":
        then = gettext("%(column)s, sort descending", column=label)
    else:
        then = gettext("%(column)s, sort ascending", column=label)
    link = Markup('<a href="{}" aria-label="{}">{}{}</a>').format(
        sort_url(key, current), then, label, arrow
    )
    return {"label": link, "aria_sort": state}


def query_string() -> str:
    """This page's own GET arguments, without the page number (an export of the same view)."""
    args = request.args.to_dict()
    args.pop("page", None)
    return urlencode(args)


def _display_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def _locale() -> Locale:
    """The page's locale (or, outside a request, the one `force_locale` set); else English."""
    return get_locale() or _ENGLISH


_ENGLISH = Locale("en", "US")


def format_date(value: date | datetime | None) -> str:
    """ "5 Mar 2026", "5 mar 2026": day, month's short name and year, in the page's language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_display_zone()).date()
    return babel_dates.format_date(value, "d MMM y", locale=_locale())


def format_datetime(value: datetime | None) -> str:
    """ "5 Mar 2026, 14:30 EST": the date as above, the 24-hour time and the zone's abbreviation."""
    if value is None:
        return ""
    local = value.astimezone(_display_zone())
    return f"{format_date(local.date())}, {local:%H:%M %Z}"


_ACTION_WORDS_KEY = "civicladder.action_words"

# The shell's own audit actions; each package registers the words for its own.
SHELL_ACTION_WORDS = {
    "user.signed_in": N_("Signed in"),
    "user.signed_out": N_("Signed out"),
    "user.language_chosen": N_("Chose the language of their pages"),
    "sign_in.password_policy_changed": N_("Changed who signs in with a password"),
    "user.password_changed": N_("Changed their password"),
    "user.password_reset": N_("Set a password through a one-time link"),
    "user.created": N_("Created an account"),
    "user.updated": N_("Changed an account's email address or name"),
    "user.roles_changed": N_("Changed roles"),
    "user.activated": N_("Reactivated an account"),
    "user.deactivated": N_("Deactivated an account"),
    "user.reset_link_issued": N_("Issued a one-time password link"),
    "notification.read": N_("Marked notifications as read"),
}


def register_action_words(app: Flask, words: dict[str, str]) -> None:
    """Say in words what an audit action means ("user.signed_in" reads "Signed in")."""
    app.extensions.setdefault(_ACTION_WORDS_KEY, dict(SHELL_ACTION_WORDS)).update(words)


def action_choices() -> list[tuple[str, str]]:
    """Every described action as (code, words), in the words' order, for a search form; the
    words in the page's language."""
    words = current_app.extensions.get(_ACTION_WORDS_KEY, SHELL_ACTION_WORDS)
    shown = [(code, gettext(text)) for code, text in words.items()]
    return sorted(shown, key=lambda item: item[1])


def action_words(action: str) -> str:
    """An audit action in words; an action nobody described reads as its own words."""
    known = current_app.extensions.get(_ACTION_WORDS_KEY, SHELL_ACTION_WORDS).get(action)
    if known:
        return gettext(known)
    subject, _, verb = action.partition(".")
    text = f"{subject.replace('_', ' ')} {verb.replace('_', ' ')}".strip()
    return text[:1].upper() + text[1:]


def type_words(object_type: str) -> str:
    """A model's class name in words: "CompetencyEvidence" reads "Competency evidence"."""
    if object_type in ("", "-"):
        return ""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", object_type).lower()
    return words[:1].upper() + words[1:]


def object_words(entry) -> str:
    """What an audit event was about: its label where shown, else its kind and record number."""
    kind = type_words(entry.object_type)
    if entry.object_label:
        return f"{kind}: {entry.object_label}" if kind else entry.object_label
    if entry.object_id:
        return gettext("%(kind)s, record %(id)s", kind=kind, id=entry.object_id)
    return kind


def register(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["action_words"] = action_words
    app.jinja_env.filters["object_words"] = object_words
    app.jinja_env.filters["type_words"] = type_words
    app.extensions.setdefault(_ACTION_WORDS_KEY, dict(SHELL_ACTION_WORDS))
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["sort_url"] = sort_url
    app.jinja_env.globals["query_string"] = query_string
    app.jinja_env.globals["sort_header"] = sort_header
    app.jinja_env.globals["today"] = clock.today
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["url_endpoints"] = app.view_functions

    app.jinja_env.globals["primary_nav"] = primary_nav

    @app.context_processor
    def _navigation():
        # A file rendered by a command (a report's PDF at publishing) has no one signed in.
        if not has_request_context():
            return {"public_links": []}
        return {"public_links": navigation.public_links()}


def primary_nav() -> Markup:
    """The main navigation of the signed-in reader on this page, kept (`caching.part`) per
    reader and page until their roles, their account or anything else the page read changes."""
    if not has_request_context() or not current_user.is_authenticated:
        return Markup("")
    template = current_app.jinja_env.get_template("layout/primary_nav.html")
    return caching.part(
        "navigation",
        (current_user.id, request.path, request.blueprint),
        lambda: Markup(  # noqa: S704 (the template's own autoescaped output)
            template.render(nav_items=navigation.navigation_for(current_user))
        ),
    )
