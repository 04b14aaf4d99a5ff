"""Autonomy: tracks of discretion, levels, eligibility from evidence, grants, outcome records."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the autonomy package in: pages, navigation, panels, commands, demo and city steps."""
    from autonomy import models  # noqa: F401  (the tables belong to the metadata)
