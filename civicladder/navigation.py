"""Menus of links: the main navigation, and the administrator's tasks on the home page. Each
package adds its own items; the shell names no domain endpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_babel import gettext

from civicladder.access import Role

_KEY = "civicladder.navigation"


@dataclass(frozen=True)
class NavItem:
    """A link in the navigation.

    `roles`: who sees it (any of them); empty means every signed-in person.
    `url_values`: for links that depend on the person (their own profile): returns the
    endpoint's arguments for this user, or None to leave the item out for them.
    """

    label: str
    endpoint: str
    roles: tuple[Role, ...] = ()
    order: int = 50
    url_values: Callable[[object], dict | None] | None = None


@dataclass(frozen=True)
class Menu:
    """A list of links that packages add to, shown where its owner puts it."""

    name: str


MAIN = Menu("main")  # the navigation at the top of every page
ADMIN_TASKS = Menu("admin tasks")  # the administrator's panel on the home page


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def register_nav_item(app: Flask, item: NavItem, menu: Menu = MAIN) -> None:
    if not isinstance(menu, Menu):
        raise TypeError(f"links go into a declared Menu, not {menu!r}")
    items = app.extensions.setdefault(_KEY, {}).setdefault(menu, [])
    items.append(item)
    items.sort(key=lambda i: (i.order, i.label))


def links_for(user, menu: Menu = MAIN) -> list[NavLink]:
    """The menu's links this person sees, with the page they are on marked."""
    if user is None or not user.is_authenticated:
        return []
    links = []
    for item in current_app.extensions.get(_KEY, {}).get(menu, []):
        if item.roles and not any(user.has_role(role) for role in item.roles):
            continue
        values = {}
        if item.url_values is not None:
            values = item.url_values(user)
            if values is None:
                continue
        url = url_for(item.endpoint, **values)
        links.append(NavLink(gettext(item.label), url, request.path == url))
    return links


_PUBLIC_KEY = "civicladder.public_links"


@dataclass(frozen=True)
class PublicLink:
    """A page open to anyone that a package puts in the header, the footer, the landing page
    and the sign-in page (the jobs page): the shell names no domain endpoint itself."""

    label: str  # marked with N_ where declared, translated here for the page
    endpoint: str
    description: str = ""
    order: int = 50


@dataclass(frozen=True)
class PublicNavLink:
    label: str
    url: str
    description: str
    current: bool


def register_public_link(app: Flask, link: PublicLink) -> None:
    links = app.extensions.setdefault(_PUBLIC_KEY, [])
    links.append(link)
    links.sort(key=lambda item: (item.order, item.label))


def public_links() -> list[PublicNavLink]:
    found = []
    for link in current_app.extensions.get(_PUBLIC_KEY, []):
        url = url_for(link.endpoint)
        found.append(
            PublicNavLink(
                gettext(link.label),
                url,
                gettext(link.description) if link.description else "",
                request.path == url,
            )
        )
    return found
