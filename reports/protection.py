"""Which figures a report shows, decided over everything they add up with: the period's own
tables, its year and the year's quarters (a year's records are the sum of its quarters'), and
the periods already published, whose figures no longer change.

A block is a scope's year: the year and its four quarters, counted together and protected
together (`reports.disclosure.protect`), so a quarter hidden in its own report cannot be worked
out from the year's figure and the other three. A quarter not yet begun is counted but never
shown. Each period's trend rows repeat figures of the periods before it, read from those
periods' own blocks (or snapshots), so a figure reads the same wherever it appears.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date

from flask import current_app

from civicladder import clock
from reports import cells, disclosure, queries, readers, rules, tables
from reports.disclosure import Cell, Disclosure, Key
from reports.rules import Period, parse_period
from reports.tables import Scope, TrendFigures, UnitFigures


@dataclass
class Block:
    """A scope's year as protected: each period's content (exact until written), the cells
    with what each shows, and anything published figures force open (normally nothing)."""

    scope: Scope
    contents: dict[str, dict]
    cells: dict[Key, Cell]
    relations: list[disclosure.Relation]
    leftover: list[Disclosure]


def minimum() -> int:
    return current_app.config["SMALL_GROUP_MINIMUM"]


def block(scope: Scope, period: Period, cache: dict | None = None) -> Block:
    """Count the year of `period` and its quarters, and decide what each shows (kept in
    `cache`, when given, for work that reads the same year more than once)."""
    if cache is not None:
        cache_key = (scope.kind, scope.id, period.start.year)
        if cache_key not in cache:
            cache[cache_key] = block(scope, period)
        return cache[cache_key]
    smallest = minimum()
    periods = cells.block_periods(period)
    published = readers.snapshots_for_periods(scope, [p.code for p in periods])
    raws = {each.code: queries.figures(scope, each) for each in periods}
    contents = {
        each.code: tables.report_content(scope, each, smallest, raws[each.code], _trend(each, raws))
        for each in periods
    }
    frozen = {code: snapshot.content for code, snapshot in published.items()}
    found, relations, leftover = protect_year(contents, frozen, smallest, clock.today())
    return Block(scope, contents, found, relations, leftover)


def protect_year(
    contents: dict[str, dict], frozen: dict[str, dict], smallest: int, today: date
) -> tuple[dict[Key, Cell], list[disclosure.Relation], list[Disclosure]]:
    """Decide what a year's reports show, given each period's exact content and the contents
    of those already published (`frozen`): the cells as decided, the relations between them,
    and anything still open to working out (only ever forced by published figures)."""
    found: dict[Key, Cell] = {}
    relations: list[disclosure.Relation] = []
    scope = ""
    for code, content in contents.items():
        scope = content["scope"]["code"]
        own = {k: c for k, c in cells.read(content, exact=True).items() if k[1] == code}
        if parse_period(code).start > today:
            for cell in own.values():  # counted, never shown: a period to come
                cell.shown, cell.implicit = False, True
        if code in frozen:
            _freeze(own, frozen[code])
        found.update(own)
        relations += cells.relations(content)
    year = min(contents, key=len)
    relations += cells.year_relations(scope, year)
    cells.implicit_cells(found, relations)
    leftover = disclosure.protect(found, relations, smallest)
    return found, relations, leftover


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
    content = copy.deepcopy(this.contents[period.code])
    decided = dict(this.cells)
    decided.update(shown_cells(scope, trend_periods_outside(content, this), cache))
    return cells.write(content, decided, minimum())


def trend_periods_outside(content: dict, this: Block) -> list[str]:
    trend = next(t for s in content["sections"] for t in s["tables"] if t["key"] == "trend")
    return [row["label"] for row in trend["rows"] if row["label"] not in this.contents]


def shown_cells(scope: Scope, codes: list[str], cache: dict | None = None) -> dict[Key, Cell]:
    """The cells of these periods as a reader sees them: a published period's from its
    snapshot, any other's from its own block (each year's block counted once)."""
    found: dict[Key, Cell] = {}
    published = readers.snapshots_for_periods(scope, codes)
    for code, snapshot in published.items():
        shown = cells.read(snapshot.content, exact=False)
        found.update({k: c for k, c in shown.items() if k[1] == code})
    unpublished = [parse_period(code) for code in codes if code not in published]
    for year in sorted({p.start.year for p in unpublished}):
        wanted = {p.code for p in unpublished if p.start.year == year}
        decided = block(scope, parse_period(str(year)), cache).cells
        found.update({k: c for k, c in decided.items() if k[1] in wanted})
    return found
