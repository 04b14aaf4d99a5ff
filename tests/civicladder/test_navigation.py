"""The main navigation: plain links for those with few, USWDS sections with sub-menus for those
whose roles bring many (HR, managers), every link still there, the page's section current."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from civicladder import navigation
from civicladder.access import Role
from civicladder.navigation import NavGroup, NavLink, NavSection


@dataclass
class Section:
    label: str = ""
    classes: list[str] = field(default_factory=list)
    expanded: str | None = None
    controls: str | None = None
    menu_id: str | None = None
    menu_classes: list[str] = field(default_factory=list)
    links: list[tuple[str, str, str | None]] = field(default_factory=list)


class _MainNav(HTMLParser):
    """The main navigation's list of a page (the signed-in person's own links left out): its
    plain links and its sections, as the page has them."""

    def __init__(self):
        super().__init__()
        self.lists = 0  # depth of <ul> inside the primary list; > 0 while inside it
        self.plain: list[tuple[str, str, str | None]] = []
        self.sections: list[Section] = []
        self._section: Section | None = None
        self._in_button = False
        self._link: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "ul" and (self.lists or "usa-nav__primary" in classes):
            self.lists += 1
        if not self.lists:
            return
        if tag == "li" and "usa-nav__primary-item" in classes:
            self._section = None
        elif tag == "button" and "usa-accordion__button" in classes:
            self._section = Section(
                classes=classes, expanded=a.get("aria-expanded"), controls=a.get("aria-controls")
            )
            self.sections.append(self._section)
            self._in_button = True
        elif tag == "ul" and "usa-nav__submenu" in classes and self._section is not None:
            self._section.menu_id, self._section.menu_classes = a.get("id"), classes
        elif tag == "a":
            self._link = [a.get("href"), "", a.get("aria-current")]

    def handle_endtag(self, tag):
        if not self.lists:
            return
        if tag == "ul":
            self.lists -= 1
        elif tag == "button":
            self._in_button = False
        elif tag == "a" and self._link is not None:
            href, text, current = self._link
            target = self._section.links if self._section is not None else self.plain
            target.append((text.strip(), href, current))
            self._link = None

    def handle_data(self, data):
        if self._in_button and self._section is not None:
            self._section.label += data.strip()
        elif self._link is not None:
            self._link[1] += data


def main_nav(html: str) -> _MainNav:
    parser = _MainNav()
    parser.feed(html)
    return parser


def _hrefs(nav: _MainNav) -> set[str]:
    return {href for _, href, _ in nav.plain} | {
        href for section in nav.sections for _, href, _ in section.links
    }


def test_hrs_navigation_is_read_by_section_with_every_link_still_there(app, client_as):
    hr = client_as(Role.HR)
    page = hr.get("/")
    nav = main_nav(page.text)
    assert [s.label for s in nav.sections] == ["People", "Skills", "Autonomy", "Hiring"]
    for section in nav.sections:
        assert {"usa-accordion__button", "usa-nav__link"} <= set(section.classes)
        assert section.expanded == "false"
        assert section.controls == section.menu_id and section.menu_id.startswith("nav-section-")
        assert len(section.links) >= 2
    hiring = next(s for s in nav.sections if s.label == "Hiring")
    assert [label for label, _, _ in hiring.links] == ["Hiring rounds", "Eligible lists", "Jobs"]
    # A section of one link (training, reports, background jobs) is that link.
    assert [label for label, _, _ in nav.plain] == [
        "Home",
        "Training",
        "Reports",
        "Background jobs",
    ]
    # Every link HR's roles bring is still reachable from the header, once.
    with app.test_request_context("/"):
        everything = {link.url for link in navigation.links_for(hr.user)}
    assert _hrefs(nav) == everything
    assert len(everything) > navigation.FLAT_MOST


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/hiring/eligible-lists", "Hiring"),  # a link of the section
        ("/hiring/rounds/new", "Hiring"),  # a page of its part of the product
        ("/autonomy/reviews", "Autonomy"),
        ("/competencies/expiring", "Skills"),
    ],
)
def test_the_section_of_the_page_is_current(client_as, path, section):
    page = client_as(Role.HR).get(path)
    assert page.status_code == 200
    nav = main_nav(page.text)
    current = [s.label for s in nav.sections if "usa-current" in s.classes]
    assert current == [section]
    marked = [
        (label, href) for s in nav.sections for label, href, at in s.links if at == "page"
    ] + [(label, href) for label, href, at in nav.plain if at == "page"]
    assert marked == ([("Eligible lists", path)] if path == "/hiring/eligible-lists" else [])


def test_home_marks_no_section(client_as):
    nav = main_nav(client_as(Role.HR).get("/").text)
    assert not [s for s in nav.sections if "usa-current" in s.classes]
    assert [(label, at) for label, _, at in nav.plain if at] == [("Home", "page")]


def test_an_employee_keeps_plain_links(client_as, people):
    _, user = people.employee_user()
    page = client_as(user).get("/")
    nav = main_nav(page.text)
    assert nav.sections == [] and "usa-nav__submenu" not in page.text
    labels = [label for label, _, _ in nav.plain]
    assert {"Home", "My profile", "Training", "Competencies", "Jobs"} <= set(labels)
    assert len(labels) <= navigation.FLAT_MOST


def test_the_sections_are_named_in_the_readers_language(client_as):
    page = client_as(Role.HR).get("/", headers={"Accept-Language": "es"})
    nav = main_nav(page.text)
    assert [s.label for s in nav.sections] == [
        "Personas",
        "Habilidades",
        "Autonomía",
        "Contratación",
    ]
    autonomy = next(s for s in nav.sections if s.label == "Autonomía")
    assert [label for label, _, _ in autonomy.links][0] == "Decisiones de autonomía"


def test_sections_keep_the_registrys_order_and_a_lone_link_stands_alone(app, monkeypatch):
    people_group = NavGroup("people", "People", 10)
    lonely = NavGroup("lonely", "Lonely", 40)
    links = [
        NavLink("Home", "/", False, order=0),
        NavLink("Directory", "/people", False, people_group, in_section=True, order=10),
        NavLink("Import", "/import", False, people_group, order=20),
        NavLink("Only", "/only", False, lonely, order=40, menu_label="Only, in its menu"),
        *(NavLink(f"Extra {n}", f"/extra/{n}", False, order=50 + n) for n in range(5)),
    ]
    monkeypatch.setattr(navigation, "links_for", lambda user, menu=navigation.MAIN: links)
    with app.test_request_context("/people/4"):
        shown = navigation.navigation_for(object())
    assert [type(entry) for entry in shown[:3]] == [NavLink, NavSection, NavLink]
    section = shown[1]
    assert section.current and section.menu_id == "nav-section-people"
    assert [link.label for link in section.links] == ["Directory", "Import"]
    assert shown[2].label == "Only"  # its menu label is for a sub-menu it is not in
    # Few links: the same links, plain.
    monkeypatch.setattr(navigation, "links_for", lambda user, menu=navigation.MAIN: links[:4])
    with app.test_request_context("/people/4"):
        assert navigation.navigation_for(object()) == links[:4]
