"""Lifecycles: one table of allowed status moves per model, and one way to make a move.

A domain package declares its lifecycle next to the model::

    ENROLLMENT = Lifecycle("enrollment", {
        EnrollmentStatus.REQUESTED: {EnrollmentStatus.APPROVED, EnrollmentStatus.DECLINED},
        ...
    })

and its services call ``move(ENROLLMENT, enrollment, EnrollmentStatus.APPROVED, actor,
reason=...)``. The move is checked against the table (an illegal move is a Conflict), written as
a conditional UPDATE (``... WHERE id = :id AND status = :seen``), so a row that someone else
moved since it was read gives a Conflict instead of a silent overwrite, even when two requests
race on PostgreSQL or SQLite, and it records the audit event ``<name>.<new status>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm.attributes import set_committed_value

from civicladder import audit
from civicladder.db import db
from civicladder.errors import Conflict, Invalid


def _label(state: Enum) -> str:
    """A state in the words of the page (its label is marked where its enum declares it)."""
    return gettext(state.label) if hasattr(state, "label") else str(state.value)


@dataclass(frozen=True)
class Lifecycle:
    """The allowed moves of one status attribute; states with no entry are final."""

    name: str
    transitions: Mapping[Enum, Iterable[Enum]]
    attribute: str = "status"
    # Moves into these states need a reason a person can read (a decline, a revocation).
    reason_required: frozenset = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        frozen = {state: frozenset(targets) for state, targets in self.transitions.items()}
        object.__setattr__(self, "transitions", frozen)
        object.__setattr__(self, "reason_required", frozenset(self.reason_required))

    def next_states(self, state: Enum) -> frozenset:
        return self.transitions.get(state, frozenset())

    def can_move(self, state: Enum, to: Enum) -> bool:
        return to in self.next_states(state)

    def is_final(self, state: Enum) -> bool:
        return not self.next_states(state)


def move(lifecycle: Lifecycle, obj, to: Enum, actor, *, reason: str | None = None):
    """Move obj to a new state if the lifecycle allows it and nobody moved it meanwhile."""
    current = getattr(obj, lifecycle.attribute)
    if current == to:
        raise Conflict(gettext("This is already %(state)s.", state=_label(to).lower()))
    if not lifecycle.can_move(current, to):
        raise Conflict(
            gettext(
                "This cannot go from %(before)s to %(after)s.",
                before=_label(current).lower(),
                after=_label(to).lower(),
            )
        )
    reason = (reason or "").strip() or None
    if to in lifecycle.reason_required and reason is None:
        raise Invalid(gettext("Give a reason for this change."), field="reason")
    if obj.id is None:
        db.session.flush()
    model = type(obj)
    column = getattr(model, lifecycle.attribute)
    result = db.session.execute(
        sa.update(model)
        .where(model.id == obj.id, column == current)
        .values({lifecycle.attribute: to})
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(
            gettext(
                "Someone else changed this at the same time, so your change was not saved. "
                "Reload the page to see where it stands now."
            )
        )
    set_committed_value(obj, lifecycle.attribute, to)
    audit.record(
        actor,
        f"{lifecycle.name}.{to.value}",
        obj,
        before={lifecycle.attribute: current},
        after={lifecycle.attribute: to},
        reason=reason,
    )
    return obj
