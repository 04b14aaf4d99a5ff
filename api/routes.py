"""The API's routes under /api/v1, documented by the OpenAPI 3.1 document flask-smorest
generates from the same marshmallow schemas that read the requests and shape the answers.

flask-smorest rather than a pydantic library: it plugs into the app factory like every other
extension (`init_app` on the existing Flask app; flask-openapi3 and APIFlask want their own app
class), webargs reads query strings and bodies with the schemas, and apispec writes the
document from them, so the description cannot drift from the code.
"""

from __future__ import annotations

import http
from functools import wraps

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from api import (
    autonomy_routes,
    batch_routes,
    discretion_routes,
    events_routes,
    evidence_routes,
    framework_routes,
    outcome_routes,
    people_routes,
    postings_routes,
    record_routes,
    reports_routes,
    roster_routes,
    training_routes,
)
from api.auth import SECURITY_SCHEME, rate_key, rate_limit
from api.problems import MEDIA_TYPE, ProblemSchema
from civicladder.access import public
from civicladder.extensions import csrf, limiter

# Said to a token, or to an address calling the open routes (postings) without one.
TOO_MANY = "Too many calls from this caller: wait as Retry-After says, then go on."
BLUEPRINTS = (
    people_routes.blp,
    evidence_routes.blp,
    autonomy_routes.blp,
    discretion_routes.blp,
    events_routes.blp,
    reports_routes.blp,
    framework_routes.blp,
    training_routes.blp,
    postings_routes.blp,
    roster_routes.blp,
    outcome_routes.blp,
    batch_routes.blp,
    record_routes.blp,
)
# Once per blueprint (the limiter is one object whatever the number of apps): per token.
for _blueprint in BLUEPRINTS:
    limiter.limit(rate_limit, key_func=rate_key, error_message=TOO_MANY)(_blueprint)


class _Api(Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        """Nothing app-wide: the API's blueprints answer problems themselves (api.problems),
        and every other page keeps the app's own error pages."""

    def _register_responses(self):
        """Each error status documented as the problem it answers, in its media type."""
        for status in http.HTTPStatus:
            if status >= 400:
                response = {"description": status.phrase, "schema": ProblemSchema}
                prepare_response(response, self.spec, MEDIA_TYPE)
                self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem", "schema": ProblemSchema}
        prepare_response(response, self.spec, MEDIA_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)

    def _register_pagination_header(self):
        """Lists page with cursors of their own, not flask-smorest's page numbers."""


def register(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "CivicLadder API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = _Api(
        app,
        spec_kwargs={
            "info": {
                "description": (
                    "Other city systems read and feed CivicLadder, and ask whether a person "
                    "may act alone under a discretion item at the moment of work. Every call "
                    "carries a bearer token of a registered API client; each route names the "
                    "scope it needs. Errors are application/problem+json."
                ),
            },
        },
    )
    api.spec.components.security_scheme(
        SECURITY_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A token an administrator issued to your client (shown once).",
        },
    )
    for blueprint in BLUEPRINTS:
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    # The document itself is public, as a published API's description is.
    document = app.view_functions["api-docs.openapi_json"]
    app.view_functions["api-docs.openapi_json"] = public(wraps(document)(lambda: document()))
