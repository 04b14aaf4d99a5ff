"""Page panels: packages fill named slots on another package's page without it knowing them.

The package that owns a page declares its slots as `Slot` objects (the shell's home page has
`HOME`; the people package's employee profile has its own). Packages above it register a
builder for a slot in their `init_app`; a builder takes the slot's arguments and returns a
`Panel` (a dataclass naming its template) or None when it has nothing to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from flask import Flask, current_app
from markupsafe import Markup

_KEY = "civicladder.panels"


@dataclass(frozen=True)
class Slot:
    """A place on a page that other packages may fill; `arguments` name what builders get."""

    name: str
    arguments: tuple[str, ...]


class Panel:
    """What one panel shows. Subclasses are dataclasses; the template reads them as `p`."""

    template: ClassVar[str]


PanelBuilder = Callable[..., Panel | None]


@dataclass(frozen=True)
class _Registration:
    order: int
    name: str
    build: PanelBuilder


HOME = Slot("home", arguments=("viewer",))


def register_panel(app: Flask, slot: Slot, name: str, build: PanelBuilder, order: int = 50) -> None:
    if not isinstance(slot, Slot):
        raise TypeError(f"panels go into a declared Slot, not {slot!r}")
    registrations = app.extensions.setdefault(_KEY, {}).setdefault(slot, [])
    if any(r.name == name for r in registrations):
        raise ValueError(f"a panel named {name!r} is already registered for {slot.name}")
    registrations.append(_Registration(order, name, build))
    registrations.sort(key=lambda r: (r.order, r.name))


def build_panels(slot: Slot, *args) -> list[Panel]:
    """The panels that have something to show for these arguments, in their order."""
    if len(args) != len(slot.arguments):
        raise TypeError(f"slot {slot.name} takes {slot.arguments}, got {len(args)} arguments")
    built = []
    for registration in current_app.extensions.get(_KEY, {}).get(slot, []):
        panel = registration.build(*args)
        if panel is None:
            continue
        if not isinstance(panel, Panel):
            raise TypeError(f"panel {registration.name} returned {type(panel).__name__}")
        built.append(panel)
    return built


def render_panels(slot: Slot, *args) -> Markup:
    """The slot's panels rendered in their order, each template reading its panel as `p`
    (with the page's usual context, built once for them all)."""
    context: dict = {}
    current_app.update_template_context(context)
    environment = current_app.jinja_env
    return Markup(  # noqa: S704 (each template's own autoescaped output)
        "".join(
            environment.get_template(panel.template).render(context, p=panel)
            for panel in build_panels(slot, *args)
        )
    )
