"""Academy pages: one blueprint, its routes in modules by what people do there."""

from __future__ import annotations

from flask import Blueprint

from academy import queries
from people import queries as people_queries

bp = Blueprint("academy", __name__)


def instructor_of_session(user, view_args) -> bool:
    """The signed-in person teaches the session in the address."""
    session_id = view_args.get("session_id")
    own = people_queries.own_employee_id(user)
    return session_id is not None and queries.instructs(own, session_id)


# The modules add their routes to the blueprint.
from academy.views import catalog, records, seats  # noqa: E402, F401
