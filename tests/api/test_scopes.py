"""Every API route × every scope: a token gets through only with the scope the route names,
and a token of each other scope is refused with 403, whatever the route."""

from __future__ import annotations

import pytest

from api.scopes import SCOPES
from tests.api.factories import api_token, bearer

pytestmark = pytest.mark.usefixtures("app_ctx")


def _scoped_routes(app) -> list[tuple[str, str, str]]:
    """(method, url, scope) of every route that asks for a scope, its path filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        scope = getattr(view, "api_scope", None)
        if scope is None:
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<{argument}>", "X-1").replace(f"<int:{argument}>", "1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url, scope))
    return found


def test_each_scope_opens_its_own_routes_and_no_other(app, client):
    routes = _scoped_routes(app)
    assert {scope for _, _, scope in routes} <= set(SCOPES)
    assert len(routes) >= 6
    wrong = []
    for scope in SCOPES:
        secret = api_token([scope]).secret
        for method, url, needed in routes:
            status = client.open(url, method=method, headers=bearer(secret), json={}).status_code
            if (status == 403) != (scope != needed):
                wrong.append(f"{method} {url} (needs {needed}) with {scope}: {status}")
    assert not wrong, "\n".join(wrong)
