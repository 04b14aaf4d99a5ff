"""Junk in SCIM's bodies and query strings gets a 4xx in SCIM's error shape, never a 500, and
a refused write leaves nothing behind."""

from __future__ import annotations

import sqlalchemy as sa

from civicladder.db import db
from civicladder.models import AuditEvent
from tests.scim.conftest import ERROR_SCHEMA, PATCH_SCHEMA, user_body

JUNK = [
    None,
    "",
    "x" * 5000,
    -1,
    99999999999999999999,
    1.5,
    True,
    [],
    {},
    [None],
    {"a": [1]},
    "é\u0000z",
]


def _bodies(junk) -> list:
    """Bodies of each shape the routes read, with `junk` in one place."""
    user = user_body("junk@city.gov")
    bodies = [junk, {"schemas": junk}]
    for name in ("userName", "displayName", "active", "emails", "name", "externalId"):
        bodies.append(user | {name: junk})
    bodies.append(user | {"emails": [{"value": junk}]})
    bodies.append(user | {"name": {"givenName": junk}})
    bodies.append(user | {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": junk})
    bodies.append({"schemas": [PATCH_SCHEMA], "Operations": junk})
    for key in ("op", "path", "value"):
        operation = {"op": "replace", "path": "active", "value": False} | {key: junk}
        bodies.append({"schemas": [PATCH_SCHEMA], "Operations": [operation]})
    bodies.append(
        {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "add", "path": "members", "value": junk}]}
    )
    bodies.append(
        {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "add", "value": {"members": junk}}]}
    )
    bodies.append({"displayName": junk, "members": junk})
    return bodies


def _checked(response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if response.status_code >= 400:
        assert response.get_json()["schemas"] == [ERROR_SCHEMA], where


def test_junk_bodies_are_refused_cleanly(scim, make_user):
    target = make_user().id
    routes = [
        ("POST", "/Users"),
        ("PUT", f"/Users/{target}"),
        ("PATCH", f"/Users/{target}"),
        ("POST", "/Groups"),
        ("PUT", "/Groups/manager"),
        ("PATCH", "/Groups/manager"),
    ]
    shapes = len(_bodies(None))
    # Each shape with two of the junk values in turn (every value goes into several shapes):
    # the whole cross product would cost half a minute.
    for shape in range(shapes):
        for turn in range(2):
            body = _bodies(JUNK[(shape + turn * 6) % len(JUNK)])[shape]
            for method, path in routes:
                before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
                response = scim._call(method, path, body)
                where = f"{method} {path} {str(body)[:80]}"
                _checked(response, where)
                if response.status_code >= 400:
                    after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
                    assert after == before, f"{where} wrote while refusing"


def test_junk_query_strings_are_refused_cleanly(scim):
    values = [
        "",
        "abc",
        "-1",
        "0",
        "99999999999999999999",
        "x" * 3000,
        'userName eq "',
        "[",
        "\u0000",
    ]
    for path in ("/Users", "/Groups", "/Users/1", "/Groups/hr"):
        for name in ("filter", "startIndex", "count", "attributes", "excludedAttributes"):
            for value in values:
                response = scim.get(path, query_string={name: value})
                _checked(response, f"{path}?{name}={value[:20]}")
