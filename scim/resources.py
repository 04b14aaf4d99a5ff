"""The SCIM resources CivicLadder serves, and the discovery documents that describe them.

Shaped and read with scim2-models (pydantic): its models carry RFC 7643's attribute
characteristics, so they write the Schemas documents, check a request's payload against the
context it arrives in (creation, replacement, PATCH: a read-only attribute or a malformed value
is refused with SCIM's scimType), apply PATCH operations by path (filters in the path included,
as Entra ID and Okta send them) and honour `attributes` / `excludedAttributes` in answers. Doing
that by hand would repeat much of the RFC in this package.

What is published is less than the full User and Group schemas: only the attributes an account
here can keep (the name, email address, active, the employee number), so a client never writes
a phone number it cannot read back. Attributes a client sends beyond these are ignored, as the
identity systems send whatever their mapping holds.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    Email,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    GroupMember,
    GroupMembership,
    Meta,
    Mutability,
    Name,
    Patch,
    Required,
    ResourceType,
    Schema,
    SchemaExtension,
    ScimPolicy,
    ServiceProviderConfig,
    Sort,
    User,
)

from civicladder.access import Role

PREFIX = "/scim/v2"
UserResource = User[EnterpriseUser]
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
# How many resources one page of a list holds at most, and by default.
MAX_RESULTS = 200

# What identity systems send, read leniently where the RFC allows a choice: attributes beyond
# the published ones are dropped; a PATCH remove with a value removes that value (Entra ID's
# way of taking a member out of a group); a replace whose filter matches nothing adds the entry
# it describes (Entra ID's `emails[type eq "work"].value`).
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)

# Published User attributes, with the sub-attributes kept, and those a client must send.
_USER_ATTRIBUTES = {
    "userName": None,
    "name": ("givenName", "familyName"),
    "displayName": None,
    "active": None,
    # One address an account: which is primary goes without saying.
    "emails": ("value",),
    "groups": ("value", "$ref", "display"),
}
_USER_REQUIRED = {"userName", "displayName", "active", "emails", "emails.value"}
_ENTERPRISE_ATTRIBUTES = {"employeeNumber": None}
_GROUP_ATTRIBUTES = {"displayName": None, "members": ("value", "$ref", "display")}
_GROUP_REQUIRED = {"displayName"}


def base_url() -> str:
    return current_app.config["PUBLIC_URL"] + PREFIX


def location(kind: str, ident: str) -> str:
    return f"{base_url()}/{kind}/{ident}"


def _trimmed(schema: Schema, kept: dict, required: set[str]) -> Schema:
    attributes = []
    for attribute in schema.attributes:
        if attribute.name not in kept:
            continue
        attribute.required = Required.true if attribute.name in required else Required.false
        subs = kept[attribute.name]
        if subs is not None:
            attribute.sub_attributes = [s for s in attribute.sub_attributes if s.name in subs]
            for sub in attribute.sub_attributes:
                full = f"{attribute.name}.{sub.name}"
                sub.required = Required.true if full in required else Required.false
        attributes.append(attribute)
    schema.attributes = attributes
    schema.meta = Meta(resource_type="Schema", location=location("Schemas", schema.id))
    return schema


def schemas() -> list[Schema]:
    """The Schemas documents: User, its enterprise extension (the employee number) and Group."""
    user = _trimmed(User.to_schema(), _USER_ATTRIBUTES, _USER_REQUIRED)
    # A group is one of the product's roles: its name is fixed.
    group = _trimmed(Group.to_schema(), _GROUP_ATTRIBUTES, _GROUP_REQUIRED)
    for attribute in group.attributes:
        if attribute.name == "displayName":
            attribute.mutability = Mutability.immutable
    enterprise = _trimmed(EnterpriseUser.to_schema(), _ENTERPRISE_ATTRIBUTES, set())
    return [user, enterprise, group]


def resource_types() -> list[ResourceType]:
    user = ResourceType(
        id="User",
        name="User",
        description="A CivicLadder account",
        endpoint="/Users",
        schema_=URN(USER_SCHEMA),
        schema_extensions=[SchemaExtension(schema_=URN(ENTERPRISE_SCHEMA), required=False)],
        meta=Meta(resource_type="ResourceType", location=location("ResourceTypes", "User")),
    )
    group = ResourceType(
        id="Group",
        name="Group",
        description="A CivicLadder role: its members hold it",
        endpoint="/Groups",
        schema_=URN(GROUP_SCHEMA),
        meta=Meta(resource_type="ResourceType", location=location("ResourceTypes", "Group")),
    )
    return [user, group]


def service_provider_config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description=(
                    "A token an administrator issued to the identity system's API client, "
                    "with the scope scim."
                ),
                primary=True,
            )
        ],
        meta=Meta(
            resource_type="ServiceProviderConfig",
            location=f"{base_url()}/ServiceProviderConfig",
        ),
    )


def dump(resource, response_parameters=None) -> dict:
    return resource.model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=response_parameters
    )


def role_group(role: Role, members: list[tuple[int, str]] | None) -> Group:
    """The group standing for a role; `members` (id, name) when the answer carries them."""
    group = Group(
        id=role.value,
        display_name=role.label,
        meta=Meta(resource_type="Group", location=location("Groups", role.value)),
    )
    if members is not None:
        group.members = [
            GroupMember(value=str(ident), display=name, ref=location("Users", str(ident)))
            for ident, name in members
        ]
    return group


def user_resource(row) -> UserResource:
    """The User resource of an account: `row` carries the account's and its SCIM row's
    columns and its roles (see scim.queries)."""
    resource = UserResource(
        id=str(row.id),
        external_id=row.external_id,
        user_name=row.user_name or row.email,
        display_name=row.full_name,
        active=row.active,
        # As kept, unchecked: an address the city already uses is not for this answer to
        # refuse (the library's check turns down reserved names such as .test).
        emails=[Email.model_construct(value=row.email)],
        meta=Meta(
            resource_type="User",
            created=row.created_at,
            last_modified=_latest(row.created_at, row.updated_at),
            location=location("Users", str(row.id)),
        ),
    )
    if row.given_name or row.family_name:
        resource.name = Name(given_name=row.given_name, family_name=row.family_name)
    if row.employee_number:
        resource[EnterpriseUser] = EnterpriseUser(employee_number=row.employee_number)
    if row.roles:
        resource.groups = [
            GroupMembership(
                value=role.value, display=role.label, ref=location("Groups", role.value)
            )
            for role in sorted(row.roles)
        ]
    return resource


def _latest(created: datetime, updated: datetime | None) -> datetime:
    return max(created, updated) if updated is not None else created
