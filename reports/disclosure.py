"""Small groups protected across everything a reader can put side by side: the cells of linked
tables, the relations that add them up, the audit of what a reader could work out, and the
secondary suppression that leaves nothing to work out. Pure: no session, no request.

The method is secondary (complementary) suppression over linked tables, as statistical offices
apply it: every count of 1 to minimum - 1 is suppressed, and further cells are hidden until no
suppressed figure can be worked out exactly by adding and subtracting the figures shown.
Whether a hidden cell can be worked out is decided exactly, not by rule of thumb: the relations
(a total and its parts) form a linear system over the hidden cells, solved over the rationals;
a hidden cell is derivable when the system fixes its value.

A cell is named by a Key: (scope, period, table, row, column). Some cells are never printed
but still count people (the members who did not enrol, the staff of a department outside the
departments below it): they are implicit, hidden always, and protected like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

Key = tuple[str, ...]

COUNT = "count"  # a number of people or of their records: small when 1 to minimum - 1
AMOUNT = "amount"  # a quantity (hours) about the people a guarding count counts


@dataclass
class Cell:
    key: Key
    value: int | None  # exact; None where the reader cannot know it
    shown: bool = True  # printed as a number
    small: bool = False  # printed as "fewer than N"
    implicit: bool = False  # never printed
    kind: str = COUNT
    guard: Key | None = None  # an amount is as private as the people this count counts
    fixed: bool = False  # published already: whether it is shown can no longer change


@dataclass(frozen=True)
class Relation:
    """`total` is the sum of `parts`."""

    total: Key
    parts: tuple[Key, ...]


@dataclass(frozen=True)
class Disclosure:
    key: Key
    value: Fraction | None
    why: str

    def describe(self) -> str:
        return f"{' / '.join(self.key)}: {self.why} (works out as {self.value})"


@dataclass
class Solution:
    """What a reader can work out of the hidden cells: exact values of the derivable ones."""

    derived: dict[Key, Fraction | None] = field(default_factory=dict)
    components: dict[Key, int] = field(default_factory=dict)  # hidden cell -> its group


def is_small(value: int | Fraction | None, minimum: int) -> bool:
    return value is not None and 0 < value < minimum


# Elimination runs in the integers modulo this prime: exact, and many times faster than
# fractions. The rank of a system of sums (coefficients of 1 and -1) modulo so large a prime is
# its rank over the rationals unless the prime divides one of its minors, which for these
# systems does not happen in practice; a value worked out is a count, so its residue maps back
# to the integer it is.
PRIME = 2**61 - 1
LARGEST = 10**12  # a residue further from zero than this is no count: its value is not known


def solve(
    cells: dict[Key, Cell], relations: Iterable[Relation], memo: dict | None = None
) -> Solution:
    """Every hidden cell whose value the shown cells and the relations fix, with that value
    (None where it is fixed but is no count, which only inconsistent figures give).

    Gaussian elimination to reduced row-echelon form, one connected group of hidden cells at a
    time (remembered in `memo` across calls, for a group whose rows did not change): a hidden
    cell is fixed exactly when its pivot row holds no other hidden cell.
    """
    rows: list[tuple[dict[Key, int], int]] = []
    for relation in relations:
        coefficients: dict[Key, int] = {}
        constant = 0
        for key, sign in ((relation.total, 1), *((part, -1) for part in relation.parts)):
            cell = cells.get(key)
            if cell is not None and cell.shown and cell.value is not None:
                constant -= sign * cell.value
            else:
                coefficients[key] = coefficients.get(key, 0) + sign
        coefficients = {k: v for k, v in coefficients.items() if v}
        if coefficients:
            rows.append((coefficients, constant))
    groups = _groups(rows)
    solution = Solution(components=groups)
    by_group: dict[int, list[tuple[dict[Key, int], int]]] = {}
    for row in rows:
        by_group.setdefault(groups[next(iter(row[0]))], []).append(row)
    if memo is None:
        for group_rows in by_group.values():
            solution.derived.update(_fixed_values(group_rows))
        return solution
    # Within one `memo` (the same relations and values, only more cells hidden each time), a
    # group's rows are the relations that hold its hidden cells, written with those cells
    # unknown: the hidden cells alone say what they are.
    members: dict[int, list[Key]] = {}
    for key, group in groups.items():
        members.setdefault(group, []).append(key)
    for group, group_rows in by_group.items():
        signature = frozenset(members[group])
        if signature not in memo:
            memo[signature] = _fixed_values(group_rows)
        solution.derived.update(memo[signature])
    return solution


def _groups(rows) -> dict[Key, int]:
    roots = _connected(list(coefficients) for coefficients, _ in rows)
    numbers: dict[Key, int] = {}
    return {key: numbers.setdefault(root, len(numbers)) for key, root in roots.items()}


def _connected(groups_of_keys) -> dict[Key, Key]:
    """Union-find: each key with the root of the keys it is linked to through the groups."""
    parent: dict[Key, Key] = {}

    def find(key: Key) -> Key:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for keys in groups_of_keys:
        first = find(keys[0])
        for other in keys[1:]:
            parent[find(other)] = first
    return {key: find(key) for key in list(parent)}


def _fixed_values(rows) -> dict[Key, Fraction | None]:
    pivots: dict[Key, tuple[dict[Key, int], int]] = {}
    holding: dict[Key, set[Key]] = {}  # a key -> the pivots whose rows hold it
    for coefficients, constant in rows:
        row = {k: v % PRIME for k, v in coefficients.items()}
        b = constant % PRIME
        for pivot in [k for k in row if k in pivots]:
            factor = row.pop(pivot)
            pivot_row, pivot_b = pivots[pivot]
            for k, v in pivot_row.items():
                if k != pivot:
                    value = (row.get(k, 0) - factor * v) % PRIME
                    if value:
                        row[k] = value
                    else:
                        row.pop(k, None)
            b = (b - factor * pivot_b) % PRIME
        if not row:
            continue  # a consequence of the rows before it (or a contradiction: ignored)
        pivot = min(row)
        inverse = pow(row[pivot], PRIME - 2, PRIME)
        row = {k: v * inverse % PRIME for k, v in row.items()}
        b = b * inverse % PRIME
        for other in list(holding.get(pivot, ())):
            other_row, other_b = pivots[other]
            factor = other_row[pivot]
            for k, v in row.items():
                value = (other_row.get(k, 0) - factor * v) % PRIME
                if value:
                    if k not in other_row:
                        holding.setdefault(k, set()).add(other)
                    other_row[k] = value
                elif k in other_row:
                    del other_row[k]
                    holding[k].discard(other)
            pivots[other] = (other_row, (other_b - factor * b) % PRIME)
        pivots[pivot] = (row, b)
        for k in row:
            holding.setdefault(k, set()).add(pivot)
    return {pivot: _count(b) for pivot, (row, b) in pivots.items() if len(row) == 1}


def _count(residue: int) -> Fraction | None:
    value = residue if residue <= PRIME // 2 else residue - PRIME
    return Fraction(value) if abs(value) <= LARGEST else None


def disclosures(
    cells: dict[Key, Cell], relations: list[Relation], minimum: int, memo: dict | None = None
) -> list[Disclosure]:
    """The hidden cells counting a small group (or about one) that a reader of the shown cells
    can work out exactly, by adding and subtracting along the relations."""
    derived = solve(cells, relations, memo).derived
    found = []
    for key, value in sorted(derived.items()):
        cell = cells.get(key)
        if cell is None:
            continue
        if why := _why_private(cell, value, cells, derived, minimum):
            found.append(Disclosure(key, value, why))
    return found


def _why_private(cell: Cell, value: Fraction | None, cells, derived, minimum: int) -> str | None:
    if cell.kind == AMOUNT:
        guard = cells.get(cell.guard) if cell.guard else None
        if guard is not None and _counts_few(guard, derived.get(guard.key), minimum):
            return f"an amount about fewer than {minimum} people"
        return None
    if cell.small:
        return f"shown as fewer than {minimum}"
    if is_small(value, minimum) or is_small(cell.value, minimum):
        return f"counts fewer than {minimum}"
    return None


def _counts_few(cell: Cell, derived: Fraction | None, minimum: int) -> bool:
    return cell.small or is_small(cell.value, minimum) or is_small(derived, minimum)


# --- deciding what to hide --------------------------------------------------------------------


def protect(cells: dict[Key, Cell], relations: list[Relation], minimum: int) -> list[Disclosure]:
    """Decide which cells are shown, in place: small counts "fewer than N", amounts about few
    people hidden with them, then further cells hidden ("not shown") until no small group can
    be worked out. Cells already published (`fixed`) keep what they show. Returns what could
    still be worked out however much is hidden (nothing, unless published figures force it)."""
    for cell in cells.values():
        if cell.fixed:
            continue
        cell.small = cell.kind == COUNT and is_small(cell.value, minimum)
        cell.shown = not (cell.implicit or cell.small)
    for cell in cells.values():
        guard = cells.get(cell.guard) if cell.guard else None
        if cell.kind == AMOUNT and not cell.fixed and guard and _counts_few(guard, None, minimum):
            cell.shown = False
    leftover = []
    for group in linked(relations):  # hiding a cell changes nothing outside its group
        leftover += _protect_group(cells, group, minimum)
    return leftover


def linked(relations: list[Relation]) -> list[list[Relation]]:
    """The relations in groups that share no cell, each to be solved on its own."""
    roots = _connected([relation.total, *relation.parts] for relation in relations)
    groups: dict[Key, list[Relation]] = {}
    for relation in relations:
        groups.setdefault(roots[relation.total], []).append(relation)
    return list(groups.values())


def _protect_group(cells: dict[Key, Cell], relations: list[Relation], minimum: int):
    by_key: dict[Key, list[Relation]] = {}
    for relation in relations:
        for key in (relation.total, *relation.parts):
            by_key.setdefault(key, []).append(relation)
    memo: dict = {}
    while True:
        found = disclosures(cells, relations, minimum, memo)
        hidden_now = [
            key
            for key in dict.fromkeys(_complement(cells, by_key, d.key) for d in found)
            if key is not None
        ]
        if not found or not hidden_now:
            return found
        for key in hidden_now:
            cells[key].shown = False


def _complement(cells: dict[Key, Cell], by_key, key: Key, reach: int = 3) -> Key | None:
    """The cell to hide so that `key` can no longer be worked out, among the cells shown in
    its relations and in those of the hidden cells linked to it (`reach` steps out, or as far
    as it takes to find any): a
    part rather than a total (totals are what readers cite: a department's headcount is kept
    and the department below it hidden), then the nearest, then the smallest non-zero figure
    (hiding least)."""
    seen, frontier = {key}, [key]
    candidates: dict[Key, tuple] = {}
    depth = 0
    while frontier:
        next_frontier = []
        for current in frontier:
            for relation in by_key.get(current, ()):
                for other in (relation.total, *relation.parts):
                    cell = cells.get(other)
                    if other in seen or cell is None:
                        continue
                    if cell.shown and not cell.fixed:
                        rank = (other == relation.total, depth, cell.value == 0, cell.value, other)
                        candidates[other] = min(candidates.get(other, rank), rank)
                    elif not cell.shown:
                        seen.add(other)
                        next_frontier.append(other)
        if candidates and (min(candidates.values())[0] is False or depth + 1 >= reach):
            break  # a part found (nothing further out ranks before it), or far enough
        frontier, depth = next_frontier, depth + 1
    if candidates:
        return min(candidates, key=candidates.__getitem__)
    return None
