"""Factories for shell objects: users with roles, checked imports."""

from __future__ import annotations

import itertools

from civicladder.access import Role
from civicladder.db import db
from civicladder.models import JobRun, JobState, User, UserRole

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


def checked_import(name: str, data: bytes, preview: dict, state=JobState.FINISHED) -> JobRun:
    """A file uploaded for the import `name` and kept, with its check in `state` (finished:
    its preview kept), as `civicladder.import_jobs` leaves them; nothing imported yet."""
    from civicladder import files

    stored = files.store(data, name=f"{name}.csv", media_type="text/csv")
    run = JobRun(
        kind=f"import.{name}.check",
        title="An import's check",
        params={"file_id": stored.id, "filename": f"{name}.csv", "sha256": stored.sha256},
        state=state,
        result={"preview": preview} if state is JobState.FINISHED else None,
    )
    db.session.add(run)
    db.session.flush()
    return run
