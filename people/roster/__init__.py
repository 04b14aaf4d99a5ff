"""Roster import: CSV rules (`rules`) and the read side that plans an import (`queries`)."""

from people.roster.queries import plan_import
from people.roster.rules import (
    COLUMNS,
    FIELD_LABELS,
    LOOKUP_CHUNK,
    REQUIRED_COLUMNS,
    RosterPlan,
    RosterRejected,
)

__all__ = [
    "COLUMNS",
    "FIELD_LABELS",
    "LOOKUP_CHUNK",
    "REQUIRED_COLUMNS",
    "RosterPlan",
    "RosterRejected",
    "plan_import",
]
