"""Junk in any form or query string gets a 4xx with a message, never a 500."""

import pytest

from tests.civicladder.test_access_matrix import ENDPOINTS, PLACEHOLDER_IDS, build_cases

JUNK_VALUES = [
    "",
    "abc",
    "-1",
    "0",
    "99999999999999999999",
    "x" * 5000,
    "<script>",
    "é\u0000z",
    "   ",  # spaces alone: Optional() lets them past a field's own checks
    "\t \n",
    "9999-12-31",  # the last and first dates Python knows: one day more or less overflows
    "0001-01-01",
    "%_",  # LIKE wildcards
]


def junk_form(seed: int) -> dict:
    """Every field name the app's forms use, filled with a junk value."""
    names = [
        "email", "password", "full_name", "employee_number", "roles", "reason", "units",
        "current_password", "new_password", "confirm_password", "name", "description", "code",
        "category_id", "level_1", "level_2", "level_3", "level_4", "level_5", "title",
        "requirements-0-competency_id", "requirements-0-min_level", "requirements-0-weight",
        "competency_id", "level", "observed_on", "expires_on", "note", "content", "digest",
        "filename", "roster", "period", "body", "confirmed",
    ]  # fmt: skip
    return {name: JUNK_VALUES[(seed + i) % len(JUNK_VALUES)] for i, name in enumerate(names)}


def allowed_role(case) -> str | None:
    for role in ("admin", "hr", "manager", "employee", "union_rep", "anonymous"):
        if case.expect[role] not in (403, 404, "signin"):
            return role
    return None


_DUMMY = build_cases(PLACEHOLDER_IDS)
REACHABLE = [e for e in ENDPOINTS if e != "GET static" and allowed_role(_DUMMY[e])]


@pytest.mark.parametrize("seed", range(len(JUNK_VALUES)))
@pytest.mark.parametrize("endpoint", REACHABLE)
def test_junk_never_causes_a_server_error(endpoint, seed, world, client_for):
    case = build_cases(world)[endpoint]
    role = allowed_role(case)
    client = client_for(role)
    junk = JUNK_VALUES[seed]
    query = {
        "page": junk,
        "q": JUNK_VALUES[seed - 1],
        "department": junk,
        "bargaining_unit": junk,
        "job_profile": junk,
        "status": junk,
        "date_from": junk,
        "date_to": junk,
        "actor": junk,
        "object": junk,
        "action": junk,
        "period": junk,
        "competency": junk,
        "category": junk,
        "mode": junk,
        "sort": junk,
    }
    response = client.open(
        case.url,
        method="GET" if case.method == "GET" else "POST",
        query_string=query if case.method == "GET" else None,
        data=junk_form(seed) if case.method == "POST" else None,
    )
    response.close()
    assert response.status_code < 500, f"{case.method} {case.url} as {role}"


@pytest.mark.parametrize(
    "role, url",
    [
        ("hr", "/people/99999999999999999999"),
        ("hr", "/competencies/2147483648/edit"),
        ("admin", "/admin/users/99999999999/roles"),
    ],
)
def test_ids_beyond_the_database_range_are_not_found(client_as, role, url):
    client = client_as(role)
    method = "POST" if url.endswith("/roles") else "GET"
    assert client.open(url, method=method).status_code == 404


def test_nul_characters_are_refused_before_any_view_runs(client_as):
    client = client_as("hr")
    response = client.get("/people", query_string={"q": "ab\x00c"})
    assert response.status_code == 400
    assert "NUL character" in response.text
    posted = client.post("/competencies/categories/new", data={"name": "x\x00y"})
    assert posted.status_code == 400
    # In the address itself too (an employee number, a course code, a job profile's code).
    in_path = client.get("/api/v1/employees/E%00-1", headers={"Authorization": "Bearer x"})
    assert in_path.status_code == 400
