"""People: departments, bargaining units, job profiles, employees, accounts, roster import."""

from __future__ import annotations

from flask import Flask

# The people package's audit actions, as the audit log and histories say them.
ACTION_WORDS = {
    "employee.created": "Added an employee",
    "employee.updated": "Changed an employee record",
    "department.created": "Added a department",
    "bargaining_unit.created": "Added a bargaining unit",
    "roster.imported": "Imported a roster",
    "user.bargaining_units_changed": "Changed the bargaining units represented",
    "user.employee_linked": "Linked an account to an employee record",
    "user.employee_unlinked": "Unlinked an account from its employee record",
    "learner_record.issued": "Issued a learner record",
}


def init_app(app: Flask) -> None:
    """Plug the people package in: pages, navigation, home panels, commands, demo steps."""
    from civicladder import export_jobs, import_jobs
    from civicladder.access import Role
    from civicladder.cli import register_city_step, register_demo_step
    from civicladder.identity import register_account_finder
    from civicladder.languages import N_
    from civicladder.layout import register_action_words
    from civicladder.navigation import (
        ADMIN_TASKS,
        ADMINISTRATION,
        NavGroup,
        NavItem,
        register_nav_item,
    )
    from civicladder.panels import HOME, register_panel
    from people import cli, figures, identity, queries, roster, services, views, workforce
    from people import jobs as people_jobs
    from people.seed import city, demo
    from people.views import home

    app.register_blueprint(views.bp)
    register_account_finder(app, identity.account_for_claims)
    register_action_words(app, ACTION_WORDS)
    register_nav_item(
        app,
        NavItem(N_("My profile"), "people.profile", order=5, url_values=home.own_profile_values),
    )
    people = NavGroup("people", N_("People"), 10)
    register_nav_item(
        app,
        NavItem(N_("Workforce"), "people.directory", (Role.HR, Role.MANAGER), 10, group=people),
    )
    register_nav_item(
        app, NavItem(N_("Roster import"), "people.import_roster", (Role.HR,), 20, group=people)
    )
    register_nav_item(
        app, NavItem(N_("Users"), "people.users", (Role.ADMIN,), 80, group=ADMINISTRATION)
    )
    register_nav_item(
        app, NavItem(N_("Invite a user"), "people.new_user", (Role.ADMIN,), 10), ADMIN_TASKS
    )
    register_nav_item(
        app, NavItem(N_("Manage users and roles"), "people.users", (Role.ADMIN,), 20), ADMIN_TASKS
    )
    register_panel(app, HOME, "team", home.team_panel, order=30)
    register_panel(app, HOME, "workforce", home.workforce_panel, order=40)
    register_panel(app, HOME, "union", home.union_panel, order=45)
    app.cli.add_command(cli.people_group)
    people_jobs.register(app)
    export_jobs.register(
        app,
        workforce.EXPORT,
        title=N_("Workforce list export"),
        filename="workforce.csv",
        header=workforce.HEADER,
        rows=workforce.rows,
    )
    import_jobs.register(
        app,
        "roster",
        title=N_("Roster import"),
        page="people.roster_import",
        upload="people.import_roster",
        check=roster.preview,
        write=services.import_checked_roster,
    )
    figures.register_kind(app, "members", queries.unit_headcounts)
    figures.register_kind(app, "job", queries.unit_members_by_job)
    # Last in the demo and the city: every package's data is in by then.
    register_demo_step(app, 95, "bargaining units' figures", demo.refresh_unit_figures)
    register_city_step(app, 95, "bargaining units' figures", city.refresh_unit_figures)
    register_demo_step(app, 10, "departments, bargaining units and people", demo.build)
    # Accounts come last, so the demo's own history does not fill their notifications.
    register_demo_step(app, 30, "demo sign-ins", demo.build_accounts)
    register_city_step(
        app, 10, "departments, bargaining units, job profiles and people", city.build
    )
