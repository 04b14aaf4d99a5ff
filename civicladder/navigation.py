"""Menus of links: the main navigation, and the administrator's tasks on the home page. Each
package adds its own items; the shell names no domain endpoint.

An item may belong to a `NavGroup` (a section of the product: people, skills, training...). A
person whose roles bring more links than fit on one line (HR, a manager) reads the main
navigation by section, as USWDS's header does for a site with many sections: a button per
section opening its sub-menu, the section of the page they are on marked as current. Those
with few links (an employee) keep them as plain links, and so does a section holding one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import Flask, current_app, request, url_for
from flask_babel import gettext

from civicladder.access import Role
from civicladder.languages import N_

_KEY = "civicladder.navigation"


@dataclass(frozen=True)
class NavGroup:
    """A section of the main navigation, heading the items a package puts in it.

    `key` names it in the page (the id of its sub-menu); `label` is marked with N_ where
    declared and translated here; `order` places it among the other sections and the items
    that belong to none.
    """

    key: str
    label: str
    order: int


# The shell's own section: the pages that keep the product running.
ADMINISTRATION = NavGroup("administration", N_("Administration"), 90)

# Up to this many links, a person's navigation is plain links; past it, sections.
FLAT_MOST = 7


@dataclass(frozen=True)
class NavItem:
    """A link in the navigation.

    `roles`: who sees it (any of them); empty means every signed-in person.
    `url_values`: for links that depend on the person (their own profile): returns the
    endpoint's arguments for this user, or None to leave the item out for them.
    `group`: the section it is read under when the navigation is grouped; `menu_label`: its
    words inside that section's sub-menu when the section's name would repeat them ("Autonomy
    queue" under "Autonomy"), marked with N_ like `label`.
    """

    label: str
    endpoint: str
    roles: tuple[Role, ...] = ()
    order: int = 50
    url_values: Callable[[object], dict | None] | None = None
    group: NavGroup | None = None
    menu_label: str | None = None


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
    group: NavGroup | None = None
    # The page is in this link's part of the product (its blueprint), if not the link's own.
    in_section: bool = False
    order: int = 50
    menu_label: str | None = None


@dataclass(frozen=True)
class NavSection:
    """A section of a grouped navigation: its button and the sub-menu of its links."""

    key: str
    label: str
    links: list[NavLink]
    current: bool

    @property
    def menu_id(self) -> str:
        return f"nav-section-{self.key}"


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
        links.append(
            NavLink(
                gettext(item.label),
                url,
                request.path == url,
                item.group,
                request.blueprint is not None
                and item.endpoint.partition(".")[0] == request.blueprint,
                item.order,
                gettext(item.menu_label) if item.menu_label else None,
            )
        )
    return links


def navigation_for(user) -> list[NavLink | NavSection]:
    """The main navigation as this person reads it: their links as they are when few, or else
    by section (a section holding one link is that link), in order. One section at most is
    current: the one holding the page, or else the first leading into the page's part of the
    product."""
    links = links_for(user, MAIN)
    if len(links) <= FLAT_MOST:
        return links
    grouped: dict[NavGroup, list[NavLink]] = {}
    entries: list[tuple[int, str, NavLink | NavGroup]] = []
    for link in links:
        if link.group is None:
            entries.append((link.order, link.label, link))
            continue
        if link.group not in grouped:
            grouped[link.group] = []
            entries.append((link.group.order, link.group.key, link.group))
        grouped[link.group].append(link)
    current = _current_group(grouped)
    shown: list[NavLink | NavSection] = []
    for _order, _name, entry in sorted(entries, key=lambda e: (e[0], e[1])):
        if isinstance(entry, NavLink):
            shown.append(entry)
        elif len(grouped[entry]) == 1:
            shown.append(grouped[entry][0])
        else:
            in_menu = [replace(n, label=n.menu_label or n.label) for n in grouped[entry]]
            shown.append(NavSection(entry.key, gettext(entry.label), in_menu, entry is current))
    return shown


def _current_group(grouped: dict[NavGroup, list[NavLink]]) -> NavGroup | None:
    for test in (lambda link: link.current, lambda link: link.in_section):
        for group, links in grouped.items():
            if any(test(link) for link in links):
                return group
    return None


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
