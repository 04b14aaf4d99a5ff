"""The read side of SCIM: accounts as User resources and roles as groups, a page at a time,
in a constant number of statements whatever the page's size."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.models import User, UserRole
from civicladder.services import normalise_email
from scim import filters
from scim.models import ScimAccount
from scim.resources import ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA


@dataclass(frozen=True)
class AccountRow:
    id: int
    email: str
    full_name: str
    active: bool
    created_at: object
    user_name: str | None
    external_id: str | None
    given_name: str | None
    family_name: str | None
    employee_number: str | None
    updated_at: object
    roles: frozenset[Role]


_COLUMNS = (
    User.id,
    User.email,
    User.full_name,
    User.active,
    User.created_at,
    ScimAccount.user_name,
    ScimAccount.external_id,
    ScimAccount.given_name,
    ScimAccount.family_name,
    ScimAccount.employee_number,
    ScimAccount.updated_at,
)


def _accounts() -> sa.Select:
    """Every account SCIM sees: all but those it has deleted."""
    return (
        sa.select(*_COLUMNS)
        .outerjoin(ScimAccount, ScimAccount.user_id == User.id)
        .where(ScimAccount.deleted_at.is_(None))
    )


def user_name_is(value: str) -> sa.ColumnElement[bool]:
    """userName, compared without regard to case: the SCIM row's, else the account's email
    for an account the identity system has not touched yet."""
    wanted = normalise_email(value)
    return sa.or_(
        ScimAccount.user_name == wanted,
        sa.and_(ScimAccount.user_id.is_(None), User.email == wanted),
    )


def _id_is(value: str) -> sa.ColumnElement[bool]:
    return User.id == int(value) if value.isdigit() and len(value) < 10 else sa.false()


_USER_FILTERS = {
    "id": _id_is,
    "username": user_name_is,
    "externalid": lambda value: ScimAccount.external_id == value,
    "emails.value": lambda value: User.email == normalise_email(value),
    "emails": lambda value: User.email == normalise_email(value),
    f"{ENTERPRISE_SCHEMA.lower()}:employeenumber": (
        lambda value: ScimAccount.employee_number == value
    ),
}


def user_condition(text: str | None) -> sa.ColumnElement[bool]:
    if text is None:
        return sa.true()
    return filters.condition(filters.parse(text, USER_SCHEMA), _USER_FILTERS)


def users_page(condition, start: int, count: int) -> tuple[int, list[AccountRow]]:
    """How many accounts match, and the page of them from `start` (1-based), in id order."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(_accounts().where(condition).subquery())
    )
    if count == 0:
        return total, []
    rows = db.session.execute(
        _accounts().where(condition).order_by(User.id).offset(start - 1).limit(count)
    ).all()
    return total, _with_roles(rows)


def user_row(user_id: int) -> AccountRow | None:
    rows = db.session.execute(_accounts().where(User.id == user_id)).all()
    found = _with_roles(rows)
    return found[0] if found else None


def _with_roles(rows) -> list[AccountRow]:
    roles: dict[int, set[Role]] = defaultdict(set)
    if rows:
        held = db.session.execute(
            sa.select(UserRole.user_id, UserRole.role).where(
                UserRole.user_id.in_([row.id for row in rows])
            )
        )
        for user_id, role in held:
            roles[user_id].add(role)
    return [AccountRow(*row, roles=frozenset(roles[row.id])) for row in rows]


# --- groups: one per role ------------------------------------------------------------------


def role_of_group(group_id: str) -> Role | None:
    try:
        return Role(group_id)
    except ValueError:
        return None


def group_named(name: str, configured: dict[str, set[str]]) -> Role | None:
    """The role a group's displayName names: its label, its value, or one of the groups at the
    city's identity provider mapped to it (OIDC_ROLE_GROUPS), without regard to case."""
    wanted = name.strip().lower()
    for role in Role:
        names = {role.label.lower(), role.value} | {n.lower() for n in configured.get(role, ())}
        if wanted in names:
            return role
    return None


def groups_matching(text: str | None, configured: dict[str, set[str]]) -> list[Role]:
    roles = list(Role)
    if text is None:
        return roles
    equality = filters.parse(text, GROUP_SCHEMA)
    by = {
        "id": lambda value: [role_of_group(value)],
        "displayname": lambda value: [group_named(value, configured)],
        "members.value": lambda value: _roles_of_member(value),
        "members": lambda value: _roles_of_member(value),
    }
    if equality.attribute not in by:
        filters.condition(equality, {})  # refuses it, naming no attribute
    found = {role for role in by[equality.attribute](equality.value) if role is not None}
    return [role for role in roles if role in found]


_MEMBER = re.compile(r'^\s*members\[\s*value\s+eq\s+"(\d{1,9})"\s*\]\s*$', re.IGNORECASE)


def member_filter(path: str) -> int | None:
    """The user id a PATCH path `members[value eq "42"]` names, or None for another path."""
    found = _MEMBER.match(path)
    return int(found.group(1)) if found else None


def _roles_of_member(value: str) -> list[Role]:
    if not value.isdigit() or len(value) >= 10:
        return []
    return list(
        db.session.scalars(
            sa.select(UserRole.role)
            .join(User, User.id == UserRole.user_id)
            .outerjoin(ScimAccount, ScimAccount.user_id == User.id)
            .where(UserRole.user_id == int(value), ScimAccount.deleted_at.is_(None))
        )
    )


def members(roles: list[Role]) -> dict[Role, list[tuple[int, str]]]:
    """Each role's holders (id, name), SCIM-deleted accounts left out, in one statement."""
    found: dict[Role, list[tuple[int, str]]] = {role: [] for role in roles}
    if not roles:
        return found
    rows = db.session.execute(
        sa.select(UserRole.role, User.id, User.full_name)
        .join(User, User.id == UserRole.user_id)
        .outerjoin(ScimAccount, ScimAccount.user_id == User.id)
        .where(UserRole.role.in_(roles), ScimAccount.deleted_at.is_(None))
        .order_by(User.id)
    )
    for role, ident, name in rows:
        found[role].append((ident, name))
    return found
