"""Roles and access rules: every endpoint declares who may call it; nothing else gets through."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, request
from flask_babel import gettext
from flask_login import current_user

from civicladder.enums import LabelledEnum
from civicladder.errors import Forbidden
from civicladder.languages import N_

ACCESS_ATTR = "access_rules"


class Role(LabelledEnum):
    EMPLOYEE = "employee", N_("Employee")
    MANAGER = "manager", N_("Manager")
    HR = "hr", N_("Human resources")
    UNION_REP = "union_rep", N_("Union representative")
    ADMIN = "admin", N_("Administrator")


PUBLIC = "public"
SIGNED_IN = "signed_in"


def public(view: Callable) -> Callable:
    """Mark a view as open to anyone, signed in or not."""
    setattr(view, ACCESS_ATTR, (PUBLIC,))
    return view


def requires(*rules: Role | str | Callable) -> Callable:
    """Allow a view to users who satisfy any of the rules: a Role, SIGNED_IN, or a named rule.

    A named rule is a callable ``rule(user, view_args) -> bool`` with a ``__name__``; it lets
    a contextual capability (assessor of this round, instructor of this session) open a route.
    """
    if not rules:
        raise ValueError("requires() needs at least one rule")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                from civicladder.extensions import login_manager

                return login_manager.unauthorized()
            if not any(_allows(rule, current_user, kwargs) for rule in rules):
                raise Forbidden(
                    gettext(
                        "Your account does not have permission to see this page or take this "
                        "action."
                    )
                )
            return view(*args, **kwargs)

        setattr(guarded, ACCESS_ATTR, rules)
        return guarded

    return decorate


def _allows(rule, user, view_args: dict) -> bool:
    if rule == SIGNED_IN:
        return True
    if isinstance(rule, Role):
        return user.has_role(rule)
    if callable(rule):
        return bool(rule(user, view_args))
    raise TypeError(f"unknown access rule {rule!r}")


def require_role(actor, *roles: Role, system_may: bool = True) -> None:
    """Raise Forbidden unless the actor holds one of the roles.

    An actor of None is the system itself (seed, imports from the command line); services that
    only a person may use pass system_may=False.
    """
    if actor is None:
        if system_may:
            return
        raise Forbidden(gettext("Your account does not have permission to take this action."))
    if not any(actor.has_role(role) for role in roles):
        raise Forbidden(gettext("Your account does not have permission to take this action."))


def declared_rules(view: Callable) -> tuple | None:
    return getattr(view, ACCESS_ATTR, None)


def register(app: Flask) -> None:
    """Deny any endpoint that forgot to declare its access, at run time as well as in tests."""
    setattr(app.view_functions["static"], ACCESS_ATTR, (PUBLIC,))

    @app.before_request
    def _deny_undeclared():
        if request.endpoint is None:
            return None
        view = app.view_functions.get(request.endpoint)
        if view is not None and declared_rules(view) is None:
            abort(403)
        return None
