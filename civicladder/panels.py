"""Page panels: domain packages fill named slots on shared pages without the shell knowing them.

The home page and the employee profile are assembled this way: the shell (or a lower package)
owns the page and a slot name; packages above it register panels for that slot. A panel is
``build(*args) -> dict | None``: a dict with the ``template`` to include and its context, or
None when it has nothing to show for these arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

HOME = "home"
EMPLOYEE_PROFILE = "employee_profile"


@dataclass(frozen=True)
class Panel:
    order: int
    name: str
    build: Callable


def register_panel(app: Flask, slot: str, name: str, build: Callable, order: int = 50) -> None:
    slots = app.extensions.setdefault("civicladder.panels", {})
    panels = slots.setdefault(slot, [])
    panels.append(Panel(order, name, build))
    panels.sort(key=lambda panel: (panel.order, panel.name))


def build_panels(slot: str, *args) -> list[dict]:
    built = []
    for panel in current_app.extensions.get("civicladder.panels", {}).get(slot, []):
        content = panel.build(*args)
        if content is not None:
            built.append(content)
    return built
