"""The JSON API under /api/v1: other city systems read and feed CivicLadder with bearer tokens
of registered clients, and ask the discretion check at the moment of work."""

from __future__ import annotations

from datetime import time

from flask import Flask

# The API package's audit actions, as the audit log says them.
ACTION_WORDS = {
    "api_client.registered": "Registered an API client",
    "api_client.disabled": "Disabled an API client",
    "api_token.issued": "Issued an API token",
    "api_token.revoked": "Revoked an API token",
}


def init_app(app: Flask) -> None:
    from api import (
        admin_views,
        batch_routes,
        cli,
        events,
        idempotency,
        models,  # noqa: F401 (its tables)
        reference,
        routes,
    )
    from api.seed import city
    from civicladder import jobs, schedule
    from civicladder.access import Role
    from civicladder.cli import register_city_step
    from civicladder.languages import N_, english_only
    from civicladder.layout import register_action_words
    from civicladder.navigation import ADMIN_TASKS, NavItem, register_nav_item

    english_only(app, "/api/")  # the JSON API and its reference, whatever the client's language
    routes.register(app)
    batch_routes.register(app)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(reference.bp)
    register_action_words(app, ACTION_WORDS)
    app.cli.add_command(cli.api_group)
    jobs.register(
        app, idempotency.FORGET_JOB, idempotency.forget, title=N_("Forget API write keys")
    )
    schedule.register(app, idempotency.FORGET_JOB, daily_at=time(9, 45))
    events.connect()
    # Once every package's people, evidence and grants are in, before the planner's statistics.
    register_city_step(app, 88, "the changes feed's last days", city.build)
    jobs.register(app, events.FORGET_JOB, events.forget, title=N_("Forget old changes of the feed"))
    schedule.register(app, events.FORGET_JOB, daily_at=time(9, 50))
    register_nav_item(
        app,
        NavItem(
            N_("Register API clients and issue tokens"), "api_admin.clients", (Role.ADMIN,), 95
        ),
        ADMIN_TASKS,
    )
