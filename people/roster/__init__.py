"""Roster import: CSV rules (`rules`), the file staged in the database (`staging`), the read
side that checks and plans an import (`queries`; a file, or a list of rows from the API) and
the write (`services`)."""

from people.roster.queries import PREVIEW_ROWS, plan_import, plan_rows, preview
from people.roster.reading import check_readable
from people.roster.rules import (
    CHANGES_KEPT,
    COLUMNS,
    FIELD_LABELS,
    LOOKUP_CHUNK,
    REQUIRED_COLUMNS,
    RosterPlan,
    RosterRejected,
)
from people.roster.staging import holds as is_staged

__all__ = [
    "CHANGES_KEPT",
    "COLUMNS",
    "FIELD_LABELS",
    "LOOKUP_CHUNK",
    "PREVIEW_ROWS",
    "REQUIRED_COLUMNS",
    "RosterPlan",
    "RosterRejected",
    "check_readable",
    "is_staged",
    "plan_import",
    "plan_rows",
    "preview",
]
