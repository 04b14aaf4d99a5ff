"""Shell state changes: sign-in, passwords, reset links, users and roles, notices read."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext

from civicladder import audit, clock, languages, user_sessions
from civicladder.access import Role, require_role
from civicladder.db import claimed, db, fetch, locked_get
from civicladder.errors import Conflict, Invalid, NotFound
from civicladder.languages import N_
from civicladder.models import (
    Notification,
    PasswordResetToken,
    SiteSetting,
    User,
    UserRole,
    new_session_token,
)
from civicladder.notify import notify
from civicladder.security import (
    MIN_PASSWORD_LENGTH,
    burn_verify_time,
    hash_password,
    needs_rehash,
    new_token,
    token_hash,
    verify_password,
)

USER_FIELDS = ["email", "full_name", "active"]


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_rules(password: str, user_email: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            gettext("Choose a password of at least %(num)s characters.", num=MIN_PASSWORD_LENGTH),
            field="new_password",
        )
    if user_email and password.strip().lower() == user_email.lower():
        raise Invalid(
            gettext("Your password must not be your email address."), field="new_password"
        )


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, recording the sign-in; or None."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        burn_verify_time(password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if not user.break_glass and not password_sign_in_for_everyone():
        raise Conflict(
            gettext(
                "Password sign-in is turned off: sign in with the city's account instead. "
                "Only break-glass administrators still sign in with a password."
            )
        )
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = clock.now()
    audit.record(user, "user.signed_in", user, label=user.email)
    return user


def record_sign_out(user: User) -> None:
    audit.record(user, "user.signed_out", user, label=user.email)


def change_password(actor: User, current_password: str, new_password: str) -> User:
    if not verify_password(actor.password_hash, current_password):
        raise Invalid(gettext("Your current password is not correct."), field="current_password")
    check_password_rules(new_password, actor.email)
    actor.password_hash = hash_password(new_password)
    actor.session_token = new_session_token()
    # A link issued before would let whoever holds it undo the change.
    cancel_reset_links(actor)
    audit.record(actor, "user.password_changed", actor, label=actor.email)
    return actor


def create_user(
    actor: User | None,
    *,
    email: str,
    full_name: str,
    roles: set[Role],
    password: str | None = None,
) -> User:
    """Make an account: the one path for the admin page, `flask create-admin` and the demo.

    An actor of None is the system (a command run on the server). Without a password the
    person signs in after an administrator issues them a password link.
    """
    # HR invites imported employees: plain employee accounts only. Every other role is the
    # administrator's to give.
    require_role(
        actor, *((Role.ADMIN, Role.HR) if set(roles) == {Role.EMPLOYEE} else (Role.ADMIN,))
    )
    email = normalise_email(email)
    if password is not None:
        check_password_rules(password, email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict(
            gettext("There is already a user with the email address %(email)s.", email=email),
            field="email",
        )
    user = User(
        email=email,
        full_name=full_name.strip(),
        active=True,
        password_hash=hash_password(password) if password is not None else None,
    )
    user.role_rows = [UserRole(role=role) for role in sorted(roles)]
    db.session.add(user)
    db.session.flush()
    after = audit.snapshot(user, USER_FIELDS) | {"roles": sorted(roles)}
    audit.record(actor, "user.created", user, after=after, label=email)
    return user


def write_identity(actor: User | None, user: User, *, email: str, full_name: str) -> bool:
    """Give a locked user this email address and name, with the audit event (the caller has
    checked who may: the city's identity system through SCIM); whether anything changed."""
    email, full_name = normalise_email(email), " ".join(full_name.split())
    if "@" not in email:
        raise Invalid(gettext("Give an email address for the account."), field="email")
    if not full_name:
        raise Invalid(gettext("Give the person's name."), field="full_name")
    before = audit.snapshot(user, ["email", "full_name"])
    if before == {"email": email, "full_name": full_name}:
        return False
    if email != user.email and db.session.scalar(
        sa.select(User.id).where(User.email == email, User.id != user.id)
    ):
        raise Conflict(
            gettext("There is already a user with the email address %(email)s.", email=email),
            field="email",
        )
    user.email, user.full_name = email, full_name[:200]
    db.session.flush()
    before, after = audit.changed(before, audit.snapshot(user, ["email", "full_name"]))
    audit.record(actor, "user.updated", user, before=before, after=after, label=user.email)
    return True


def write_roles(actor: User | None, user: User, roles: set[Role], reason: str | None) -> None:
    """Give a locked user exactly these roles, with the audit event (the caller has checked
    who may: an administrator's choice, or the groups at the city's identity provider)."""
    before = user.roles
    if before == roles:
        return
    for row in list(user.role_rows):
        if row.role not in roles:
            user.role_rows.remove(row)
    for role in sorted(roles - before):
        user.role_rows.append(UserRole(role=role))
    db.session.flush()
    audit.record(
        actor,
        "user.roles_changed",
        user,
        before={"roles": sorted(before)},
        after={"roles": sorted(roles)},
        reason=reason,
        label=user.email,
    )


def set_roles(actor: User, user: User, roles: set[Role], reason: str | None = None) -> User:
    require_role(actor, Role.ADMIN, system_may=False)
    # Of two identical changes at once, the second waits here and then finds nothing to do.
    user = locked_get(User, user.id, gettext("There is no such user."))
    before = user.roles
    if actor.id == user.id and Role.ADMIN in before and Role.ADMIN not in roles:
        raise Invalid(gettext("You cannot remove your own administrator role."), field="roles")
    if before == roles:
        return user
    write_roles(actor, user, roles, reason)
    with languages.written_in(user.locale):
        labels = ", ".join(gettext(role.label) for role in sorted(roles)) or gettext("none")
        body = gettext("Your roles are now: %(roles)s.", roles=labels)
        if reason:
            body += " " + gettext("Reason: %(reason)s", reason=reason)
        notify(
            user,
            gettext("Your CivicLadder roles have changed"),
            body,
            link=url_for("home.index"),
        )
    return user


def set_active(actor: User, user: User, active: bool, reason: str | None = None) -> User:
    require_role(actor, Role.ADMIN, system_may=False)
    if actor.id == user.id and not active:
        raise Invalid(gettext("You cannot deactivate your own account."))
    user = locked_get(User, user.id, gettext("There is no such user."))
    write_active(actor, user, active, reason)
    return user


def write_active(actor: User | None, user: User, active: bool, reason: str | None) -> bool:
    """Switch a locked user's account on or off, with the audit event (the caller has checked
    who may: an administrator, or the city's identity system through SCIM); whether it changed.

    Switching off ends every session of the account at once: the rotated session token refuses
    them on their next request, and their rows are marked ended."""
    if user.active == active:
        return False
    user.active = active
    user.session_token = new_session_token()
    if not active:
        user_sessions.end_all(user)
    # Links issued before a deactivation must not come back to life with a reactivation.
    cancel_reset_links(user)
    audit.record(
        actor,
        "user.activated" if active else "user.deactivated",
        user,
        before={"active": not active},
        after={"active": active},
        reason=reason,
        label=user.email,
    )
    return True


# --- who may sign in with a password -----------------------------------------------------------

SIGN_IN_SETTING = "password_sign_in"
EVERYONE = "everyone"
BREAK_GLASS_ONLY = "break_glass_only"


def password_sign_in_for_everyone() -> bool:
    """Whether every account with a password may use it (the embedded default), or only the
    break-glass administrators (a city signing in through its identity provider)."""
    value = db.session.scalar(
        sa.select(SiteSetting.value).where(SiteSetting.name == SIGN_IN_SETTING)
    )
    return value != BREAK_GLASS_ONLY


def break_glass_candidates() -> list[User]:
    """The accounts that may be break-glass: active administrators."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.ADMIN, User.active.is_(True))
            .order_by(User.full_name, User.id)
        )
    )


def set_password_sign_in(
    actor: User, everyone: bool, break_glass_ids: set[int], reason: str, *, provider: bool
) -> None:
    """Turn password sign-in on for everyone, or keep it for the chosen break-glass
    administrators only (`provider`: whether the city's identity provider is set up; without
    it, turning passwords off would leave nobody else a way in)."""
    require_role(actor, Role.ADMIN, system_may=False)
    candidates = {user.id: user for user in break_glass_candidates()}
    unknown = break_glass_ids - set(candidates)
    if unknown:
        raise Invalid(
            gettext("Break-glass accounts must be active administrators."), field="break_glass"
        )
    if not everyone:
        if not provider:
            raise Conflict(
                gettext(
                    "Password sign-in stays on until the city's identity provider is set up "
                    "(OIDC_ISSUER): otherwise nobody but the break-glass accounts could sign in."
                )
            )
        if not any(candidates[i].password_hash for i in break_glass_ids):
            raise Invalid(
                gettext(
                    "Choose at least one break-glass administrator who has a password, so that "
                    "someone can still sign in if the identity provider is down."
                ),
                field="break_glass",
            )
    setting = db.session.get(SiteSetting, SIGN_IN_SETTING, with_for_update=True)
    before_value = setting.value if setting is not None else EVERYONE
    before_ids = sorted(user_id for user_id, user in candidates.items() if user.break_glass)
    value = EVERYONE if everyone else BREAK_GLASS_ONLY
    if setting is None:
        setting = SiteSetting(name=SIGN_IN_SETTING, value=value)
        db.session.add(setting)
    setting.value = value
    setting.changed_at = clock.now()
    db.session.execute(
        sa.update(User)
        .where(User.break_glass.is_(True), User.id.not_in(break_glass_ids or [0]))
        .values(break_glass=False)
    )
    if break_glass_ids:
        db.session.execute(
            sa.update(User).where(User.id.in_(break_glass_ids)).values(break_glass=True)
        )
    audit.record(
        actor,
        "sign_in.password_policy_changed",
        setting,
        before={"password_sign_in": before_value, "break_glass": before_ids},
        after={"password_sign_in": value, "break_glass": sorted(break_glass_ids)},
        reason=reason,
        label="Password sign-in",
    )


def set_language(actor: User, language: str) -> User:
    """Keep the language a signed-in person chose for their pages and email."""
    from civicladder.languages import LANGUAGES

    if language not in LANGUAGES:
        raise Invalid(
            gettext(
                "Choose one of the languages offered: %(languages)s.",
                languages=", ".join(LANGUAGES.values()),
            )
        )
    user = locked_get(User, actor.id, gettext("There is no such user."))
    if user.locale == language:
        return user
    before = user.locale
    user.locale = language
    audit.record(
        actor,
        "user.language_chosen",
        user,
        before={"locale": before},
        after={"locale": language},
        label=user.email,
    )
    return user


def issue_reset_link(actor: User, user: User) -> str:
    """A one-time password link for the user; returns the token, which is never stored.

    HR may issue one only as an invitation: to a plain employee account never yet used.
    """
    require_role(actor, *_link_issuers(user), system_may=False)
    if not user.active:
        raise Invalid(gettext("Reactivate the account before issuing a password link."))
    now = clock.now()
    cancel_reset_links(user)
    token = new_token()
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    row = PasswordResetToken(
        user_id=user.id,
        token_hash=token_hash(token),
        created_by_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "user.reset_link_issued",
        user,
        after={"expires_at": row.expires_at},
        label=user.email,
    )
    return token


def is_unused_employee_account(user: User) -> bool:
    """An account HR may invite: the employee role alone, no password, never signed in."""
    return (
        user.roles == {Role.EMPLOYEE} and user.password_hash is None and user.last_login_at is None
    )


def _link_issuers(user: User) -> tuple[Role, ...]:
    return (Role.ADMIN, Role.HR) if is_unused_employee_account(user) else (Role.ADMIN,)


def cancel_reset_links(user: User) -> None:
    """Mark the user's outstanding password links used, so none of them works any more."""
    db.session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=clock.now())
    )


_LINK_NOT_VALID = N_(
    "This password link is not valid: it may have been used already or have expired. "
    "Ask an administrator for a new one."
)


def find_reset(token: str) -> PasswordResetToken:
    row = db.session.scalar(
        sa.select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= clock.now():
        raise NotFound(gettext(_LINK_NOT_VALID))
    if not row.user.active:
        raise NotFound(gettext("This account is not active. Ask an administrator for help."))
    return row


def reset_password(token: str, new_password: str) -> User:
    row = find_reset(token)
    user = row.user
    check_password_rules(new_password, user.email)
    # Consume the link in one conditional statement: of two requests using it at the same
    # moment, only one finds it still unused.
    now = clock.now()
    still_valid = sa.update(PasswordResetToken).where(
        PasswordResetToken.id == row.id,
        PasswordResetToken.used_at.is_(None),
        PasswordResetToken.expires_at > now,
    )
    if not claimed(still_valid.values(used_at=now)):
        raise NotFound(gettext(_LINK_NOT_VALID))
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    audit.record(user, "user.password_reset", user, label=user.email)
    return user


def mark_notifications_read(actor: User, notification_ids: list[int] | None = None) -> int:
    """Mark the actor's notices read (all unread ones when no ids are given)."""
    stmt = sa.update(Notification).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(notification_ids))
    count = db.session.execute(stmt.values(read_at=clock.now())).rowcount
    if count:
        audit.record(actor, "notification.read", actor, after={"count": count}, label=actor.email)
    return count


def get_user(user_id: int) -> User:
    return fetch(User, user_id, gettext("There is no such user."))
