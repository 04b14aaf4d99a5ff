"""SCIM test helpers: a test client calling with a token of an API client, as an identity
system does."""

from __future__ import annotations

import pytest

from tests.api.factories import api_token

MEDIA_TYPE = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class Scim:
    """Calls /scim/v2 with a bearer token and SCIM's media type."""

    def __init__(self, app, secret: str):
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def _call(self, method: str, path: str, body=None, **kwargs):
        headers = dict(self.headers)
        data = None
        if body is not None:
            import json

            headers["Content-Type"] = MEDIA_TYPE
            data = json.dumps(body)
        return self.client.open(
            "/scim/v2" + path, method=method, headers=headers, data=data, **kwargs
        )

    def get(self, path: str, **kwargs):
        return self._call("GET", path, **kwargs)

    def post(self, path: str, body):
        return self._call("POST", path, body)

    def put(self, path: str, body):
        return self._call("PUT", path, body)

    def patch(self, path: str, *operations):
        return self._call(
            "PATCH", path, {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}
        )

    def delete(self, path: str):
        return self._call("DELETE", path)


@pytest.fixture
def scim_token(app):
    """A token in scope scim, made in a context of its own: a request made while a test holds
    a context would reuse it, and with it the user signed in by an earlier request."""
    with app.test_request_context():
        return api_token(["scim"])


@pytest.fixture
def scim(app, scim_token):
    return Scim(app, scim_token.secret)


def user_body(user_name: str, *, email: str | None = None, **extra) -> dict:
    body = {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "displayName": extra.pop("display_name", "Jane Doe"),
        "active": extra.pop("active", True),
        "emails": [{"value": email or user_name, "primary": True}],
    }
    return body | extra
