"""Roster import rules, with no database in sight: the columns, a plan and its changes, and
the problems found across rows.

Each row is checked on its own as the file is read (`people.roster.reading`). The checks
across rows and against the workforce run as set-based queries (`people.roster.queries`); the
messages they report, the manager-cycle walk and what counts as a change are defined here,
once, for every database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext, ngettext

from civicladder.errors import Invalid
from civicladder.languages import N_
from people.models import PATH_SEPARATOR

REQUIRED_COLUMNS = (
    "employee_number",
    "first_name",
    "last_name",
    "email",
    "department_path",
    "manager_employee_number",
    "bargaining_unit",
    "job_profile",
    "hire_date",
)
OPTIONAL_COLUMNS = ("status",)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# What a preview shows for each field, in this order.
FIELD_LABELS = {
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "email": N_("Email"),
    "department": N_("Department"),
    "manager": N_("Manager"),
    "bargaining_unit": N_("Bargaining unit"),
    "job_profile": N_("Job profile"),
    "hire_date": N_("Hire date"),
    "status": N_("Status"),
}
# IN lists stay far below SQLite's (32,766) and PostgreSQL's (65,535) bound-parameter limits;
# the number of lookup queries is constant for any file up to this many distinct values.
LOOKUP_CHUNK = 5000
# A plan keeps this many new and this many changed employees, in file order, to show; it
# counts them all. A preview lists fewer (the web page 500), whatever the file's size.
CHANGES_KEPT = 1000


@dataclass(frozen=True)
class RowError:
    line: int
    message: str
    employee_number: str = ""
    # The column at fault (a roster column's name), where one is; empty for the whole row.
    field: str = ""


@dataclass(frozen=True)
class Source:
    """What a roster's rows came in, as the messages name it: a file's lines, or the items of
    a list sent through the API (numbered from 0 there, from line 1 here)."""

    name: str  # "file", "batch"
    by_line: bool = True

    def place(self, lines: list[int]) -> str:
        """Where else something is: "on line 3", "on lines 3, 7", "at index 2"."""
        if self.by_line:
            shown = ", ".join(map(str, lines))
            return ngettext("on line %(lines)s", "on lines %(lines)s", len(lines), lines=shown)
        indexes = ", ".join(str(line - 1) for line in lines)
        return ngettext(
            "at index %(indexes)s", "at indexes %(indexes)s", len(lines), indexes=indexes
        )


FILE = Source("file")
BATCH = Source("batch", by_line=False)


@dataclass(frozen=True)
class Change:
    """A new employee (before is empty) or the fields of an existing one that change."""

    line: int
    employee_number: str
    name: str
    before: dict[str, str]
    after: dict[str, str]

    @property
    def is_new(self) -> bool:
        return not self.before


@dataclass
class Lookups:
    """What the file refers to that already exists and the checks need in Python."""

    departments: dict[str, int] = field(default_factory=dict)  # path -> id
    managers: dict[str, tuple[int, str | None]] = field(
        default_factory=dict
    )  # number -> (id, its manager's number), for managers outside the file and above them


class Changes(Sequence):
    """How many employees a plan creates (or changes), with the first `CHANGES_KEPT` of them
    in file order. A whole workforce's changes are never held at once: the write works from
    the file's rows in the database, not from these."""

    def __init__(self, total: int = 0, first: list[Change] | None = None):
        self.total = total
        self.first = first or []

    @property
    def complete(self) -> bool:
        return len(self.first) == self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        return self._kept()[index]

    def __iter__(self) -> Iterator[Change]:
        return iter(self._kept())

    def _kept(self) -> list[Change]:
        if not self.complete:
            raise ValueError(
                f"Only the first {len(self.first)} of {self.total} changes are kept; "
                "read them from `first`."
            )
        return self.first

    def __repr__(self) -> str:
        return f"Changes({self.total}, first={len(self.first)})"


@dataclass
class RosterPlan:
    sha256: str
    row_count: int
    lookups: Lookups
    errors: list[RowError] = field(default_factory=list)
    creates: Changes = field(default_factory=Changes)
    updates: Changes = field(default_factory=Changes)
    unchanged: int = 0
    new_departments: list[str] = field(default_factory=list)
    # A digest of every change and new department (see `Fingerprint`).
    fingerprint: str = ""
    # Which loaded copy of the file this plan describes (`people.roster.staging`).
    staged: int | None = None
    # Filled by the write: the employees it created, those it separated, and those it moved.
    created_ids: list[int] = field(default_factory=list)
    separated_ids: list[int] = field(default_factory=list)
    moved_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def change_count(self) -> int:
        return len(self.creates) + len(self.updates)

    @property
    def error_lines(self) -> int:
        return len({error.line for error in self.errors})

    def first_changes(self, limit: int) -> list[Change]:
        """The first `limit` (at most CHANGES_KEPT) creates and updates, in file order."""
        return sorted(self.creates.first + self.updates.first, key=lambda c: c.line)[:limit]


class Fingerprint:
    """A digest of what a plan would write, so a commit can refuse a plan that moved.

    Fed the values each change is made of (before and after, as read), in file order, then
    the new departments; cheap enough for every row of a city's file."""

    def __init__(self):
        self._digest = hashlib.sha256()

    def add(self, values: Iterable) -> None:
        self._digest.update(repr(tuple(values)).encode() + b"\n")

    def finish(self, new_departments: list[str]) -> str:
        self._digest.update(json.dumps(new_departments).encode())
        return self._digest.hexdigest()


def change_of(
    line: int, number: str, name: str, before: dict[str, str] | None, after: dict[str, str]
) -> Change | None:
    """A new employee (no `before`), or the fields that differ; None when nothing does.

    Values are the comparable text of FIELD_LABELS, as `people.roster.queries` reads them."""
    if before is None:
        return Change(line, number, name, {}, after)
    changed = [key for key in FIELD_LABELS if before[key] != after[key]]
    if not changed:
        return None
    return Change(
        line, number, name, {key: before[key] for key in changed}, {k: after[k] for k in changed}
    )


class RosterRejected(Invalid):
    """The file has row problems; carries the plan so the page can list them."""

    def __init__(self, plan: RosterPlan):
        lines = plan.error_lines
        super().__init__(
            ngettext(
                "%(num)s row has problems, so nothing was imported. Fix them in the file and "
                "upload it again.",
                "%(num)s rows have problems, so nothing was imported. Fix them in the file and "
                "upload it again.",
                lines,
            )
        )
        self.plan = plan


# --- checking rows against each other and against the workforce ----------------------------


# Where each kind of problem goes among a line's problems: the row's own first.
ROW, DUPLICATE_NUMBER, DUPLICATE_EMAIL, REFERENCE, CYCLE = range(5)


def duplicate_errors(
    entries: Iterable[tuple[int, str, str]], label: str, field: str = "", source: Source = FILE
) -> Iterator[RowError]:
    """Every line of a repeated value, since the mistake may be on any of them.

    `entries`: (line, value, employee number) of the rows whose value is repeated."""
    lines: dict[str, list[tuple[int, str]]] = {}
    for line, value, number in entries:
        lines.setdefault(value, []).append((line, number))
    for value, same in lines.items():
        for line, number in same if len(same) > 1 else ():
            others = [other for other, _ in same if other != line]
            message = gettext(
                "%(label)s %(value)s is also %(place)s.",
                label=label,
                value=value,
                place=source.place(others),
            )
            yield RowError(line, message, number, field)


def unknown_bargaining_unit(line: int, number: str, code: str) -> RowError:
    return RowError(
        line,
        gettext("There is no bargaining unit with code %(code)s.", code=code),
        number,
        "bargaining_unit",
    )


def unknown_job_profile(line: int, number: str, code: str) -> RowError:
    return RowError(
        line,
        gettext("There is no job profile with code %(code)s.", code=code),
        number,
        "job_profile",
    )


def unknown_manager(line: int, number: str, manager: str, source: Source = FILE) -> RowError:
    return RowError(
        line,
        gettext(
            "The manager %(manager)s is neither in this file nor an existing employee.",
            manager=manager,
        )
        if source.name == "file"
        else gettext(
            "The manager %(manager)s is neither in this batch nor an existing employee.",
            manager=manager,
        ),
        number,
        "manager_employee_number",
    )


def email_taken(line: int, number: str, email: str, owner: str) -> RowError:
    return RowError(
        line,
        gettext(
            "The email %(email)s already belongs to employee %(owner)s.", email=email, owner=owner
        ),
        number,
        "email",
    )


def cycle_errors(managers: dict[str, str | None], lookups: Lookups) -> Iterator[tuple[str, str]]:
    """(employee number, message) of each employee in the file whose reporting line would
    loop, following the file first and the database after.

    `managers`: every employee number in the file, with the manager its row names."""

    def manager_of(number: str) -> str | None:
        if number in managers:
            return managers[number]
        known = lookups.managers.get(number)
        return known[1] if known else None

    settled: set[str] = set()
    for start in managers:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current not in settled and current not in on_path:
            path.append(current)
            on_path.add(current)
            current = manager_of(current)
        if current is not None and current in on_path:
            loop = path[path.index(current) :]
            shown = " → ".join([*loop, current])
            for number in loop:
                if number in managers:
                    yield number, gettext("The reporting line loops: %(loop)s.", loop=shown)
        settled.update(path)


def path_prefixes(path: str) -> list[str]:
    parts = path.split(PATH_SEPARATOR)
    return [PATH_SEPARATOR.join(parts[: depth + 1]) for depth in range(len(parts))]
