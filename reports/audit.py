"""The disclosure audit: everything a reader can open, put side by side as an attacker would,
checked for any small group whose figure can be worked out (`flask reports audit`; publishing
runs it on the year it adds to).

What a reader can open of a scope: for every period, its published snapshot or, while it is
not published, its live report; for a department, the same of every department below it. The
audit reads these as they are shown, never the exact figures, and reports:
- any figure shown in two places with two values (a trend row against its own period's report,
  a snapshot against a recount of the same period);
- any hidden figure counting 1 to minimum - 1 people (or an amount about so few) that adding
  and subtracting the shown figures along the relations of `reports.cells` works out exactly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import sqlalchemy as sa

from civicladder import clock
from civicladder.db import db
from people.models import PATH_SEPARATOR, Department, Employee
from reports import cells, disclosure, kept, protection, readers
from reports.disclosure import Cell, Key
from reports.models import AuditedYear
from reports.rules import FIRST_YEAR, Period, parse_period
from reports.tables import UNIT, Scope


@dataclass(frozen=True)
class Finding:
    """A fault the audit found: the cell, and why it lets a reader learn of a small group."""

    key: Key
    why: str

    def describe(self) -> str:
        scope, period, table, row, column = self.key
        where = row if column in ("n", "members") and table != "groups" else f"{row}, {column}"
        return f"{scope} {period}, {table}: {where}: {self.why}"


def audit_contents(
    contents: Iterable[dict], minimum: int, below: dict[str, list[str]] | None = None
) -> list[Finding]:
    """Every fault in what a reader sees, given as report contents (as shown). `below` names,
    for a department scope's code, the codes of the departments just below it whose reports
    the same reader opens: their figures add up to the department's, with its own staff."""
    sight = read_contents(contents, below)
    return sight.findings + solve_years(sight, minimum, list(sight.relations))


@dataclass
class Sight:
    """What a reader sees, read: every figure as shown, the relations among them by year (no
    relation joins two years: a year adds up its own quarters, a report its own period), and
    the faults found without solving anything (a figure shown two ways)."""

    seen: dict[Key, Cell]
    relations: dict[str, list[disclosure.Relation]]
    findings: list[Finding]


def read_contents(contents: Iterable[dict], below: dict[str, list[str]] | None = None) -> Sight:
    sight = Sight({}, {}, [])
    periods: dict[tuple[str, str], dict] = {}

    def of_year(code: str) -> list[disclosure.Relation]:
        return sight.relations.setdefault(code[:4], [])

    for content in contents:
        here = (content["scope"]["code"], content["period"]["code"])
        if here in periods:
            sight.findings += _versions(periods[here], content)
            continue
        periods[here] = content
        for found, cell in cells.read(content, exact=False).items():
            sight.findings += _same_everywhere(sight.seen, found, cell)
        of_year(here[1]).extend(cells.relations(content))
    for scope, year in sorted({(s, p[:4]) for s, p in periods}):
        of_year(year).extend(cells.year_relations(scope, year))
    for parent, children in (below or {}).items():
        for scope, period in [k for k in periods if k[0] == parent]:
            shown = [periods[(c, period)] for c in children if (c, period) in periods]
            of_year(period).extend(cells.tree_relations(periods[(scope, period)], shown))
    return sight


def solve_years(sight: Sight, minimum: int, years: Iterable[str]) -> list[Finding]:
    """The small groups the shown figures of these years let a reader work out."""
    relations = [r for year in sorted(years) for r in sight.relations.get(year, [])]
    cells.implicit_cells(sight.seen, relations)
    return _not_adding_up(sight.seen, relations) + [
        Finding(d.key, f"{d.why}, and it can be worked out ({_plain(d.value)})")
        for d in disclosure.disclosures(sight.seen, relations, minimum)
    ]


def _not_adding_up(seen: dict[Key, Cell], relations: list[disclosure.Relation]) -> list[Finding]:
    """Relations whose figures are all shown and do not add up: the protection works out what
    a reader can derive from these relations, so one that does not hold in what is shown means
    it reasoned about figures that are not what readers see."""
    found = []
    for relation in relations:
        terms = [seen[k] for k in (relation.total, *relation.parts)]
        if not all(c.shown and c.value is not None and not c.implicit for c in terms):
            continue
        parts = sum(c.value for c in terms[1:])
        if terms[0].value != parts:
            why = f"shown as {terms[0].value}, but the figures it adds up shown sum to {parts}"
            found.append(Finding(relation.total, why))
    return found


def _plain(value: Fraction | None) -> str:
    if value is None:
        return "a value"
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def _same_everywhere(seen: dict[Key, Cell], found: Key, cell: Cell) -> list[Finding]:
    before = seen.get(found)
    if before is None:
        seen[found] = cell
        return []
    if (before.shown, before.value) == (cell.shown, cell.value):
        return []
    if not before.shown:
        seen[found] = cell
    shown = [c for c in (before, cell) if c.shown]
    return [Finding(found, f"shown as {' and as '.join(str(c.value) for c in shown)}")]


def _versions(first: dict, second: dict) -> list[Finding]:
    """Two versions of one period (a snapshot and a recount): any figure that differs tells
    of the people whose records changed between them."""
    one, two = cells.read(first, exact=False), cells.read(second, exact=False)
    findings = []
    for found in sorted(one.keys() & two.keys()):
        a, b = one[found], two[found]
        if a.shown and b.shown and a.value != b.value:
            findings.append(
                Finding(found, f"two versions of the period differ by {abs(a.value - b.value)}")
            )
        elif a.shown != b.shown:
            findings.append(Finding(found, "shown in one version of the period, hidden in another"))
    return findings


# --- what a reader opens --------------------------------------------------------------------


def first_year(scope: Scope) -> int:
    """The first year with anyone in the scope: its reports before are empty."""
    stmt = sa.select(sa.func.min(Employee.hire_date))
    if scope.kind == UNIT:
        stmt = stmt.where(Employee.bargaining_unit_id == scope.id)
    else:
        stmt = stmt.join(Department, Department.id == Employee.department_id).where(
            sa.or_(
                Department.path == scope.path,
                Department.path.startswith(f"{scope.path}{PATH_SEPARATOR}", autoescape=True),
            )
        )
    earliest = db.session.scalar(stmt)
    return max(FIRST_YEAR, earliest.year if earliest else clock.today().year)


def years(scope: Scope) -> list[int]:
    return list(range(first_year(scope), clock.today().year + 1))


def reader_view(
    scope: Scope, year: int, replace: dict[str, dict] | None = None, cache: dict | None = None
) -> list[dict]:
    """Every report of the scope's year a reader can open, as shown: a published period's
    snapshot, any other begun period's live report (`replace` stands in for some)."""
    today = clock.today()
    this = protection.block(scope, parse_period(str(year)), cache)
    codes = [code for owner, code in this.contents if owner == scope.code]
    published = readers.snapshots_for_periods(scope, codes)
    contents = []
    for code in codes:
        if parse_period(code).start > today:
            continue
        if replace and code in replace:
            contents.append(replace[code])
        elif code in published:
            contents.append(published[code].content)
        else:
            contents.append(protection.report(scope, parse_period(code), cache))
    return contents


def check_publishing(
    scope: Scope, period: Period, content: dict, cache: dict | None = None
) -> list[Finding]:
    """What the audit finds about the period once `content` is its published report, with
    everything else of its year beside it that a reader of it opens (for a department, the
    departments above and below it too)."""
    scopes, below = protection.family(scope)
    view, cache = [], {} if cache is None else cache
    for each in scopes:
        replace = {period.code: content} if each.code == scope.code else None
        view += reader_view(each, period.start.year, replace, cache)
    findings = audit_contents(view, protection.minimum(), below)
    return [f for f in findings if f.key[:2] == (scope.code, period.code)]


@dataclass(frozen=True)
class Reader:
    """Whom the audit stands in for, and every scope whose reports they open (`key` names
    them in the audit's record of clean years)."""

    name: str
    scopes: tuple[Scope, ...]
    below: dict[str, list[str]]
    key: str = ""


def readers_to_check(unit_code: str | None, department_id: int | None) -> list[Reader]:
    """A unit's union reps, a department's manager, or (neither given) every unit's reps."""
    from people.models import BargainingUnit
    from reports import assemble

    if department_id is not None:
        department = db.session.get(Department, department_id)
        if department is None:
            raise LookupError(f"There is no department number {department_id}.")
        return [department_reader(department)]
    stmt = sa.select(BargainingUnit).order_by(BargainingUnit.name)
    if unit_code:
        stmt = stmt.where(BargainingUnit.code == unit_code)
    units = list(db.session.scalars(stmt))
    if unit_code and not units:
        raise LookupError(f"There is no bargaining unit with the code {unit_code}.")
    return [
        Reader(f"union reps of {unit.name}", (assemble.unit_scope(unit),), {}, f"unit:{unit.code}")
        for unit in units
    ]


def department_reader(department: Department) -> Reader:
    """A manager of the department: its reports and those of every department below it."""
    from reports import assemble

    below_path = f"{department.path}{PATH_SEPARATOR}"
    departments = list(
        db.session.scalars(
            sa.select(Department)
            .where(
                sa.or_(
                    Department.id == department.id,
                    Department.path.startswith(below_path, autoescape=True),
                )
            )
            .order_by(Department.path)
        )
    )
    scopes = tuple(assemble.department_scope(d) for d in departments)
    below: dict[str, list[str]] = {}
    for d in departments:
        if d.parent_id is not None and d.id != department.id:
            below.setdefault(f"D{d.parent_id}", []).append(f"D{d.id}")
    return Reader(f"a manager of {department.path}", scopes, below, f"department:{department.id}")


def check(reader: Reader, on_progress: Callable[[str], None] | None = None) -> list[Finding]:
    """Every fault in all the reader opens, put side by side."""
    return check_reader(reader, on_progress, since_clean=False).findings


@dataclass
class Checked:
    """An audit of one reader: its faults, the years it solved, and the years it left
    unsolved because they were unchanged since a clean check (`since`: the oldest)."""

    findings: list[Finding]
    solved: int
    unchanged: int
    since: datetime | None = None


def check_reader(
    reader: Reader, on_progress: Callable[[str], None] | None = None, *, since_clean: bool
) -> Checked:
    """Read everything the reader opens and check it. Figures shown two ways are looked for
    everywhere; the small groups a reader could work out, with `since_clean`, only in the
    years whose figures (and the sums among them) differ from a check that found none there:
    every relation lies within a year, so an unchanged year's answer is the same. The years
    found clean are recorded for the next check."""
    say = on_progress or (lambda _: None)
    contents, cache = [], kept.Kept()
    for position, scope in enumerate(reader.scopes, start=1):
        say(f"[{position}/{len(reader.scopes)}] {scope.name}")
        for year in years(scope):
            contents += reader_view(scope, year, cache=cache)
    minimum = protection.minimum()
    sight = read_contents(contents, reader.below)
    prints = {year: fingerprint(sight, year, minimum) for year in sight.relations}
    clean = _clean_years(reader.key) if since_clean and reader.key else {}
    unchanged = {y for y, (found, _) in clean.items() if prints.get(y) == found}
    solving = sorted(set(prints) - unchanged)
    findings = sight.findings + solve_years(sight, minimum, solving)
    faulty = {finding.key[1][:4] for finding in findings}
    if reader.key:
        _record_clean(reader.key, solving, {y: prints[y] for y in solving if y not in faulty})
    since = min((clean[y][1] for y in unchanged), default=None)
    return Checked(findings, len(solving), len(unchanged), since)


AUDIT_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def fingerprint(sight: Sight, year: str, minimum: int) -> str:
    """The SHA-256 of everything the year's answer is worked out from: its figures as shown,
    the relations among them, the minimum, and the code that works it out."""
    shown = sorted(
        [list(key), cell.shown, cell.small, None if cell.value is None else int(cell.value)]
        for key, cell in sight.seen.items()
        if key[1][:4] == year
    )
    sums = sorted([list(r.total), [list(p) for p in r.parts]] for r in sight.relations[year])
    text = json.dumps([kept.CODE_VERSION, AUDIT_CODE, minimum, shown, sums], separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _clean_years(reader_key: str) -> dict[str, tuple[str, datetime]]:
    rows = db.session.execute(
        sa.select(AuditedYear.year, AuditedYear.fingerprint, AuditedYear.checked_at).where(
            AuditedYear.reader == reader_key
        )
    )
    return {str(year): (found, at) for year, found, at in rows}


def _record_clean(reader_key: str, solved: list[str], clean: dict[str, str]) -> None:
    """Record the years solved and found clean; a year solved and found at fault is clean no
    longer."""
    db.session.execute(
        sa.delete(AuditedYear).where(
            AuditedYear.reader == reader_key, AuditedYear.year.in_([int(y) for y in solved])
        )
    )
    now = clock.now()
    if clean:
        db.session.execute(
            sa.insert(AuditedYear),
            [
                {"reader": reader_key, "year": int(y), "fingerprint": f, "checked_at": now}
                for y, f in sorted(clean.items())
            ],
        )
