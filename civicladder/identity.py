"""Accounts for the people the city's identity provider vouches for: which account a verified
ID token's claims name, the roles its groups give, and the sign-in's record."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext

from civicladder import audit, clock
from civicladder.access import Role
from civicladder.db import db, locked_get
from civicladder.errors import Forbidden
from civicladder.languages import N_
from civicladder.models import User
from civicladder.services import normalise_email, write_roles

_ASK_FOR_ACCOUNT = N_(
    "Ask Human Resources or your administrator to give you a CivicLadder account for it, "
    "then sign in again."
)


# How packages above the shell find the account for an identity provider's claims (the people
# package: by employee number): each `finder(claims) -> User | None`, asked in turn before the
# shell looks by email; a finder may raise a DomainError to refuse the person outright.
AccountFinder = Callable[[dict], "User | None"]
_FINDERS = "civicladder.account_finders"


def register_account_finder(app: Flask, finder: AccountFinder) -> None:
    app.extensions.setdefault(_FINDERS, []).append(finder)


def authenticate(claims: dict, email_claim: str) -> User:
    """The active user the identity provider's verified claims name, recording the sign-in:
    the one a registered finder returns, or else the one whose email the claim `email_claim`
    carries (compared without regard to case); Forbidden, saying what to do, for anyone
    without such an account. Nothing is written for a refusal."""
    for finder in current_app.extensions.get(_FINDERS, ()):
        user = finder(claims)
        if user is not None:
            return _signed_in_by_identity(user, claims, user.email)
    email = claims.get(email_claim)
    if not isinstance(email, str) or "@" not in email:
        raise Forbidden(
            gettext(
                "Your city account did not tell CivicLadder your email address, so it cannot find "
                "your account. Ask your administrator to check the sign-in settings."
            )
        )
    if claims.get("email_verified") is False:
        raise Forbidden(
            gettext(
                "Your city account's email address is not verified, so CivicLadder cannot use it "
                "to find your account. Ask your administrator for help."
            )
        )
    # Accounts keep their address in lower case (create_user), so this finds it by the index.
    email = normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        raise Forbidden(
            gettext("There is no CivicLadder account for %(email)s.", email=email)
            + " "
            + gettext(_ASK_FOR_ACCOUNT)
        )
    return _signed_in_by_identity(user, claims, email)


def _signed_in_by_identity(user: User, claims: dict, email: str) -> User:
    if not user.active:
        raise Forbidden(
            gettext(
                "The CivicLadder account for %(email)s is switched off. Ask your administrator "
                "to switch it back on if you still need it.",
                email=email,
            )
        )
    _roles_from_groups(user, claims)
    user.last_login_at = clock.now()
    audit.record(
        user,
        "user.signed_in",
        user,
        after={"method": "oidc", "issuer": claims.get("iss"), "subject": claims.get("sub")},
        label=user.email,
    )
    return user


def _roles_from_groups(user: User, claims: dict) -> None:
    """Set the roles OIDC_ROLE_GROUPS names from the provider's groups claim (audited as the
    system's change); other roles stay as they are. Without the claim nothing changes: a
    provider may leave it out (Entra ID does for someone in very many groups)."""
    mapping = current_app.config.get("OIDC_ROLE_GROUPS") or {}
    groups = claims.get(current_app.config.get("OIDC_GROUPS_CLAIM") or "groups")
    if not mapping or groups is None:
        return
    held = {groups} if isinstance(groups, str) else {g for g in groups if isinstance(g, str)}
    managed = {Role(role) for role in mapping}
    given = {Role(role) for role, names in mapping.items() if names & held}
    if (user.roles - managed) | given == user.roles:
        return
    user = locked_get(User, user.id, gettext("There is no such user."))
    after = (user.roles - managed) | given
    write_roles(None, user, after, "Groups at the city's identity provider")
