"""Autonomy: tracks of discretion, levels, eligibility from evidence, grants, outcome records."""

from __future__ import annotations

from flask import Flask

# The autonomy package's audit actions, as the audit log and histories say them.
ACTION_WORDS = {
    "autonomy_grant.proposed": "Proposed an autonomy level",
    "autonomy_grant.active": "Granted an autonomy level",
    "autonomy_grant.declined": "Declined a proposed autonomy level",
    "autonomy_grant.superseded": "Replaced an autonomy level with the next",
    "autonomy_grant.revoked": "Lowered an autonomy level",
    "autonomy_grant.reviewed": "Reviewed an autonomy level and kept it",
    "autonomy_grant.review_noticed": "Told the manager an autonomy level needs review",
    "autonomy_track.created": "Added an autonomy track",
    "autonomy_track.updated": "Changed an autonomy track",
    "autonomy_level.created": "Added an autonomy level",
    "autonomy_level.updated": "Changed an autonomy level",
    "autonomy_level.revised": "Made a new version of an autonomy level",
    "outcome_metric.created": "Added an outcome metric",
    "outcome_records.imported": "Imported outcome records",
    "city.autonomy_generated": "Generated the city's autonomy tracks and outcomes",
}


def init_app(app: Flask) -> None:
    """Plug the autonomy package in: pages, navigation, panels, commands, demo and city steps."""
    from academy.slots import COURSE_PAGE
    from autonomy import (
        cli,
        eligibility,
        ladder_views,  # noqa: F401  (HR's ladder pages join the blueprint)
        outcomes,
        views,
    )
    from autonomy import credentials as autonomy_credentials
    from autonomy import jobs as autonomy_jobs
    from autonomy.seed import city, demo
    from civicladder import import_jobs
    from civicladder.access import Role
    from civicladder.cli import register_city_step, register_demo_step
    from civicladder.languages import N_
    from civicladder.layout import register_action_words
    from civicladder.navigation import NavGroup, NavItem, register_nav_item
    from civicladder.panels import HOME, register_panel
    from competencies.signals import evidence_recorded, evidence_withdrawn
    from people.signals import employee_moved, employee_separated
    from people.slots import EMPLOYEE_PROFILE

    app.register_blueprint(views.bp)
    autonomy_credentials.register(app)
    # The stored eligibility follows each person's evidence and job (autonomy.eligibility).
    evidence_recorded.connect(eligibility.on_evidence_recorded, weak=False)
    evidence_withdrawn.connect(eligibility.on_evidence_recorded, weak=False)
    employee_moved.connect(eligibility.on_employees_changed, weak=False)
    employee_separated.connect(eligibility.on_employees_changed, weak=False)
    register_action_words(app, ACTION_WORDS)
    app.cli.add_command(cli.autonomy)
    autonomy_jobs.register(app)
    import_jobs.register(
        app,
        "outcomes",
        title=N_("Outcome records import"),
        page="autonomy.outcome_import",
        upload="autonomy.import_outcomes",
        check=outcomes.preview,
        write=outcomes.import_checked,
    )
    autonomy = NavGroup("autonomy", N_("Autonomy"), 30)
    register_nav_item(
        app,
        NavItem(
            N_("Autonomy"),
            "autonomy.queue",
            (Role.MANAGER, Role.HR),
            12,
            group=autonomy,
            menu_label=N_("Autonomy queue"),
        ),
    )
    register_nav_item(
        app, NavItem(N_("Autonomy tracks"), "autonomy.tracks", (Role.HR,), 32, group=autonomy)
    )
    register_nav_item(
        app, NavItem(N_("Outcome metrics"), "autonomy.metrics", (Role.HR,), 33, group=autonomy)
    )
    # A manager's decisions come right after their team; a person's own standing before the
    # competencies that feed it.
    register_panel(app, HOME, "autonomy_queue", views.queue_panel, order=31)
    register_panel(app, HOME, "my_autonomy", views.my_standing_panel, order=65)
    register_panel(app, EMPLOYEE_PROFILE, "autonomy", views.profile_standing_panel, order=5)
    register_panel(app, COURSE_PAGE, "autonomy_path", views.course_path_panel)
    # After the people (30) and the competency evidence (20) they stand on.
    register_demo_step(app, 45, "autonomy tracks, outcomes and grants", demo.build)
    register_city_step(app, 40, "autonomy tracks, grants and outcome records", city.build)
    # After every step that writes evidence, before the unit figures.
    register_city_step(
        app, 90, "stored eligibility for the managers' queues", city.store_eligibility
    )
