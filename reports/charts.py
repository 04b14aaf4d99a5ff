"""The geometry of a report table's bar chart, drawn as SVG by templates/reports/_chart.html."""

from __future__ import annotations

from dataclasses import dataclass

CHART_LABEL_CHARS = 34


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart, in the chart's own units (the longest bar is 100)."""

    label: str
    length: float
    shown: str
    protected: bool


def chart_bars(table: dict) -> list[Bar]:
    """The bars of a table's chart: its count rows, first column; a protected count is drawn
    as no bar with its words ("fewer than 5"), never at its real length."""
    rows = [row for row in table["rows"] if row["kind"] == "count"]
    values = [row["cells"][0]["value"] for row in rows]
    longest = max((v for v in values if v is not None), default=0) or 1
    return [
        Bar(
            _short(row["label"]),
            0.0 if value is None else round(100 * value / longest, 1),
            row["cells"][0]["shown"],
            value is None,
        )
        for row, value in zip(rows, values, strict=True)
    ]


def _short(label: str) -> str:
    if len(label) <= CHART_LABEL_CHARS:
        return label
    return label[: CHART_LABEL_CHARS - 1].rstrip() + "…"
