"""Roster import rules: read a CSV roster and check its rows, with no database in sight.

The rows are checked on their own here (required fields, formats) as the file streams past.
Checks across rows and against the workforce run as set-based queries in
`people.roster.queries`; the messages they report, the manager-cycle walk and the shape of a
change are defined here, once, for every database.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from email_validator import EmailNotValidError, validate_email

from civicladder.errors import DomainError, Invalid
from people.models import PATH_SEPARATOR, EmployeeStatus

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
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "department": "Department",
    "manager": "Manager",
    "bargaining_unit": "Bargaining unit",
    "job_profile": "Job profile",
    "hire_date": "Hire date",
    "status": "Status",
}
MAX_LENGTHS = {
    "employee_number": 20,
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "manager_employee_number": 20,
    "bargaining_unit": 40,
    "job_profile": 30,
}
DEPARTMENT_NAME_LENGTH = 200
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
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


@dataclass(frozen=True)
class RosterRow:
    """One row, trimmed and normalised; a field that failed its check is None."""

    line: int
    employee_number: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    department_path: str | None
    manager_number: str | None
    bargaining_unit: str | None
    job_profile: str | None
    hire_date: date | None
    status: EmployeeStatus | None


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
    # Filled by the write: the employees it separated, and those it moved.
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

    Fed each change in file order, then the new departments."""

    def __init__(self):
        self._digest = hashlib.sha256()

    def add(self, change: Change) -> None:
        body = [change.employee_number, change.before, change.after]
        self._digest.update(json.dumps(body, sort_keys=True).encode() + b"\n")

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
            f"{lines} {'row has' if lines == 1 else 'rows have'} problems, so nothing was "
            "imported. Fix them in the file and upload it again."
        )
        self.plan = plan


# --- reading the file ---------------------------------------------------------------------


def read_records(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header, and the non-blank records after it with the line each starts on.

    Raises Invalid for a file that cannot be a roster before any record is read; the records
    are read as they are asked for (a city's file is never held as text or rows at once),
    and raise Invalid where the CSV breaks, and after them when there were none.
    """
    if not data or data.isspace():
        raise Invalid("The file is empty. Upload a CSV file with a header line and employees.")
    _check_utf8(data)
    if b"\x00" in data:
        raise Invalid("The file is not a CSV text file. Save the roster as CSV and try again.")
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    records = _records(reader)
    first = next(records, None)
    if first is None:
        raise Invalid("The file is empty. Upload a CSV file with a header line and employees.")
    return _check_header(first[1]), _body(records)


def _check_utf8(data: bytes) -> None:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), 1 << 20):
            decoder.decode(view[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise Invalid(
            "The file is not UTF-8 text (it could be a spreadsheet or another encoding). "
            "Save it from your spreadsheet as “CSV UTF-8” and upload it again."
        ) from error


def _records(reader) -> Iterator[tuple[int, list[str]]]:
    start = 1
    try:
        for values in reader:
            if any(value.strip() for value in values):
                yield start, values
            start = reader.line_num + 1
    except csv.Error as error:
        raise Invalid(f"Line {start} could not be read as CSV: {error}.") from error


def _body(records: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    empty = True
    for record in records:
        empty = False
        yield record
    if empty:
        raise Invalid("The file has a header line but no employees.")


def _check_header(header: list[str]) -> list[str]:
    names = [name.strip() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        hint = ""
        if len(names) == 1 and any(sep in names[0] for sep in ";\t|"):
            hint = " Separate the columns with commas, not semicolons or tabs."
        raise Invalid(
            f"The file is missing the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}. The first line must name the columns: "
            f"{', '.join(REQUIRED_COLUMNS)} (and optionally status).{hint}"
        )
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise Invalid(
            f"The file has columns this import does not know: {', '.join(unknown)}. "
            f"Use only {', '.join(COLUMNS)}."
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise Invalid(f"The file names the column {', '.join(repeated)} more than once.")
    return names


# --- checking each row on its own ----------------------------------------------------------


def read_row(line: int, header: list[str], values: list[str]) -> tuple[RosterRow, list[RowError]]:
    """Normalise one record, collecting every problem in it rather than stopping at the first."""
    errors: list[str] = []
    if len(values) != len(header):
        errors.append(
            f"This row has {len(values)} values but the header has {len(header)} columns; "
            "check for a missing comma or an unquoted comma in a name."
        )
    # A field whose problem is already reported becomes None, so it is not reported twice.
    raw: dict[str, str | None] = {
        name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)
    }
    for name, value in raw.items():
        if "\n" in value or "\r" in value:
            errors.append(f"{name} contains a line break; check for a quote that is not closed.")
            raw[name] = None
        elif len(value) > MAX_LENGTHS.get(name, 10_000):
            errors.append(f"{name} is longer than {MAX_LENGTHS[name]} characters.")
            raw[name] = None
    number = _required(raw, "employee_number", errors)
    manager = raw["manager_employee_number"] or None
    if manager is not None and manager == number:
        errors.append("An employee cannot be their own manager.")
        manager = None
    row = RosterRow(
        line=line,
        employee_number=number,
        first_name=_required(raw, "first_name", errors),
        last_name=_required(raw, "last_name", errors),
        email=_email(raw, errors),
        department_path=_department_path(raw, errors),
        manager_number=manager,
        bargaining_unit=raw["bargaining_unit"] or None,
        job_profile=raw["job_profile"] or None,
        hire_date=_hire_date(raw, errors),
        status=_status(raw, errors),
    )
    return row, [RowError(line, message, number or "") for message in errors]


def _required(raw: dict, name: str, errors: list[str]) -> str | None:
    if raw[name] == "":
        errors.append(f"{name} is empty; every employee needs one.")
    return raw[name] or None


def _email(raw: dict, errors: list[str]) -> str | None:
    value = _required(raw, "email", errors)
    if value is None:
        return None
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        errors.append(f"email “{value}” is not a valid email address: {error}")
        return None
    return value.lower()


def _department_path(raw: dict, errors: list[str]) -> str | None:
    from people.services import split_path  # services imports this module for the write

    value = _required(raw, "department_path", errors)
    if value is None:
        return None
    try:
        parts = split_path(value)
    except DomainError as error:
        errors.append(f"department_path “{value}”: {error.message}")
        return None
    if any(len(part) > DEPARTMENT_NAME_LENGTH for part in parts):
        errors.append(
            f"department_path has a name longer than {DEPARTMENT_NAME_LENGTH} characters."
        )
        return None
    return PATH_SEPARATOR.join(parts)


def _hire_date(raw: dict, errors: list[str]) -> date | None:
    value = _required(raw, "hire_date", errors)
    if value is None:
        return None
    if ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors.append(f"hire_date “{value}” is not a date written YYYY-MM-DD, like 2024-03-31.")
    return None


def _status(raw: dict, errors: list[str]) -> EmployeeStatus | None:
    value = (raw.get("status") or "").lower()
    if not value:
        return None
    try:
        return EmployeeStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in EmployeeStatus)
        errors.append(f"status “{raw['status']}” is not one of {allowed}.")
        return None


# --- checking rows against each other and against the workforce ----------------------------


# Where each kind of problem goes among a line's problems: the row's own first.
ROW, DUPLICATE_NUMBER, DUPLICATE_EMAIL, REFERENCE, CYCLE = range(5)


def duplicate_errors(entries: Iterable[tuple[int, str, str]], label: str) -> Iterator[RowError]:
    """Every line of a repeated value, since the mistake may be on any of them.

    `entries`: (line, value, employee number) of the rows whose value is repeated."""
    lines: dict[str, list[tuple[int, str]]] = {}
    for line, value, number in entries:
        lines.setdefault(value, []).append((line, number))
    for value, same in lines.items():
        for line, number in same if len(same) > 1 else ():
            others = ", ".join(str(other) for other, _ in same if other != line)
            yield RowError(
                line,
                f"{label} {value} is also on line{'s' if len(same) > 2 else ''} {others}.",
                number,
            )


def unknown_bargaining_unit(line: int, number: str, code: str) -> RowError:
    return RowError(line, f"There is no bargaining unit with code {code}.", number)


def unknown_job_profile(line: int, number: str, code: str) -> RowError:
    return RowError(line, f"There is no job profile with code {code}.", number)


def unknown_manager(line: int, number: str, manager: str) -> RowError:
    return RowError(
        line, f"The manager {manager} is neither in this file nor an existing employee.", number
    )


def email_taken(line: int, number: str, email: str, owner: str) -> RowError:
    return RowError(line, f"The email {email} already belongs to employee {owner}.", number)


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
                    yield number, f"The reporting line loops: {shown}."
        settled.update(path)


def path_prefixes(path: str) -> list[str]:
    parts = path.split(PATH_SEPARATOR)
    return [PATH_SEPARATOR.join(parts[: depth + 1]) for depth in range(len(parts))]


# --- set-based lookups ---------------------------------------------------------------------
