"""Which figures a report shows, decided over everything they add up with: the period's own
tables, its year and the year's quarters (a year's records are the sum of its quarters'), the
departments above and below (a department's figures are those below it plus its own staff's),
and the periods already published, whose figures no longer change.

A block is everything protected together: a bargaining unit's year (the year and its four
quarters), or an agency's year with every department in it. So a quarter hidden in its own
report cannot be worked out from the year's figure and the other three, nor a department's
own few staff from its figures and those of the departments below it. A quarter not yet begun
is counted but never shown. Each period's trend rows repeat figures of the periods before it,
read from those periods' own blocks (or snapshots), so a figure reads the same wherever it
appears.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from civicladder import clock
from civicladder.db import db
from people.models import PATH_SEPARATOR, Department
from reports import cells, disclosure, kept, queries, readers, rules, tables
from reports.disclosure import Cell, Disclosure, Key
from reports.rules import Period, parse_period
from reports.tables import DEPARTMENT, Scope, TrendFigures, UnitFigures


@dataclass
class Block:
    """A year as protected: each (scope, period)'s content (exact until written), the cells
    with what each shows, and anything published figures force open (normally nothing)."""

    contents: dict[tuple[str, str], dict]
    cells: dict[Key, Cell]
    leftover: list[Disclosure]


def minimum() -> int:
    return current_app.config["SMALL_GROUP_MINIMUM"]


def block(scope: Scope, period: Period, cache: dict | None = None) -> Block:
    """Count the year of `period` and its quarters for the scope (for a department, for its
    whole agency), and decide what each figure shows; kept in `cache`, when given, for work
    that reads the same year more than once."""
    scopes, below = family(scope)
    cache_key = (scopes[0].kind, scopes[0].id, period.start.year)
    if cache is not None and cache_key in cache:
        return cache[cache_key]
    smallest = minimum()
    periods = cells.block_periods(period)
    published = readers.published_contents(scopes, [p.code for p in periods])
    counted = queries.by_department_in(scopes[0], periods)
    contents = {}
    for each_scope in scopes:
        raws = {code: queries.total(found, each_scope) for code, found in counted.items()}
        for each in periods:
            trend = _trend(each, raws)
            contents[(each_scope.code, each.code)] = tables.report_content(
                each_scope, each, smallest, raws[each.code], trend
            )
    found, leftover = _decide(scopes[0], period.start.year, contents, published, below, cache)
    made = Block(contents, found, leftover)
    if cache is not None:
        cache[cache_key] = made
    return made


def _decide(head: Scope, year: int, contents, published, below, cache) -> tuple:
    """The block's cells as protected: as kept, when the block's inputs are those a kept
    decision was made from (`reports.kept`); otherwise protected now, and kept when `cache`
    asks for it."""
    smallest, today = minimum(), clock.today()
    to_come = [code for _, code in contents if parse_period(code).start > today]
    inputs = kept.inputs_hash(contents, published, smallest, sorted(set(to_come)), below)
    hidden = kept.stored(head.kind, head.id, year, inputs)
    if hidden is not None:
        found, _ = prepare_year(contents, published, today, below)
        kept.apply(found, hidden, smallest)
        return found, []
    found, leftover = protect_year(contents, published, smallest, today, below)
    if isinstance(cache, kept.Kept) and not leftover:
        kept.store(head.kind, head.id, year, inputs, found)
    return found, leftover


def family(scope: Scope) -> tuple[list[Scope], dict[str, list[str]]]:
    """The scopes protected with this one, the first counting them all, and which are just
    below which: a unit alone; a department's whole agency."""
    if scope.kind != DEPARTMENT or scope.path is None:
        return [scope], {}
    from reports.assemble import department_scope

    agency = scope.path.split(PATH_SEPARATOR, 1)[0]
    departments = list(
        db.session.scalars(
            sa.select(Department)
            .where(
                sa.or_(
                    Department.path == agency,
                    Department.path.startswith(agency + PATH_SEPARATOR, autoescape=True),
                )
            )
            .order_by(Department.path)
        )
    )
    below: dict[str, list[str]] = {}
    for department in departments:
        if department.parent_id is not None:
            below.setdefault(f"D{department.parent_id}", []).append(f"D{department.id}")
    return [department_scope(d) for d in departments], below


def protect_year(
    contents: dict[tuple[str, str], dict],
    frozen: dict[tuple[str, str], dict],
    smallest: int,
    today: date,
    below: dict[str, list[str]] | None = None,
) -> tuple[dict[Key, Cell], list[Disclosure]]:
    """Decide what a year's reports show, given each (scope, period)'s exact content and the
    contents already published (`frozen`); `below` names the departments just below each.
    Returns the cells as decided, and anything still open to working out (only ever forced
    by published figures)."""
    found, relations = prepare_year(contents, frozen, today, below)
    leftover = disclosure.protect(found, relations, smallest)
    return found, leftover


def prepare_year(
    contents: dict[tuple[str, str], dict],
    frozen: dict[tuple[str, str], dict],
    today: date,
    below: dict[str, list[str]] | None = None,
) -> tuple[dict[Key, Cell], list[disclosure.Relation]]:
    """A year's cells as counted (periods to come and published periods already settled) and
    the relations among them: what the protection decides over."""
    found: dict[Key, Cell] = {}
    relations: list[disclosure.Relation] = []
    for (scope, code), content in contents.items():
        own = {k: c for k, c in cells.read(content, exact=True).items() if k[:2] == (scope, code)}
        if parse_period(code).start > today:
            for cell in own.values():  # counted, never shown: a period to come
                cell.shown, cell.implicit = False, True
        if (scope, code) in frozen:
            _freeze(own, frozen[(scope, code)])
        found.update(own)
        relations += cells.relations(content)
    for scope, year in sorted({(scope, code[:4]) for scope, code in contents}):
        relations += cells.year_relations(scope, year)
    for parent, children in (below or {}).items():
        for scope, code in [k for k in contents if k[0] == parent]:
            shown = [contents[(c, code)] for c in children if (c, code) in contents]
            relations += cells.tree_relations(contents[(scope, code)], shown)
    cells.implicit_cells(found, relations)
    return found, relations


def _trend(period: Period, raws: dict[str, UnitFigures]) -> TrendFigures:
    """The trend's figures of the periods counted in this block; the others are filled from
    their own blocks when the report is written (`report`)."""
    found = TrendFigures(periods=[p.code for p in rules.trend_periods(period)])
    for index, code in enumerate(found.periods):
        raw = raws.get(code)
        if raw is None:
            continue
        found.enrolments[index], found.completions[index] = raw.enrolments, raw.completions
        found.levels_gained[index] = sum(levels for _, _, levels in raw.gains)
        found.grants[index], found.internal_hires[index] = raw.grants, raw.internal_hires
    return found


def _freeze(own: dict[Key, Cell], snapshot_content: dict) -> None:
    """A published period's cells show what its snapshot shows, for good."""
    frozen = cells.read(snapshot_content, exact=False)
    for found, cell in own.items():
        as_published = frozen.get(found)
        if as_published is None:
            cell.shown, cell.fixed = False, True
            continue
        cell.shown, cell.small, cell.fixed = as_published.shown, as_published.small, True
        if as_published.shown:
            cell.value = as_published.value


def report(scope: Scope, period: Period, cache: dict | None = None) -> dict:
    """The period's content, protected with its block; the trend's earlier periods as their
    own blocks (or snapshots) show them."""
    this = block(scope, period, cache)
    content = copy.deepcopy(this.contents[(scope.code, period.code)])
    decided = dict(this.cells)
    outside = [
        row["label"]
        for row in cells.trend_rows(content)
        if (scope.code, row["label"]) not in this.contents
    ]
    decided.update(shown_cells(scope, outside, cache))
    return cells.write(content, decided, minimum())


def shown_cells(scope: Scope, codes: list[str], cache: dict | None = None) -> dict[Key, Cell]:
    """The scope's cells of these periods as a reader sees them: a published period's from
    its snapshot, any other's from its own block (each year's block counted once)."""
    found: dict[Key, Cell] = {}
    published = readers.snapshots_for_periods(scope, codes)
    for code, snapshot in published.items():
        shown = cells.read(snapshot.content, exact=False)
        found.update({k: c for k, c in shown.items() if k[:2] == (scope.code, code)})
    unpublished = [parse_period(code) for code in codes if code not in published]
    for year in sorted({p.start.year for p in unpublished}):
        wanted = {p.code for p in unpublished if p.start.year == year}
        decided = block(scope, parse_period(str(year)), cache).cells
        found.update({k: c for k, c in decided.items() if k[0] == scope.code and k[1] in wanted})
    return found
