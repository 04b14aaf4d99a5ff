"""Academy: courses, sessions, enrolment and waitlists, completions and certificates."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the academy in: pages, navigation, signal handlers, demo steps."""
    from academy import credentials, enrolment, exports, panels, views
    from academy.seed import city, demo
    from civicladder import export_jobs
    from civicladder.access import Role
    from civicladder.cli import register_city_step, register_demo_step
    from civicladder.languages import N_
    from civicladder.navigation import NavGroup, NavItem, register_nav_item
    from civicladder.panels import HOME, register_panel
    from people import signals as people_signals
    from people.slots import EMPLOYEE_PROFILE

    app.register_blueprint(views.bp)
    credentials.register(app)
    export_jobs.register(
        app,
        exports.TRAINING_EXPORT,
        title=N_("Training records export"),
        filename="training-records.csv",
        header=exports.CSV_HEADER,
        rows=exports.training_records,
    )
    training = NavGroup("training", N_("Training"), 25)
    register_nav_item(
        app,
        NavItem(
            N_("Training"),
            "academy.catalog",
            order=25,
            group=training,
            menu_label=N_("Training catalog"),
        ),
    )
    register_nav_item(
        app,
        NavItem(N_("My training"), "academy.my_training", (Role.EMPLOYEE,), 24, group=training),
    )
    register_nav_item(
        app,
        NavItem(N_("Training requests"), "academy.approvals", (Role.MANAGER,), 26, group=training),
    )
    register_panel(app, HOME, "training", panels.home_panel, order=72)
    register_panel(app, EMPLOYEE_PROFILE, "training", panels.profile_panel, order=20)
    # Connected once per process: blinker keeps receivers across apps (tests build several).
    people_signals.employee_separated.connect(enrolment.on_employee_separated, weak=False)
    # After the people and their evidence (steps 10, 20), before the demo sign-ins (30).
    register_demo_step(app, 25, "training academy", demo.build)
    # After the people (10) and the competency framework (20).
    register_city_step(app, 30, "courses, sessions, enrolments and certificates", city.build)
