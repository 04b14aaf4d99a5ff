"""SCIM 2.0 provisioning under /scim/v2: the city's identity system creates, changes and removes
accounts, and gives roles through groups, with a token of its API client in scope `scim`.

Above the API package: it serves the API's clients and tokens (api.auth, api.tokens)."""

from __future__ import annotations

from flask import Flask

ACTION_WORDS = {
    "scim_account.provisioned": "Provisioned an account by SCIM",
    "scim_account.taken_over": "Took over an existing account for SCIM provisioning",
    "scim_account.changed": "Changed an account's SCIM attributes",
    "scim_account.deleted": "Removed an account by SCIM (deactivated, kept)",
    "scim_account.restored": "Provisioned a removed account again by SCIM",
}


def init_app(app: Flask) -> None:
    from civicladder.errors import register_error_renderer
    from civicladder.languages import english_only
    from civicladder.layout import register_action_words
    from scim import (
        errors,
        models,  # noqa: F401 (its table)
        routes,
    )
    from scim.resources import PREFIX

    english_only(app, PREFIX)
    app.register_blueprint(routes.bp)
    register_error_renderer(
        app, PREFIX + "/", lambda status, message: errors.error_response(status, message)
    )
    register_action_words(app, ACTION_WORDS)
