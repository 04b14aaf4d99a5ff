"""SCIM's rows of the access matrix: like the API's, a signed-in session is no way in (every
role gets 401); a token is, with the scope scim (the full token carries it; the unscoped one,
roster:read alone, is refused with 403)."""

from __future__ import annotations

from tests.api.access_cases import NO_SESSION, TOKEN_ONLY
from tests.civicladder.access_cases import Case, recorded

ACTORS: tuple[str, ...] = ()


def world(kit, ids: dict) -> dict:
    """An account for the rows about one user."""
    return {"scim_user": kit.make_user().id}


SCIM_READS = NO_SESSION | {"api_caller": 200, "api_caller_unscoped": 403}
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

CASES = [
    Case("scim.service_provider_config", "GET", "/scim/v2/ServiceProviderConfig", SCIM_READS),
    Case("scim.resource_types", "GET", "/scim/v2/ResourceTypes", SCIM_READS),
    Case("scim.resource_type", "GET", "/scim/v2/ResourceTypes/User", SCIM_READS),
    Case("scim.schemas", "GET", "/scim/v2/Schemas", SCIM_READS),
    Case("scim.schema", "GET", f"/scim/v2/Schemas/{ENTERPRISE}", SCIM_READS),
    Case(
        "scim.search_everything",
        "POST",
        "/scim/v2/.search",
        NO_SESSION | {"api_caller": 501, "api_caller_unscoped": 403},
    ),
    Case("scim.users", "GET", "/scim/v2/Users", SCIM_READS),
    Case("scim.user", "GET", "/scim/v2/Users/{scim_user}", SCIM_READS),
    # A form post is not a SCIM resource: refused (400), nothing written.
    Case("scim.create_user", "POST", "/scim/v2/Users", TOKEN_ONLY),
    Case("scim.replace_user", "PUT", "/scim/v2/Users/{scim_user}", TOKEN_ONLY),
    Case("scim.patch_user", "PATCH", "/scim/v2/Users/{scim_user}", TOKEN_ONLY),
    Case(
        "scim.delete_user",
        "DELETE",
        "/scim/v2/Users/{scim_user}",
        NO_SESSION | {"api_caller": 204, "api_caller_unscoped": 403},
        records=recorded("scim_account.deleted", "api_caller"),
    ),
    Case("scim.groups", "GET", "/scim/v2/Groups", SCIM_READS),
    Case("scim.group", "GET", "/scim/v2/Groups/hr", SCIM_READS),
    Case("scim.create_group", "POST", "/scim/v2/Groups", TOKEN_ONLY),
    Case("scim.replace_group", "PUT", "/scim/v2/Groups/hr", TOKEN_ONLY),
    Case("scim.patch_group", "PATCH", "/scim/v2/Groups/hr", TOKEN_ONLY),
]
