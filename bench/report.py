"""Figures into a table, the JSON record, and the quality bars' targets checked against them."""

from __future__ import annotations

import json
import math
from pathlib import Path

# The product's quality bars.
P95_TARGET_MS = 200.0
RATIO_TARGET = 1 / 3


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value at or above `share` of the samples."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def misses(rows: list[dict]) -> list[str]:
    """Each missed target, with by how much."""
    found = []
    for row in rows:
        label = f"{row['page']} ({row['role']}, {row['path']})"
        p95_target = row.get("p95_target_ms") or P95_TARGET_MS
        ratio_target = row.get("ratio_floor") or RATIO_TARGET
        if row["p95_ms"] >= p95_target:
            over = row["p95_ms"] - p95_target
            found.append(
                f"p95 of {label} is {row['p95_ms']:.1f} ms: {over:.1f} ms over the "
                f"{p95_target:.0f} ms target"
            )
        if row["ratio_target"] and row["ratio"] is not None and row["ratio"] < ratio_target:
            short = ratio_target - row["ratio"]
            found.append(
                f"throughput of {label} is {row['ratio']:.2f}x the bare route's "
                f"({row['rps']:.1f} req/s): {short:.2f} under the {ratio_target:.2f}x target"
            )
        if row["load_failures"]:
            found.append(f"{label} answered under load with {row['load_failures']}")
    return found


_COLUMNS = [
    ("page", "page", "<", "{}"),
    ("role", "role", "<", "{}"),
    ("p50_ms", "p50 ms", ">", "{:.1f}"),
    ("p95_ms", "p95 ms", ">", "{:.1f}"),
    ("p99_ms", "p99 ms", ">", "{:.1f}"),
    ("statements", "SQL", ">", "{}"),
]


def table(
    rows: list[dict], clients: tuple[int, ...], servers: int = 1, pgbouncer: bool = False
) -> str:
    columns = list(_COLUMNS)
    for n in clients:
        columns += [(("rps_at", str(n)), f"req/s@{n}", ">", "{:.1f}")]
        columns += [(("ratio_at", str(n)), f"x bare@{n}", ">", "{:.2f}")]
    heads = [head for _, head, _, _ in columns]
    target = str(clients[0])
    cells = [[_cell(row, key, fmt, target) for key, _, _, fmt in columns] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]

    def line(values):
        return "  ".join(
            f"{value:{align}{width}}"
            for value, width, (_, _, align, _) in zip(values, widths, columns, strict=True)
        ).rstrip()

    out = [line(heads), line(["-" * w for w in widths])]
    out += [line(c) for c in cells]
    shape = f"{servers} gunicorn app server{'s' if servers > 1 else ''}"
    if pgbouncer:
        shape += " through PgBouncer (transaction pooling)"
    out.append(
        f"{shape}. p50/p95/p99: one signed-in user, sequential requests. req/s@N: N concurrent "
        "clients (spread over the servers); x bare@N: that as a share of the bare route's at N. "
        f"SQL: statements per request (X-SQL-Statements). * the throughput target "
        f"({RATIO_TARGET:.2f}x at {clients[0]} clients; the discretion check's: "
        "0.50x, and p95 under 20 ms) applies."
    )
    return "\n".join(out)


def _cell(row: dict, key, fmt: str, target: str | None = None) -> str:
    value = row[key[0]].get(key[1]) if isinstance(key, tuple) else row[key]
    if value is None:
        return "-"
    # The throughput target is checked at the first client count only.
    mark = "*" if key == ("ratio_at", target) and row["ratio_target"] else ""
    return fmt.format(value) + mark


def memory_table(peaks: dict[str, float]) -> str:
    return "Peak memory (VmHWM): " + ", ".join(
        f"{name} {mib:.1f} MiB" for name, mib in peaks.items()
    )


def roster_line(imported: dict) -> str:
    return (
        f"Roster import (flask people import-roster --commit, into a fresh database): "
        f"{imported['employees']} employees in {imported['seconds']:.1f} s "
        f"({imported['rows_per_second']} rows/s), peak memory {imported['peak_memory_mib']:.1f} MiB"
    )


def write_json(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, sort_keys=False) + "\n")
