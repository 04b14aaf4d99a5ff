"""Reading a roster file: the CSV decoded and split as it is read, each row checked on its own;
and the same rows given as objects (the API's bulk upsert), checked as a file's rows are.

Pure rules, with no database in sight: `people.roster.queries` streams the rows this yields
into the database and checks them against each other and the workforce there.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext, ngettext

from civicladder import csv_reading, languages
from civicladder.errors import DomainError, Invalid
from people.models import PATH_SEPARATOR, EmployeeStatus
from people.roster.rules import COLUMNS, REQUIRED_COLUMNS, RowError

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


# --- reading the file ---------------------------------------------------------------------


def read_records(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header, and the non-blank records after it with the line each starts on.

    Raises Invalid for a file that cannot be a roster before any record is read; the records
    are read as they are asked for (a city's file is never held as text or rows at once),
    and raise Invalid where the CSV breaks, and after them when there were none.
    """
    if not data or data.isspace():
        raise Invalid(
            gettext("The file is empty. Upload a CSV file with a header line and employees.")
        )
    _check_utf8(data)
    if b"\x00" in data:
        raise Invalid(
            gettext("The file is not a CSV text file. Save the roster as CSV and try again.")
        )
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    records = csv_reading.records(reader)
    first = next(records, None)
    if first is None:
        raise Invalid(
            gettext("The file is empty. Upload a CSV file with a header line and employees.")
        )
    return _check_header(first[1]), _body(records)


def check_readable(data: bytes) -> None:
    """Raise Invalid, at once, for a file that cannot be a roster: not UTF-8 CSV text, no
    header with the columns, or no employees after it (the rows are checked later)."""
    _, records = read_records(data)
    next(records, None)


def _check_utf8(data: bytes) -> None:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), 1 << 20):
            decoder.decode(view[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise Invalid(
            gettext(
                "The file is not UTF-8 text (it could be a spreadsheet or another encoding). "
                "Save it from your spreadsheet as “CSV UTF-8” and upload it again."
            )
        ) from error


def _body(records: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    empty = True
    for record in records:
        empty = False
        yield record
    if empty:
        raise Invalid(gettext("The file has a header line but no employees."))


def _check_header(header: list[str]) -> list[str]:
    names = [name.strip() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        hint = ""
        if len(names) == 1 and any(sep in names[0] for sep in ";\t|"):
            hint = " " + gettext("Separate the columns with commas, not semicolons or tabs.")
        raise Invalid(
            ngettext(
                "The file is missing the column %(missing)s. The first line must name the "
                "columns: %(columns)s (and optionally status).",
                "The file is missing the columns %(missing)s. The first line must name the "
                "columns: %(columns)s (and optionally status).",
                len(missing),
                missing=", ".join(missing),
                columns=", ".join(REQUIRED_COLUMNS),
            )
            + hint
        )
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise Invalid(
            gettext(
                "The file has columns this import does not know: %(unknown)s. "
                "Use only %(columns)s.",
                unknown=", ".join(unknown),
                columns=", ".join(COLUMNS),
            )
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise Invalid(
            gettext(
                "The file names the column %(columns)s more than once.",
                columns=", ".join(repeated),
            )
        )
    return names


# --- checking each row on its own ----------------------------------------------------------


def read_row(line: int, header: list[str], values: list[str]) -> tuple[RosterRow, list[RowError]]:
    """Normalise one record, collecting every problem in it rather than stopping at the first."""
    errors: list[tuple[str, str]] = []  # (the column at fault or "", the problem)
    if len(values) != len(header):
        errors.append(
            (
                "",
                gettext(
                    "This row has %(values)s values but the header has %(columns)s columns; "
                    "check for a missing comma or an unquoted comma in a name.",
                    values=len(values),
                    columns=len(header),
                ),
            )
        )
    # A field whose problem is already reported becomes None, so it is not reported twice.
    raw: dict[str, str | None] = {
        name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)
    }
    for name, value in raw.items():
        if "\n" in value or "\r" in value:
            errors.append(
                (
                    name,
                    gettext(
                        "%(column)s contains a line break; check for a quote that is not closed.",
                        column=name,
                    ),
                )
            )
            raw[name] = None
        elif len(value) > MAX_LENGTHS.get(name, 10_000):
            errors.append(
                (
                    name,
                    gettext(
                        "%(column)s is longer than %(num)s characters.",
                        column=name,
                        num=MAX_LENGTHS[name],
                    ),
                )
            )
            raw[name] = None
    number = _required(raw, "employee_number", errors)
    manager = raw["manager_employee_number"] or None
    if manager is not None and manager == number:
        errors.append(
            ("manager_employee_number", gettext("An employee cannot be their own manager."))
        )
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
    return row, [RowError(line, message, number or "", name) for name, message in errors]


def read_object(line: int, item: object) -> tuple[RosterRow, list[RowError]]:
    """One employee given as an object whose keys are the file's columns (each value text, or
    null for an empty cell), checked as a file's row is: every required column must be there,
    as a file's header must name it."""
    if not isinstance(item, dict):
        return RosterRow(line, *([None] * 10)), [
            RowError(line, gettext("Each employee is an object with the roster's columns as keys."))
        ]
    shape: list[tuple[str, str]] = [
        (
            str(name),
            gettext(
                "%(column)s is not a column of the roster; use only %(columns)s.",
                column=name,
                columns=", ".join(COLUMNS),
            ),
        )
        for name in item
        if name not in COLUMNS
    ]
    values = []
    for name in COLUMNS:
        value = item.get(name)
        if name not in item and name in REQUIRED_COLUMNS:
            shape.append(
                (
                    name,
                    gettext(
                        '%(column)s is missing; send null or "" where it is empty.', column=name
                    ),
                )
            )
        elif value is not None and not isinstance(value, str):
            shape.append(
                (name, gettext("%(column)s must be text (a JSON string) or null.", column=name))
            )
            value = None
        values.append(value or "")
    row, problems = read_row(line, list(COLUMNS), values)
    # A column whose shape is wrong is reported once, for that.
    at_fault = {name for name, _ in shape}
    number = row.employee_number or ""
    return row, [RowError(line, message, number, name) for name, message in shape] + [
        problem for problem in problems if problem.field not in at_fault
    ]


def _required(raw: dict, name: str, errors: list[tuple[str, str]]) -> str | None:
    if raw[name] == "":
        errors.append(
            (name, gettext("%(column)s is empty; every employee needs one.", column=name))
        )
    return raw[name] or None


def _email(raw: dict, errors: list[tuple[str, str]]) -> str | None:
    value = _required(raw, "email", errors)
    if value is None:
        return None
    try:
        check_email(value)
    except EmailNotValidError as error:
        errors.append(
            (
                "email",
                gettext(
                    "email “%(value)s” is not a valid email address: %(error)s",
                    value=value,
                    error=error,
                ),
            )
        )
        return None
    return value.lower()


# The domain a local part is checked against on its own (see `check_email`).
_PLAIN_DOMAIN = "example.gov"


def check_email(value: str) -> None:
    """Raise EmailNotValidError, with the library's message, unless `value` is an address.

    A workforce shares a handful of domains, and checking the domain is most of the library's
    work: an address of the plain shape (ASCII, one @, nothing quoted, bracketed or spaced) is
    checked in its two halves, the part before the @ by the library's own check of it and
    the domain once per file (as the domain of a plain address), each by the library itself.
    The library checks those halves independently, and the length of the whole, which is
    bounded here. Anything else, and any address that fails a half, goes to the library
    whole, which gives the verdict and the message.
    """
    local, at, domain = value.rpartition("@")
    plain = at and len(value) <= 254 and value.isascii() and not _UNPLAIN.search(value)
    if plain and _plain_domain_ok(domain) and _plain_local_ok(local):
        return
    validate_email(value, check_deliverability=False)


_UNPLAIN = re.compile(r'[\s"<>\[\]()\\,;:]|@.*@')


@functools.lru_cache(maxsize=256)
def _plain_domain_ok(domain: str) -> bool:
    return _valid(f"a@{domain}")


try:  # the library's own check of the part before the @, as validate_email makes it
    from email_validator.syntax import validate_email_local_part
except ImportError:  # pragma: no cover (a release without it: check with a fixed domain)
    validate_email_local_part = None


def _plain_local_ok(local: str) -> bool:
    if validate_email_local_part is None:
        return _valid(f"{local}@{_PLAIN_DOMAIN}")
    try:
        # Its defaults are validate_email's for an unquoted part (and this project's).
        validate_email_local_part(local)
    except EmailNotValidError:
        return False
    return True


def _valid(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _department_path(raw: dict, errors: list[tuple[str, str]]) -> str | None:
    value = _required(raw, "department_path", errors)
    if value is None:
        return None
    path, problem = _normalised_path(value, languages.current())
    if problem:
        errors.append(("department_path", problem))
    return path


@functools.lru_cache(maxsize=4096)
def _normalised_path(value: str, language: str) -> tuple[str | None, str | None]:
    """A department path as stored, or the problem with it in `language` (a city names a few
    thousand departments over hundreds of thousands of rows, so each is worked out once)."""
    from people.services import split_path  # services imports this module for the write

    try:
        parts = split_path(value)
    except DomainError as error:
        return None, f"department_path “{value}”: {error.message}"
    if any(len(part) > DEPARTMENT_NAME_LENGTH for part in parts):
        return None, gettext(
            "department_path has a name longer than %(num)s characters.",
            num=DEPARTMENT_NAME_LENGTH,
        )
    return PATH_SEPARATOR.join(parts), None


def _hire_date(raw: dict, errors: list[tuple[str, str]]) -> date | None:
    value = _required(raw, "hire_date", errors)
    if value is None:
        return None
    if ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors.append(
        (
            "hire_date",
            gettext(
                "hire_date “%(value)s” is not a date written YYYY-MM-DD, like 2024-03-31.",
                value=value,
            ),
        )
    )
    return None


def _status(raw: dict, errors: list[tuple[str, str]]) -> EmployeeStatus | None:
    value = (raw.get("status") or "").lower()
    if not value:
        return None
    try:
        return EmployeeStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in EmployeeStatus)
        errors.append(
            (
                "status",
                gettext(
                    "status “%(value)s” is not one of %(allowed)s.",
                    value=raw["status"],
                    allowed=allowed,
                ),
            )
        )
        return None
