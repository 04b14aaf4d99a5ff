"""Hiring: rounds, applications, blind assessment, ranking, offers and hires."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the hiring package in: pages, navigation, the assessor's home panel."""
    from civicladder.access import Role
    from civicladder.cli import register_city_step, register_demo_step, register_files_command
    from civicladder.languages import N_
    from civicladder.navigation import (
        NavGroup,
        NavItem,
        PublicLink,
        register_nav_item,
        register_public_link,
    )
    from civicladder.panels import HOME, register_panel
    from hiring import cli, views
    from hiring import jobs as hiring_jobs
    from hiring.seed import city, demo

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.hiring_group)
    hiring_jobs.register(app)
    register_files_command(app, cli.import_disk_command)
    hiring = NavGroup("hiring", N_("Hiring"), 35)
    register_nav_item(
        app, NavItem(N_("Hiring rounds"), "hiring.rounds", (Role.HR,), 35, group=hiring)
    )
    register_nav_item(
        app, NavItem(N_("Eligible lists"), "hiring.eligible_lists", (Role.HR,), 36, group=hiring)
    )
    register_nav_item(app, NavItem(N_("Jobs"), "hiring.jobs", (), 65, group=hiring))
    register_public_link(
        app,
        PublicLink(
            N_("Jobs with the city"),
            "hiring.jobs",
            N_("Find an opening and apply: no account needed, and no degree asked for."),
            order=10,
        ),
    )
    register_panel(app, HOME, "assessor", views.assessor_panel, order=35)
    register_panel(app, HOME, "jobs", views.jobs_panel, order=90)
    # After the demo sign-ins: HR, assessors and a hire need their accounts.
    register_demo_step(app, 40, "hiring rounds, applications and assessments", demo.build)
    register_city_step(app, 32, "hiring rounds, applications and assessments", city.build)
