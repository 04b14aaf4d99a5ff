"""Layout helpers for templates: navigation, pagination, date and time formatting."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from civicladder import clock, navigation
from civicladder.access import Role

MAX_PAGE = 100_000


def page_number() -> int:
    """The ?page= argument, forgiving: junk means page 1, and no page lies past MAX_PAGE."""
    try:
        return min(MAX_PAGE, max(1, int(request.args.get("page", "1"))))
    except ValueError:
        return 1


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


def _display_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_display_zone()).date()
    return f"{value.day} {value:%b %Y}"


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(_display_zone())
    return f"{local.day} {local:%b %Y, %H:%M %Z}"


def register(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["today"] = clock.today
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["url_endpoints"] = app.view_functions

    @app.context_processor
    def _navigation():
        return {"nav_items": navigation.links_for(current_user)}
