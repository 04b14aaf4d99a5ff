"""Small-group suppression: counts about people shown so that no group smaller than a minimum
can be read off a page, directly or by subtraction. Pure rules, shared by every aggregate page
(union reps' homes, shared progress reports)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext


@dataclass(frozen=True)
class Figure:
    """A count as a page may show it: the number, or "fewer than N" for a small group."""

    label: str
    count: int
    minimum: int

    @property
    def suppressed(self) -> bool:
        return 0 < self.count < self.minimum

    hidden: bool = False  # shown as small only so that another small cell cannot be derived

    @property
    def shown(self) -> str:
        if self.suppressed or self.hidden:
            if self.suppressed:
                return gettext("fewer than %(num)s", num=self.minimum)
            return gettext("not shown")
        return f"{self.count:,}"


def breakdown(rows: list[tuple[str, int]], minimum: int, other: str) -> list[Figure]:
    """Rows of a breakdown with every small group folded into one `other` row.

    Folding, rather than hiding each small row, means no small group can be worked out by
    subtracting the shown rows from the total; the folded row is itself "fewer than N" when small.
    """
    shown = [Figure(label, count, minimum) for label, count in rows if count >= minimum]
    folded = sum(count for _, count in rows if 0 < count < minimum)
    if folded:
        shown.append(Figure(other, folded, minimum))
    return shown


def cells(rows: list[tuple[str, int]], minimum: int) -> list[Figure]:
    """Ordered cells (level bands) kept in place: small ones shown as "fewer than N".

    When only one cell is small, the next smallest is left out as well, so the small one
    cannot be worked out from the total.
    """
    shown = [Figure(label, count, minimum) for label, count in rows]
    small = [f for f in shown if f.suppressed]
    if len(small) == 1:
        others = [f for f in shown if f.count >= minimum]
        if others:
            smallest = min(others, key=lambda f: f.count)
            shown = [
                Figure(f.label, f.count, minimum, hidden=True) if f is smallest else f
                for f in shown
            ]
    return shown
