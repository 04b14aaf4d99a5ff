"""People commands: the people part of the demo city, and roster import."""

from __future__ import annotations

from flask import Flask

from civicladder.cli import register_demo_step


def _demo_people(built: dict) -> None:
    from people import demo

    demo.build(built)


def register(app: Flask) -> None:
    register_demo_step(app, 10, "departments, bargaining units and people", _demo_people)
