"""/scim/v2 (RFC 7644): Users, Groups (the roles), and the discovery documents, for the city's
identity system (Entra ID, Okta, ...) calling with a token of its API client in scope `scim`."""

from __future__ import annotations

from flask import Blueprint, request
from pydantic import ValidationError
from scim2_models import Context, PatchOp, ResponseParameters, SCIMException

from api.auth import rate_key, rate_limit, scoped
from civicladder import transaction
from civicladder.errors import DomainError
from civicladder.extensions import csrf, limiter
from scim import queries, resources, services
from scim.errors import (
    ScimError,
    error_response,
    for_domain_error,
    from_validation,
    scim_response,
)
from scim.resources import MAX_RESULTS, POLICY, UserResource

SCOPE = "scim"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
TOO_MANY = "Too many calls from this token: wait as Retry-After says, then go on."

bp = Blueprint("scim", __name__, url_prefix=resources.PREFIX)
csrf.exempt(bp)
limiter.limit(rate_limit, key_func=rate_key, error_message=TOO_MANY)(bp)


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    transaction.rollback()
    return for_domain_error(error)


@bp.errorhandler(SCIMException)
def _scim_exception(error: SCIMException):
    transaction.rollback()
    return error_response(int(error.status), error.detail, error.scim_type or None)


# --- discovery -----------------------------------------------------------------------------


@bp.get("/ServiceProviderConfig")
@scoped(SCOPE)
def service_provider_config():
    return scim_response(resources.dump(resources.service_provider_config()))


@bp.get("/ResourceTypes")
@scoped(SCOPE)
def resource_types():
    return _listed([resources.dump(found) for found in resources.resource_types()])


@bp.get("/ResourceTypes/<resource_type_id>")
@scoped(SCOPE)
def resource_type(resource_type_id: str):
    for found in resources.resource_types():
        if found.id == resource_type_id:
            return scim_response(resources.dump(found))
    raise ScimError(404, f"There is no resource type {resource_type_id}.")


@bp.get("/Schemas")
@scoped(SCOPE)
def schemas():
    return _listed([resources.dump(found) for found in resources.schemas()])


@bp.get("/Schemas/<schema_id>")
@scoped(SCOPE)
def schema(schema_id: str):
    for found in resources.schemas():
        if found.id == schema_id:
            return scim_response(resources.dump(found))
    raise ScimError(404, f"There is no schema {schema_id}.")


@bp.post("/.search")
@scoped(SCOPE)
def search_everything():
    raise ScimError(501, "Search one resource type at a time: GET /Users or /Groups with a filter.")


# --- users ---------------------------------------------------------------------------------


@bp.get("/Users")
@scoped(SCOPE)
def users():
    shown = _response_parameters()
    start, count = _paging()
    total, rows = queries.users_page(
        queries.user_condition(request.args.get("filter")), start, count
    )
    items = [resources.dump(resources.user_resource(row), shown) for row in rows]
    return _listed(items, total=total, start=start)


@bp.get("/Users/<user_id>")
@scoped(SCOPE)
def user(user_id: str):
    shown = _response_parameters()
    return scim_response(resources.dump(resources.user_resource(_user_row(user_id)), shown))


@bp.post("/Users")
@scoped(SCOPE)
def create_user():
    fields = services.fields_of(_resource(Context.RESOURCE_CREATION_REQUEST))
    created = services.provision(fields)
    body = resources.dump(resources.user_resource(_user_row(str(created.id))))
    return scim_response(body, 201, {"Location": body["meta"]["location"]})


@bp.put("/Users/<user_id>")
@scoped(SCOPE)
def replace_user(user_id: str):
    ident = _user_row(user_id).id
    resource = _resource(Context.RESOURCE_REPLACEMENT_REQUEST)
    services.replace(ident, services.fields_of(resource))
    return _user_answer(ident)


@bp.patch("/Users/<user_id>")
@scoped(SCOPE)
def patch_user(user_id: str):
    row = _user_row(user_id)
    resource = resources.user_resource(row)
    operations = _validated(PatchOp[UserResource], Context.RESOURCE_PATCH_REQUEST)
    _apply(operations, resource)
    if resource.active is None:
        raise ScimError(
            400, "An account is active or not: replace active rather than remove it.", "mutability"
        )
    services.replace(row.id, services.fields_of(resource))
    return _user_answer(row.id)


@bp.delete("/Users/<user_id>")
@scoped(SCOPE)
def delete_user(user_id: str):
    services.delete(_user_row(user_id).id)
    return "", 204


def _user_row(user_id: str) -> queries.AccountRow:
    row = queries.user_row(int(user_id)) if user_id.isdigit() and len(user_id) < 10 else None
    if row is None:
        raise ScimError(404, f"There is no user {user_id}.")
    return row


def _user_answer(user_id: int):
    return scim_response(resources.dump(resources.user_resource(_user_row(str(user_id)))))


# --- groups --------------------------------------------------------------------------------


@bp.get("/Groups")
@scoped(SCOPE)
def groups():
    shown = _response_parameters()
    start, count = _paging()
    roles = queries.groups_matching(request.args.get("filter"), services.configured_groups())
    page = roles[start - 1 : start - 1 + count]
    members = queries.members(page) if _members_wanted(shown) else {}
    items = [resources.dump(resources.role_group(r, members.get(r)), shown) for r in page]
    return _listed(items, total=len(roles), start=start)


@bp.get("/Groups/<group_id>")
@scoped(SCOPE)
def group(group_id: str):
    shown = _response_parameters()
    return _group_answer(_role(group_id), shown)


@bp.post("/Groups")
@scoped(SCOPE)
def create_group():
    body = _body()
    name = body.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise ScimError(400, "Give the group's displayName.", "invalidValue")
    role = queries.group_named(name, services.configured_groups())
    if role is None:
        raise ScimError(
            400,
            f"CivicLadder's groups are its roles, and {name} names none of them. Map the "
            "group to a role (OIDC_ROLE_GROUPS) or provision one of the existing groups.",
            "invalidValue",
        )
    raise ScimError(
        409,
        f"The group {name} exists already: it is the role {role.label} (id {role.value}).",
        "uniqueness",
    )


@bp.put("/Groups/<group_id>")
@scoped(SCOPE)
def replace_group(group_id: str):
    role = _role(group_id)
    body = _body()
    services.replace_group(role, body.get("displayName"), body.get("members") or [])
    return _group_answer(role, None)


@bp.patch("/Groups/<group_id>")
@scoped(SCOPE)
def patch_group(group_id: str):
    role = _role(group_id)
    services.patch_group(role, _body().get("Operations"))
    if request.args.get("attributes") or request.args.get("excludedAttributes"):
        return _group_answer(role, _response_parameters())
    return "", 204


def _role(group_id: str):
    role = queries.role_of_group(group_id)
    if role is None:
        raise ScimError(404, f"There is no group {group_id}.")
    return role


def _members_wanted(shown: ResponseParameters | None) -> bool:
    if shown is None:
        return True
    if shown.excluded_attributes and any(
        str(a).lower().endswith("members") for a in shown.excluded_attributes
    ):
        return False
    if shown.attributes:
        return any("members" in str(a).lower() for a in shown.attributes)
    return True


def _group_answer(role, shown):
    members = queries.members([role])[role] if _members_wanted(shown) else None
    return scim_response(resources.dump(resources.role_group(role, members), shown))


# --- requests and answers ------------------------------------------------------------------


def _body() -> dict:
    if not request.is_json:
        raise ScimError(
            400,
            "Send the resource as JSON, with Content-Type application/scim+json.",
            "invalidSyntax",
        )
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ScimError(400, "The body is not a JSON object.", "invalidSyntax")
    return body


def _validated(model, context):
    body = _body()
    try:
        return model.model_validate(body, scim_ctx=context, scim_policy=POLICY)
    except ValidationError as error:
        raise from_validation(error) from None


def _resource(context) -> UserResource:
    return _validated(UserResource, context)


def _apply(operations, resource) -> None:
    try:
        operations.patch(resource, scim_policy=POLICY)
    except SCIMException as error:
        raise ScimError(int(error.status), error.detail, error.scim_type or None) from None
    except ValidationError as error:
        raise from_validation(error) from None


def _response_parameters() -> ResponseParameters | None:
    attributes = request.args.get("attributes")
    excluded = request.args.get("excludedAttributes")
    if not attributes and not excluded:
        return None
    try:
        return ResponseParameters.model_validate(
            {"attributes": attributes, "excludedAttributes": excluded}
        )
    except ValidationError as error:
        raise from_validation(error) from None


def _paging() -> tuple[int, int]:
    """startIndex (1-based; less than 1 reads as 1) and count (at most MAX_RESULTS; a negative
    one reads as 0), as RFC 7644 §3.4.2.4 says."""
    values = []
    for name, default in (("startIndex", 1), ("count", MAX_RESULTS)):
        text = request.args.get(name)
        try:
            values.append(int(text) if text is not None else default)
        except ValueError:
            raise ScimError(400, f"{name} is a whole number.", "invalidValue") from None
    start, count = values
    # Past the last row a database can number there is nothing to list.
    return min(max(start, 1), 2**31 - 1), min(max(count, 0), MAX_RESULTS)


def _listed(items: list[dict], *, total: int | None = None, start: int = 1):
    return scim_response(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": len(items) if total is None else total,
            "startIndex": start,
            "itemsPerPage": len(items),
            "Resources": items,
        }
    )
