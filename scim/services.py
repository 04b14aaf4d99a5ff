"""SCIM's state changes: provisioning, changing, deactivating and deleting accounts, and giving
or taking roles through groups. Each runs as the calling API client (the audit log names it)
through the shell's and the people package's own services."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from scim2_models import EnterpriseUser

from api.auth import caller
from civicladder import audit, clock
from civicladder import services as shell_services
from civicladder.access import Role
from civicladder.db import db, locked, locked_get
from civicladder.models import User
from people import identity as people_identity
from scim import queries
from scim.errors import ScimError
from scim.models import ScimAccount
from scim.resources import UserResource

ACCOUNT_FIELDS = ["user_name", "external_id", "given_name", "family_name", "employee_number"]
_BY_IDENTITY_SYSTEM = "Set by the city's identity system (SCIM)"


@dataclass(frozen=True)
class Fields:
    """What a User resource says of an account, as this service keeps it."""

    user_name: str
    email: str
    full_name: str
    active: bool | None
    external_id: str | None
    given_name: str | None
    family_name: str | None
    employee_number: str | None


def fields_of(resource: UserResource) -> Fields:
    user_name = (_text(resource.user_name, 254, "userName") or "").lower()
    if not user_name:
        raise ScimError(400, "Give the account's userName.", "invalidValue")
    emails = resource.emails or []
    # The work address where one is marked so (Entra ID's emails[type eq "work"]), else the
    # primary one, else the first: an account here has one address.
    chosen = next(
        (e for e in emails if e.type == "work"),
        next((e for e in emails if e.primary), emails[0] if emails else None),
    )
    email = str(chosen.value) if chosen is not None and chosen.value else None
    if email is None and "@" in user_name:
        email = user_name  # a client that sends no emails but a userName that is an address
    if email is None:
        raise ScimError(400, "Give the account's email address in emails.", "invalidValue")
    name = resource.name
    given = _text(name.given_name if name else None, 100, "name.givenName")
    family = _text(name.family_name if name else None, 100, "name.familyName")
    full_name = (
        _text(resource.display_name, 200, "displayName")
        or " ".join(part for part in (given, family) if part)
        or user_name
    )
    extension = resource[EnterpriseUser]
    return Fields(
        user_name=user_name,
        email=email,
        full_name=full_name,
        active=resource.active,
        external_id=_text(resource.external_id, 254, "externalId"),
        given_name=given,
        family_name=family,
        employee_number=_text(
            extension.employee_number if extension else None, 40, "employeeNumber"
        ),
    )


def _text(value: str | None, limit: int, name: str) -> str | None:
    """The value with its spaces tidied; refused when longer than an account keeps."""
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise ScimError(400, f"{name} is longer than {limit} characters.", "invalidValue")
    return value or None


def provision(fields: Fields) -> User:
    """POST /Users: a new account, or one brought back: an account SCIM
    deleted with this userName, or an account of this email address the identity system had
    not touched yet (made here, or at first sign-in), which it now takes over."""
    account = db.session.scalar(
        locked(sa.select(ScimAccount).where(ScimAccount.user_name == fields.user_name))
    )
    if account is not None and account.deleted_at is None:
        raise ScimError(
            409, f"An account with the userName {fields.user_name} exists already.", "uniqueness"
        )
    if account is None:
        untouched = db.session.scalar(
            sa.select(User)
            .outerjoin(ScimAccount, ScimAccount.user_id == User.id)
            .where(
                User.email == shell_services.normalise_email(fields.email),
                ScimAccount.user_id.is_(None),
            )
        )
        if untouched is None:
            user = shell_services.create_user(
                None, email=fields.email, full_name=fields.full_name, roles={Role.EMPLOYEE}
            )
            account = _new_account(user, fields, "scim_account.provisioned")
            _write(user, account, fields, created=True)
            return user
        account = _new_account(untouched, fields, "scim_account.taken_over")
    else:
        _check_same_person(account, fields)
        account.deleted_at = None
        audit.record(None, "scim_account.restored", account.user, label=fields.user_name)
    user = locked_get(User, account.user_id, "There is no such account.")
    if fields.active is None:
        fields = _with_active(fields, True)
    _write(user, account, fields)
    return user


def _check_same_person(account: ScimAccount, fields: Fields) -> None:
    """A removed account comes back only to the same person: when the identity system gave
    both an externalId and they differ, the userName has passed to someone else, who must not
    inherit the removed account's history."""
    if account.external_id and fields.external_id and account.external_id != fields.external_id:
        raise ScimError(
            409,
            f"The userName {fields.user_name} belongs to a removed account of another person "
            f"(externalId {account.external_id}). Give the new person another userName, or ask "
            "an administrator.",
            "uniqueness",
        )


def _with_active(fields: Fields, active: bool) -> Fields:
    return Fields(**{**fields.__dict__, "active": active})


def _new_account(user: User, fields: Fields, action: str) -> ScimAccount:
    account = ScimAccount(user_id=user.id, user_name=fields.user_name, client_id=caller().client_id)
    db.session.add(account)
    db.session.flush()
    audit.record(
        None,
        action,
        user,
        after={"user_name": fields.user_name, "external_id": fields.external_id},
        label=user.email,
    )
    return account


def replace(user_id: int, fields: Fields) -> User:
    """PUT (and PATCH, once applied): the account as the resource says."""
    user, account = _locked(user_id)
    _write(user, account, fields)
    return user


def delete(user_id: int) -> User:
    """DELETE: the account is switched off, its sessions end, and SCIM no longer sees it; the
    account and everything it did stay."""
    user, account = _locked(user_id)
    shell_services.write_active(None, user, False, _BY_IDENTITY_SYSTEM)
    account.deleted_at = clock.now()
    account.client_id = caller().client_id
    audit.record(None, "scim_account.deleted", user, label=user.email)
    return user


def _locked(user_id: int) -> tuple[User, ScimAccount]:
    """The account, locked, and its SCIM row (made for an account SCIM had not touched yet);
    404 for one SCIM has deleted."""
    user = db.session.get(User, user_id, with_for_update={"of": User}, populate_existing=True)
    account = db.session.get(ScimAccount, user_id) if user is not None else None
    if user is None or (account is not None and account.deleted_at is not None):
        raise ScimError(404, f"There is no user {user_id}.")
    if account is None:
        account = ScimAccount(user_id=user.id, user_name=user.email, client_id=None)
        db.session.add(account)
        db.session.flush()
    return user, account


def _write(user: User, account: ScimAccount, fields: Fields, created: bool = False) -> None:
    if fields.user_name != account.user_name:
        taken = db.session.scalar(
            sa.select(ScimAccount.user_id).where(
                ScimAccount.user_name == fields.user_name, ScimAccount.user_id != user.id
            )
        )
        if taken is not None:
            raise ScimError(
                409, f"Another account has the userName {fields.user_name}.", "uniqueness"
            )
    shell_services.write_identity(None, user, email=fields.email, full_name=fields.full_name)
    before = audit.snapshot(account, ACCOUNT_FIELDS)
    for name in ACCOUNT_FIELDS:
        setattr(account, name, getattr(fields, name))
    account.client_id = caller().client_id
    account.updated_at = clock.now()
    changed_before, changed_after = audit.changed(before, audit.snapshot(account, ACCOUNT_FIELDS))
    if changed_after and not created:
        audit.record(
            None,
            "scim_account.changed",
            user,
            before=changed_before,
            after=changed_after,
            label=user.email,
        )
    if fields.active is not None:
        shell_services.write_active(None, user, fields.active, _BY_IDENTITY_SYSTEM)
    db.session.flush()
    people_identity.link_provisioned(user, fields.employee_number)


# --- groups: the roles ---------------------------------------------------------------------


def change_members(role: Role, *, add: set[int], remove: set[int]) -> None:
    """Give the role to the accounts in `add` and take it from those in `remove`, each with
    its audit event; an unknown account refuses the whole change."""
    wanted = add | remove
    if not wanted:
        return
    users = db.session.scalars(
        locked(
            sa.select(User)
            .outerjoin(ScimAccount, ScimAccount.user_id == User.id)
            .where(User.id.in_(wanted), ScimAccount.deleted_at.is_(None)),
            of=User,
        )
    ).all()
    missing = wanted - {user.id for user in users}
    if missing:
        raise ScimError(
            400, f"There is no user {', '.join(map(str, sorted(missing)))}.", "invalidValue"
        )
    reason = f"Group {role.label} at the city's identity system (SCIM)"
    for user in users:
        roles = (user.roles | {role}) if user.id in add else (user.roles - {role})
        shell_services.write_roles(None, user, roles, reason)


def holders(role: Role) -> set[int]:
    return {ident for ident, _ in queries.members([role])[role]}


def configured_groups() -> dict[Role, set[str]]:
    mapping = current_app.config.get("OIDC_ROLE_GROUPS") or {}
    return {Role(role): set(names) for role, names in mapping.items()}


def replace_group(role: Role, display_name, members) -> None:
    """PUT /Groups/<role>: exactly these members hold the role (its name sent again, as it is)."""
    _check_group_name(role, display_name)
    wanted = _member_ids(members)
    current = holders(role)
    change_members(role, add=wanted - current, remove=current - wanted)


def patch_group(role: Role, operations) -> None:
    """PATCH /Groups/<role>: each operation in turn, all or nothing."""
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "Send the PATCH operations in Operations.", "invalidSyntax")
    for operation in operations:
        _group_operation(role, operation)


def _group_operation(role: Role, operation) -> None:
    """One PATCH operation on a group: members added, removed or replaced (by path, by a
    filter in the path, or as the value's members), or its fixed name sent again."""
    if not isinstance(operation, dict):
        raise ScimError(
            400, "Each operation is an object with op, path and value.", "invalidSyntax"
        )
    op = str(operation.get("op", "")).lower()
    path = operation.get("path")
    value = operation.get("value")
    if op not in ("add", "remove", "replace"):
        raise ScimError(400, "An operation's op is add, remove or replace.", "invalidSyntax")
    if path is None and isinstance(value, dict):
        for name, part in value.items():
            if name == "displayName":
                _check_group_name(role, part)
            elif name == "members":
                _members_operation(role, op, part)
            elif name not in ("id", "externalId", "schemas"):
                raise ScimError(400, f"A group has no attribute {name} to change.", "invalidPath")
        return
    target = queries.member_filter(path) if isinstance(path, str) else None
    if isinstance(path, str) and path.lower() == "displayname":
        _check_group_name(role, value)
    elif isinstance(path, str) and path.lower() == "members":
        _members_operation(role, op, value)
    elif target is not None and op == "remove":
        change_members(role, add=set(), remove={target} & holders(role))
    else:
        raise ScimError(400, f"A group's {path} cannot be changed this way.", "invalidPath")


def _members_operation(role: Role, op: str, value) -> None:
    listed = _member_ids(value or [])
    current = holders(role)
    if op == "add":
        change_members(role, add=listed - current, remove=set())
    elif op == "replace":
        change_members(role, add=listed - current, remove=current - listed)
    elif value is None:  # remove every member
        change_members(role, add=set(), remove=current)
    else:
        change_members(role, add=set(), remove=listed & current)


def _member_ids(value) -> set[int]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise ScimError(400, 'Give members as a list of {"value": user id}.', "invalidValue")
    found = set()
    for member in value:
        ident = member.get("value") if isinstance(member, dict) else None
        if not isinstance(ident, str) or not ident.isdigit() or len(ident) >= 10:
            raise ScimError(400, f"{ident!r} is not the id of a user here.", "invalidValue")
        found.add(int(ident))
    return found


def _check_group_name(role: Role, name) -> None:
    if name is None:
        return
    configured = configured_groups()
    if not isinstance(name, str) or queries.group_named(name, configured) != role:
        raise ScimError(
            400, f"The group {role.label} is a role: its name cannot change.", "mutability"
        )
