"""Competency commands: the competency part of the demo city."""

from __future__ import annotations

from flask import Flask

from civicladder.cli import register_demo_step


def _demo_framework(built: dict) -> None:
    from competencies import demo

    demo.build_framework(built)


def _demo_evidence(built: dict) -> None:
    from competencies import demo

    demo.build_evidence(built)


def register(app: Flask) -> None:
    # The framework comes first (people need job profiles); evidence needs the people.
    register_demo_step(app, 5, "competency framework and job profiles", _demo_framework)
    register_demo_step(app, 20, "competency evidence", _demo_evidence)
