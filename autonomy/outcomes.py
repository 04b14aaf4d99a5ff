"""Outcome records imported from operational systems as CSV: checked whole, previewed, then
written all or nothing; or sent through the API as a list of records (`record_outcomes`),
checked by the same rules and written the same way.

A file has the columns employee_number, metric_code, period_start (YYYY-MM-DD, the first day of
the period the value covers) and value. A row for a person, metric and period already on record
replaces its value; a row identical to the record changes nothing. One audit event describes
each import (its file's digest and counts), since a city sends millions of values a year.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import format_decimal, gettext

from autonomy import eligibility
from autonomy.models import OutcomeMetric, OutcomeRecord
from civicladder import audit, bulk, csv_reading
from civicladder.access import Role, require_role
from civicladder.db import db, take_turns
from civicladder.errors import Conflict, Invalid
from civicladder.models import User
from people.models import Employee

COLUMNS = ("employee_number", "metric_code", "period_start", "value")
MAX_ROWS = 500_000
ERRORS_KEPT = 1000
# Outcome imports (a file, the API's batches) take turns: each plans from what the last wrote.
OUTCOME_WRITES = "outcome import"


@dataclass
class OutcomePlan:
    sha256: str
    rows: int = 0
    new: list[tuple[int, int, date, float]] = field(default_factory=list)
    changed: list[tuple[int, float]] = field(default_factory=list)  # (record id, new value)
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    error_count: int = 0
    employee_ids: set[int] = field(default_factory=set)  # the people the file is about
    # The column each refused line is refused for (a line has one problem at most).
    error_fields: dict[int, str] = field(default_factory=dict)
    # What the rows came in, as messages name it: a "file", or a "batch" sent through the API.
    source: str = "file"

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and self.rows > 0

    @property
    def fingerprint(self) -> str:
        """What the plan would write: a preview and its commit must agree on it."""
        digest = hashlib.sha256()
        for row in self.new:
            digest.update(repr(row).encode())
        for row in self.changed:
            digest.update(repr(row).encode())
        return digest.hexdigest()

    def refuse(self, line: int, message: str, column: str = "") -> None:
        self.error_count += 1
        self.errors.append((line, message))
        self.error_fields[line] = column


def plan_import(data: bytes) -> OutcomePlan:
    """Read and check the whole file against the records (a few queries, not one per row)."""
    plan = OutcomePlan(sha256=hashlib.sha256(data).hexdigest())
    header, records = _read(data)
    rows = ((line, dict(zip(header, values, strict=False))) for line, values in records)
    return _plan(plan, rows)


def plan_rows(items: Sequence) -> OutcomePlan:
    """Check records given as objects with the file's columns (the API's bulk write) as a
    file's rows are: the value a JSON number, the rest text. Item i is line i + 1 of the plan."""
    canonical = json.dumps(list(items), sort_keys=True, separators=(",", ":"), default=str)
    plan = OutcomePlan(sha256=hashlib.sha256(canonical.encode()).hexdigest(), source="batch")
    return _plan(plan, _as_rows(plan, items))


def _plan(plan: OutcomePlan, rows: Iterable[tuple[int, dict | None]]) -> OutcomePlan:
    parsed = []
    for count, (line, row) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            raise Invalid(
                gettext(
                    "A file holds at most %(num)s rows: split it.", num=format_decimal(MAX_ROWS)
                ),
                field="file",
            )
        found = _parse(plan, line, row) if row is not None else None
        if found is not None:
            parsed.append(found)
    plan.rows = len(parsed) + plan.error_count
    _match(plan, parsed)
    plan.errors = sorted(plan.errors)[:ERRORS_KEPT]  # the first problems in the file's order
    return plan


def _as_rows(plan: OutcomePlan, items: Sequence) -> Iterator[tuple[int, dict | None]]:
    """Each item as a file's row would read it (its values as text), or None when it cannot
    be one (refused, saying why)."""
    for line, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            plan.refuse(line, gettext("Each record is an object with the columns as keys."))
            yield line, None
            continue
        unknown = [name for name in item if name not in COLUMNS]
        wrong = [name for name in COLUMNS if not _fits(name, item.get(name))]
        if unknown:
            message = gettext(
                "%(name)s is not a column: use %(columns)s.",
                name=unknown[0],
                columns=", ".join(COLUMNS),
            )
            plan.refuse(line, message, unknown[0])
            yield line, None
        elif wrong:
            message = (
                gettext("%(name)s must be a number.", name=wrong[0])
                if wrong[0] == "value"
                else gettext("%(name)s must be text (a JSON string).", name=wrong[0])
            )
            plan.refuse(line, message, wrong[0])
            yield line, None
        else:
            # A JSON number as Python writes it, which reads back exactly.
            yield line, {name: repr(v) if name == "value" else v or "" for name, v in item.items()}


def _fits(name: str, value) -> bool:
    if name == "value":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return value is None or isinstance(value, str)


def check_readable(data: bytes) -> None:
    """Raise Invalid, at once, for a file that cannot hold outcome records: not UTF-8 CSV
    text, or without the columns (the rows are checked by `plan_import`)."""
    _read(data)


def _read(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The file's header and its records, once the header has the columns."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(
            gettext("The file is not UTF-8 text: save it as CSV (UTF-8)."), field="file"
        ) from None
    records = csv_reading.records(csv.reader(io.StringIO(text)), field="file")
    _, header = next(records, (1, []))
    header = [name.strip() for name in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise Invalid(
            gettext("The file has no column %(columns)s.", columns=", ".join(missing)),
            field="file",
        )
    return header, records


def preview(data: bytes) -> dict:
    """What importing the file would change, as kept for its preview page."""
    plan = plan_import(data)
    return {
        "ok": plan.ok,
        "sha256": plan.sha256,
        "fingerprint": plan.fingerprint,
        "rows": plan.rows,
        "new": len(plan.new),
        "changed": len(plan.changed),
        "unchanged": plan.unchanged,
        "change_count": len(plan.new) + len(plan.changed),
        "error_count": plan.error_count,
        "errors": [list(error) for error in plan.errors],
    }


def import_checked(actor: User | None, data: bytes, preview: dict, filename: str, progress) -> dict:
    """The write of an import started from the web (`civicladder.import_jobs`): what HR saw
    previewed, or nothing. Returns the summary its page shows."""
    from flask import url_for

    plan = import_outcomes(
        actor, data, expected_fingerprint=preview["fingerprint"], filename=filename
    )
    progress(len(plan.new) + len(plan.changed))
    return {
        "message": gettext(
            "Outcome records imported: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.",
            new=format_decimal(len(plan.new)),
            changed=format_decimal(len(plan.changed)),
            unchanged=format_decimal(plan.unchanged),
        ),
        "link": url_for("autonomy.metrics"),
        "link_text": gettext("See the outcome metrics"),
    }


def _parse(plan: OutcomePlan, line: int, row: dict) -> tuple | None:
    number = (row.get("employee_number") or "").strip()
    code = (row.get("metric_code") or "").strip().upper()
    if not number or not code:
        missing = "employee_number" if not number else "metric_code"
        plan.refuse(line, gettext("An employee number and a metric code are needed."), missing)
        return None
    try:
        start = date.fromisoformat((row.get("period_start") or "").strip())
    except ValueError:
        plan.refuse(
            line,
            gettext(
                "%(value)s is not a date written as YYYY-MM-DD.",
                value=repr(row.get("period_start")),
            ),
            "period_start",
        )
        return None
    try:
        value = float((row.get("value") or "").strip())
    except ValueError:
        plan.refuse(
            line, gettext("%(value)s is not a number.", value=repr(row.get("value"))), "value"
        )
        return None
    if not math.isfinite(value):
        plan.refuse(line, gettext("The value must be a finite number."), "value")
        return None
    return line, number, code, start, value


def _match(plan: OutcomePlan, parsed: list[tuple]) -> None:
    numbers = {number for _, number, _, _, _ in parsed}
    employees: dict[str, int] = {}
    for chunk in _chunks(sorted(numbers), 5000):
        employees.update(
            db.session.execute(
                sa.select(Employee.employee_number, Employee.id).where(
                    Employee.employee_number.in_(chunk)
                )
            ).all()
        )
    metrics = dict(db.session.execute(sa.select(OutcomeMetric.code, OutcomeMetric.id)).all())
    seen: set[tuple[int, int, date]] = set()
    keyed = []
    for line, number, code, start, value in parsed:
        if number not in employees:
            plan.refuse(
                line,
                gettext("No employee has the number %(number)s.", number=number),
                "employee_number",
            )
        elif code not in metrics:
            plan.refuse(
                line, gettext("No outcome metric has the code %(code)s.", code=code), "metric_code"
            )
        elif (key := (employees[number], metrics[code], start)) in seen:
            plan.refuse(
                line,
                gettext("This person, metric and period appear earlier in the file.")
                if plan.source == "file"
                else gettext("This person, metric and period appear earlier in the batch."),
                "period_start",
            )
        else:
            seen.add(key)
            keyed.append((key, value))
    plan.employee_ids = {employee for (employee, _, _), _ in keyed}
    existing = _existing(plan.employee_ids)
    for key, value in keyed:
        record = existing.get(key)
        if record is None:
            plan.new.append((*key, value))
        elif record[1] != value:
            plan.changed.append((record[0], value))
        else:
            plan.unchanged += 1


def _existing(employee_ids: set[int]) -> dict[tuple[int, int, date], tuple[int, float]]:
    found = {}
    for chunk in _chunks(sorted(employee_ids), 5000):
        rows = db.session.execute(
            sa.select(
                OutcomeRecord.employee_id,
                OutcomeRecord.metric_id,
                OutcomeRecord.period_start,
                OutcomeRecord.id,
                OutcomeRecord.value,
            ).where(OutcomeRecord.employee_id.in_(chunk))
        )
        for employee, metric, start, ident, value in rows:
            found[(employee, metric, start)] = (ident, value)
    return found


def _chunks(values: list, size: int):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def import_outcomes(
    actor: User | None, data: bytes, *, expected_fingerprint: str, filename: str = ""
) -> OutcomePlan:
    """Write a previewed file, if it still plans the same changes; nothing at all otherwise."""
    require_role(actor, Role.HR)
    take_turns(OUTCOME_WRITES)
    plan = plan_import(data)
    if not plan.ok:
        raise Invalid(gettext("The file has problems: fix them and upload it again."), field="file")
    if plan.fingerprint != expected_fingerprint:
        raise Conflict(
            gettext(
                "The records changed since the preview, so nothing was imported. "
                "Upload the file again to see what it would change now."
            )
        )
    _write(actor, plan, {"file": filename}, f"Outcome records from {filename or 'a file'}")
    return plan


class OutcomesRejected(Invalid):
    """Records sent in a batch have problems; carries the plan, which lists them."""

    def __init__(self, plan: OutcomePlan):
        super().__init__(
            gettext(
                "%(problems)s of the %(num)s records have problems, so none was recorded.",
                problems=format_decimal(plan.error_count),
                num=format_decimal(plan.rows),
            )
        )
        self.plan = plan


def record_outcomes(
    actor: User | None, items: Sequence, *, on_progress: Callable[[int], None] | None = None
) -> OutcomePlan:
    """Record outcome values sent as a list of objects with the file's columns (the API's
    bulk write), by the file import's rules and write, whole or not at all: raises
    OutcomesRejected, naming each refused item (line i + 1 is item i), before anything is
    written. Audited as an import is, its summary naming no file. Does not commit."""
    require_role(actor, Role.HR)
    take_turns(OUTCOME_WRITES)
    plan = plan_rows(items)
    if not plan.ok:
        raise OutcomesRejected(plan)
    _write(actor, plan, {"file": None}, f"Outcome records, {plan.rows:,} rows", on_progress)
    return plan


def _write(
    actor: User | None,
    plan: OutcomePlan,
    source: dict,
    label: str,
    on_progress: Callable[[int], None] | None = None,
) -> None:
    """Write a checked plan: new records in bulk, changed values in bulk, one audit event."""
    if plan.new:
        bulk.insert_rows(
            OutcomeRecord.__table__,
            [
                {"employee_id": e, "metric_id": m, "period_start": s, "value": v}
                for e, m, s, v in plan.new
            ],
            on_progress,
        )
    if plan.changed:
        bulk.update_rows(
            OutcomeRecord.__table__, [{"id": ident, "value": v} for ident, v in plan.changed]
        )
        if on_progress is not None:
            on_progress(len(plan.changed))
    audit.record(
        actor,
        "outcome_records.imported",
        None,
        after=source
        | {
            "sha256": plan.sha256,
            "rows": plan.rows,
            "new": len(plan.new),
            "changed": len(plan.changed),
            "unchanged": plan.unchanged,
        },
        label=label,
    )
    eligibility.refresh_if_stored(sorted(plan.employee_ids))
