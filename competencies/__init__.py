"""Competencies: the framework, the proficiency scale, evidence and job profiles' requirements."""

from __future__ import annotations

from flask import Flask

# The competencies package's audit actions, as the audit log and histories say them.
ACTION_WORDS = {
    "competency.created": "Added a competency",
    "competency.updated": "Changed a competency",
    "competency_category.created": "Added a competency category",
    "competency_category.updated": "Changed a competency category",
    "job_profile.created": "Added a job profile",
    "job_profile.updated": "Changed a job profile",
    "competency_evidence.recorded": "Recorded competency evidence",
    "competency_evidence.withdrawn": "Withdrew competency evidence",
    "competency_framework.imported": "Imported a CASE framework package",
}


def init_app(app: Flask) -> None:
    """Plug the competencies package in: pages, navigation, panels, demo steps."""
    from civicladder import import_jobs
    from civicladder.cli import register_city_step, register_demo_step
    from civicladder.languages import N_
    from civicladder.layout import register_action_words
    from civicladder.navigation import NavGroup, NavItem, register_nav_item
    from civicladder.panels import HOME, register_panel
    from competencies import cli, credentials, standing, views
    from competencies.case import queries as case_queries
    from competencies.case import services as case_services
    from competencies.case import views as case_views
    from competencies.seed import city, demo
    from people import figures as people_figures
    from people.slots import EMPLOYEE_PROFILE

    app.register_blueprint(views.bp)  # with the CASE pages of case_views on it
    import_jobs.register(
        app,
        case_views.IMPORT,
        title=N_("CASE framework import"),
        page="competencies.case_import",
        upload="competencies.import_case",
        check=case_queries.preview,
        write=case_services.import_checked_package,
    )
    register_action_words(app, ACTION_WORDS)
    credentials.register(app)
    app.cli.add_command(cli.competencies_group)
    # Everyone may read the framework and the job profiles; HR maintains them.
    skills = NavGroup("skills", N_("Skills"), 20)
    register_nav_item(
        app, NavItem(N_("Competencies"), "competencies.framework", (), 30, group=skills)
    )
    register_nav_item(
        app, NavItem(N_("Job profiles"), "competencies.job_profiles", (), 31, group=skills)
    )
    # After the panels for a role's work (team, workforce, administration).
    register_panel(app, HOME, "framework", views.framework_panel, order=41)
    register_panel(app, HOME, "team_grid", views.team_grid_panel, order=31)
    register_panel(app, HOME, "unit_bands", views.unit_bands_panel, order=46)
    register_panel(app, HOME, "my_competencies", views.my_competencies_panel, order=70)
    register_panel(app, EMPLOYEE_PROFILE, "competencies", views.profile_levels_panel, order=10)
    # The framework comes first (people need job profiles); evidence needs the people.
    register_demo_step(app, 5, "competency framework and job profiles", demo.build_framework)
    register_demo_step(app, 20, "competency evidence", demo.build_evidence)
    people_figures.register_kind(app, "level_band", standing.unit_level_bands)
    register_city_step(app, 20, "competency framework, requirements and evidence", city.build)
