"""Every route × every role, with the outcome each should get; a new route must be added here."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from civicladder.access import declared_rules

ROLES = ["anonymous", "employee", "manager", "hr", "union_rep", "admin"]
SIGNIN = "signin"  # redirected to the sign-in page
REJECTED = "rejected"  # allowed through access control, but the empty submission is refused (4xx)


@dataclass
class Case:
    method: str
    url: str
    expect: dict[str, object]
    data: dict = field(default_factory=dict)


def only(allowed: dict[str, object], others: object = 403) -> dict[str, object]:
    """Signed-in roles not named get `others`; anonymous is sent to sign in."""
    expect = dict.fromkeys(ROLES, others)
    expect["anonymous"] = SIGNIN
    expect.update(allowed)
    return expect


EVERYONE_SIGNED_IN = dict.fromkeys(ROLES, 200) | {"anonymous": SIGNIN}


def build_cases(ids: dict) -> dict[str, Case]:
    target = ids["target_employee"]
    user = ids["target_user"]
    competency = ids["competency"]
    profile = ids["job_profile"]
    return {
        "static": Case("GET", "/static/css/site.css", dict.fromkeys(ROLES, 200)),
        "home.healthz": Case("GET", "/healthz", dict.fromkeys(ROLES, 200)),
        "home.index": Case("GET", "/", EVERYONE_SIGNED_IN),
        "auth.sign_in": Case("GET", "/sign-in", dict.fromkeys(ROLES, 302) | {"anonymous": 200}),
        "auth.sign_out": Case("POST", "/sign-out", dict.fromkeys(ROLES, SIGNIN)),
        "auth.change_password": Case("GET", "/account/password", EVERYONE_SIGNED_IN),
        "auth.reset_password": Case("GET", "/reset/not-a-real-token", dict.fromkeys(ROLES, 404)),
        "auth.mark_notifications_read": Case(
            "POST", "/notifications/read", dict.fromkeys(ROLES, 302) | {"anonymous": SIGNIN}
        ),
        "admin.audit_log": Case("GET", "/admin/audit", only({"admin": 200})),
        "admin.outbox": Case("GET", "/admin/outbox", only({"admin": 200})),
        "people.directory": Case("GET", "/people", only({"hr": 200, "manager": 200})),
        "people.profile": Case("GET", f"/people/{target}", only({"hr": 200}, others=404)),
        "people.users": Case("GET", "/admin/users", only({"admin": 200})),
        "people.new_user": Case("GET", "/admin/users/new", only({"admin": 200})),
        "people.user": Case("GET", f"/admin/users/{user}", only({"admin": 200})),
        "people.update_roles": Case(
            "POST",
            f"/admin/users/{user}/roles",
            only({"admin": 302}),
            {"roles": ["employee"]},
        ),
        "people.update_rep_units": Case(
            "POST", f"/admin/users/{user}/bargaining-units", only({"admin": 302})
        ),
        "people.deactivate": Case(
            "POST", f"/admin/users/{user}/deactivate", only({"admin": 302}), {"reason": "left"}
        ),
        "people.reactivate": Case(
            "POST", f"/admin/users/{user}/reactivate", only({"admin": 302}), {"reason": "back"}
        ),
        "people.reset_link": Case("POST", f"/admin/users/{user}/reset-link", only({"admin": 200})),
        "people.import_roster": Case("GET", "/people/import", only({"hr": 200})),
        "people.commit_roster": Case("POST", "/people/import/commit", only({"hr": REJECTED})),
        "competencies.framework": Case("GET", "/competencies", only({"hr": 200})),
        "competencies.new_category": Case("GET", "/competencies/categories/new", only({"hr": 200})),
        "competencies.edit_category": Case(
            "GET", f"/competencies/categories/{ids['category']}/edit", only({"hr": 200})
        ),
        "competencies.new_competency": Case("GET", "/competencies/new", only({"hr": 200})),
        "competencies.edit_competency": Case(
            "GET", f"/competencies/{competency}/edit", only({"hr": 200})
        ),
        "competencies.job_profiles": Case("GET", "/job-profiles", only({"hr": 200})),
        "competencies.new_job_profile": Case("GET", "/job-profiles/new", only({"hr": 200})),
        "competencies.edit_job_profile": Case(
            "GET", f"/job-profiles/{profile}/edit", only({"hr": 200})
        ),
        "competencies.record_evidence": Case(
            "GET", f"/people/{target}/evidence/new", only({"hr": 200, "manager": 404})
        ),
    }


ENDPOINTS = sorted(
    build_cases(
        dict.fromkeys(
            ["target_employee", "target_user", "competency", "category", "job_profile"], 1
        )
    )
)


def test_every_registered_endpoint_is_in_the_matrix(app):
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert registered == set(ENDPOINTS), (
        f"missing from the matrix: {sorted(registered - set(ENDPOINTS))}; "
        f"in the matrix but not registered: {sorted(set(ENDPOINTS) - registered)}"
    )


def test_every_endpoint_declares_its_access(app):
    undeclared = [name for name, view in app.view_functions.items() if declared_rules(view) is None]
    assert undeclared == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_access(endpoint, role, world, client_for):
    case = build_cases(world)[endpoint]
    expected = case.expect[role]
    response = client_for(role).open(case.url, method=case.method, data=case.data)
    response.close()
    if expected == SIGNIN:
        assert response.status_code == 302, response.status_code
        assert response.headers["Location"].startswith("/sign-in")
    elif expected == REJECTED:
        assert 400 <= response.status_code < 500 and response.status_code != 403
    else:
        assert response.status_code == expected, (
            f"{case.method} {case.url} as {role}: {response.status_code}, expected {expected}"
        )
