"""Hiring: rounds, applications, blind assessment, ranking, offers and hires."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the hiring package in: pages, navigation, the assessor's home panel."""
    from civicladder.access import Role
    from civicladder.cli import register_city_step, register_demo_step, register_files_command
    from civicladder.navigation import NavItem, register_nav_item
    from civicladder.panels import HOME, register_panel
    from hiring import city, cli, demo, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.hiring_group)
    register_files_command(app, cli.import_disk_command)
    register_nav_item(app, NavItem("Hiring rounds", "hiring.rounds", (Role.HR,), 35))
    register_nav_item(app, NavItem("Jobs", "hiring.jobs", (), 65))
    register_panel(app, HOME, "assessor", views.assessor_panel, order=35)
    # After the demo sign-ins: HR, assessors and a hire need their accounts.
    register_demo_step(app, 40, "hiring rounds, applications and assessments", demo.build)
    register_city_step(app, 32, "hiring rounds, applications and assessments", city.build)
