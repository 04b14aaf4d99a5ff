"""Reporting lines kept as materialised paths, so a manager's line is one indexed range.

Each employee's `line_path` lists the ids from the top of their chain down to themselves:
"/1/39/512/" is employee 512, who reports to 39, who reports to 1. Everyone in 39's line
(39 included) has a path starting "/1/39/". A recursive walk of the hierarchy per request
read all 45,808 people under an agency head before it could show 25 of them (measured at
300,000 employees); a prefix of an indexed column lets the database stop after 25.

The path is derived data: whatever changes a manager (a new employee, a roster import, the
city generator) calls `set_path` or `refresh_all` in the same transaction. Both move the
`LINES` cache version, so what is counted from the paths (the size of a manager's line, and
of the whole workforce, since every new employee gets a path) is counted again once they
commit.
"""

from __future__ import annotations

import sqlalchemy as sa

from civicladder import caching
from civicladder.db import db
from people.models import Employee

# The cache name of what is counted from the paths (civicladder.caching).
LINES = "people.lines"

SEPARATOR = "/"

# One statement recomputes every path from the manager links, writing only those that differ.
_REFRESH = sa.text(
    """
    UPDATE employee SET line_path = tree.path
    FROM (
        WITH RECURSIVE walk(id, path) AS (
            SELECT id, '/' || CAST(id AS VARCHAR(20)) || '/'
            FROM employee WHERE manager_id IS NULL
            UNION ALL
            SELECT e.id, walk.path || CAST(e.id AS VARCHAR(20)) || '/'
            FROM employee e JOIN walk ON e.manager_id = walk.id
        )
        SELECT id, path FROM walk
    ) AS tree
    WHERE employee.id = tree.id
      AND (employee.line_path IS NULL OR employee.line_path <> tree.path)
    """
)


def path_under(manager_path: str | None, employee_id: int) -> str:
    return (manager_path or SEPARATOR) + f"{employee_id}{SEPARATOR}"


def set_path(employee: Employee, manager: Employee | None) -> None:
    """The path of one employee with no one below them yet (a new hire)."""
    employee.line_path = path_under(manager.line_path if manager else None, employee.id)
    caching.bump(LINES)


def refresh_all() -> int:
    """Recompute every path after managers changed in bulk; returns how many changed."""
    db.session.flush()
    changed = db.session.execute(_REFRESH).rowcount
    caching.bump(LINES)
    return changed


def path_of(employee_id: int) -> str | None:
    return db.session.scalar(sa.select(Employee.line_path).where(Employee.id == employee_id))


def in_line_of(manager_path: str) -> sa.ColumnElement[bool]:
    """Employees in the line of the manager with this path, the manager included."""
    return Employee.line_path.startswith(manager_path, autoescape=True)
