"""Roster import rules: read a CSV roster and check its rows, with no database in sight.

The rows are checked on their own (required fields, formats), against each other (duplicates,
manager cycles) and against `Lookups`, the facts `people.roster.queries` fetched for them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
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

    def values(self, current_status: str | None = None) -> dict[str, str]:
        """The row as comparable text; no status keeps the current one (or active when new)."""
        status = self.status.value if self.status else current_status or EmployeeStatus.ACTIVE
        return {
            "first_name": self.first_name or "",
            "last_name": self.last_name or "",
            "email": self.email or "",
            "department": self.department_path or "",
            "manager": self.manager_number or "",
            "bargaining_unit": self.bargaining_unit or "",
            "job_profile": self.job_profile or "",
            "hire_date": self.hire_date.isoformat() if self.hire_date else "",
            "status": str(status),
        }


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
    """What the file refers to that already exists, loaded set by set."""

    employees: dict[str, dict] = field(default_factory=dict)  # number -> id and current values
    email_owners: dict[str, str] = field(default_factory=dict)  # email -> employee number
    departments: dict[str, int] = field(default_factory=dict)  # path -> id
    bargaining_units: dict[str, int] = field(default_factory=dict)  # code -> id
    job_profiles: dict[str, int] = field(default_factory=dict)  # code -> id
    managers: dict[str, tuple[int, str | None]] = field(
        default_factory=dict
    )  # number -> (id, its manager's number)


@dataclass
class RosterPlan:
    sha256: str
    row_count: int
    rows: dict[str, RosterRow]
    lookups: Lookups
    errors: list[RowError] = field(default_factory=list)
    creates: list[Change] = field(default_factory=list)
    updates: list[Change] = field(default_factory=list)
    unchanged: int = 0
    new_departments: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def change_count(self) -> int:
        return len(self.creates) + len(self.updates)

    @property
    def error_lines(self) -> int:
        return len({error.line for error in self.errors})

    @property
    def fingerprint(self) -> str:
        """A digest of what the plan would write, so a commit can refuse a plan that moved."""
        body = {
            "changes": [
                [c.employee_number, c.before, c.after] for c in self.creates + self.updates
            ],
            "departments": self.new_departments,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


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


def read_records(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank records with the line each starts on, or Invalid."""
    if not data.strip():
        raise Invalid("The file is empty. Upload a CSV file with a header line and employees.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Invalid(
            "The file is not UTF-8 text (it could be a spreadsheet or another encoding). "
            "Save it from your spreadsheet as “CSV UTF-8” and upload it again."
        ) from error
    if "\x00" in text:
        raise Invalid("The file is not a CSV text file. Save the roster as CSV and try again.")
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for values in reader:
            if any(value.strip() for value in values):
                records.append((start, values))
            start = reader.line_num + 1
    except csv.Error as error:
        raise Invalid(f"Line {start} could not be read as CSV: {error}.") from error
    if not records:
        raise Invalid("The file is empty. Upload a CSV file with a header line and employees.")
    (_, header), body = records[0], records[1:]
    header = _check_header(header)
    if not body:
        raise Invalid("The file has a header line but no employees.")
    return header, body


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


def duplicate_errors(rows: list[RosterRow], attr: str, label: str) -> Iterator[RowError]:
    """Every line of a repeated value, since the mistake may be on any of them."""
    lines: dict[str, list[RosterRow]] = {}
    for row in rows:
        if getattr(row, attr):
            lines.setdefault(getattr(row, attr), []).append(row)
    for value, same in lines.items():
        for row in same if len(same) > 1 else ():
            others = ", ".join(str(other.line) for other in same if other is not row)
            yield RowError(
                row.line,
                f"{label} {value} is also on line{'s' if len(same) > 2 else ''} {others}.",
                row.employee_number or "",
            )


def reference_errors(
    rows: list[RosterRow], by_number: dict[str, RosterRow], lookups: Lookups
) -> Iterator[RowError]:
    for row in rows:
        number = row.employee_number or ""
        if row.bargaining_unit and row.bargaining_unit not in lookups.bargaining_units:
            yield RowError(
                row.line, f"There is no bargaining unit with code {row.bargaining_unit}.", number
            )
        if row.job_profile and row.job_profile not in lookups.job_profiles:
            yield RowError(
                row.line, f"There is no job profile with code {row.job_profile}.", number
            )
        manager = row.manager_number
        if manager and manager not in by_number and manager not in lookups.managers:
            yield RowError(
                row.line,
                f"The manager {manager} is neither in this file nor an existing employee.",
                number,
            )
        owner = lookups.email_owners.get(row.email or "")
        if owner and owner != number and owner not in by_number:
            yield RowError(
                row.line, f"The email {row.email} already belongs to employee {owner}.", number
            )


def cycle_errors(by_number: dict[str, RosterRow], lookups: Lookups) -> Iterator[RowError]:
    """Rows whose reporting line would loop, following the file first and the database after."""

    def manager_of(number: str) -> str | None:
        if number in by_number:
            return by_number[number].manager_number
        known = lookups.managers.get(number)
        return known[1] if known else None

    settled: set[str] = set()
    for start in by_number:
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
                if number in by_number:
                    row = by_number[number]
                    yield RowError(row.line, f"The reporting line loops: {shown}.", number)
        settled.update(path)


def diff_plan(plan: RosterPlan, rows: list[RosterRow]) -> None:
    """Sort the rows without problems into creates, updates and unchanged."""
    bad_lines = {error.line for error in plan.errors}
    paths: set[str] = set()
    for row in rows:
        if row.department_path:
            paths.update(path_prefixes(row.department_path))
        if row.line in bad_lines:
            continue
        assert row.employee_number is not None
        name = f"{row.first_name} {row.last_name}"
        current = plan.lookups.employees.get(row.employee_number)
        if current is None:
            plan.creates.append(Change(row.line, row.employee_number, name, {}, row.values()))
            continue
        before = current["values"]
        after = row.values(current_status=before["status"])
        changed = [key for key in FIELD_LABELS if before[key] != after[key]]
        if changed:
            plan.updates.append(
                Change(
                    row.line,
                    row.employee_number,
                    name,
                    {key: before[key] for key in changed},
                    {key: after[key] for key in changed},
                )
            )
        else:
            plan.unchanged += 1
    plan.new_departments = sorted(paths - plan.lookups.departments.keys())


def path_prefixes(path: str) -> list[str]:
    parts = path.split(PATH_SEPARATOR)
    return [PATH_SEPARATOR.join(parts[: depth + 1]) for depth in range(len(parts))]


# --- set-based lookups ---------------------------------------------------------------------
