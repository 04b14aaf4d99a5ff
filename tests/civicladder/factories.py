"""Factories for shell objects: users with roles."""

from __future__ import annotations

import itertools

from civicladder.access import Role
from civicladder.db import db
from civicladder.models import User, UserRole

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


def make_user_factory(password_hash: str):
    def make_user(
        roles: set[Role] | None = None,
        *,
        email: str | None = None,
        full_name: str | None = None,
        employee=None,
        active: bool = True,
        password_hash_override: str | None = None,
    ) -> User:
        n = next(_sequence)
        user = User(
            email=email or f"user{n}@city.test",
            full_name=full_name or f"Test User {n}",
            password_hash=password_hash_override or password_hash,
            active=active,
        )
        user.role_rows = [UserRole(role=role) for role in (roles or {Role.EMPLOYEE})]
        db.session.add(user)
        if employee is not None:
            db.session.flush()
            employee.user_id = user.id
        db.session.flush()
        return user

    return make_user
