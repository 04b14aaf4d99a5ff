"""Write a large, valid roster CSV over the demo city, for measuring roster imports.

    python scripts/generate_roster.py 100000 /tmp/roster-100k.csv

The rows are new employees (numbers G0000001 on) placed in the demo city's units and in new
teams beneath them, each reporting to an earlier row or to a demo unit supervisor, so the file
imports cleanly after `flask seed demo`. The same count always gives the same file.
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import date, timedelta

from people.roster.rules import COLUMNS

SEED = 2026
# Demo units (agency > division > unit) with their job profile and bargaining unit.
UNITS = [
    ("Department of Buildings > Inspections > Construction Inspections", "BLDG-INSP", ""),
    (
        "Department of Buildings > Plan Review and Permits > Permit Examination",
        "PERMIT-EX",
        "DC37-1549",
    ),
    ("Parks and Recreation > Parks Maintenance > North District", "PARKS-MW", "DC37-983"),
    ("Parks and Recreation > Parks Maintenance > South District", "PARKS-MW", "DC37-983"),
    ("311 Customer Service > Contact Center > Day Shift", "CSR-311", "DC37-1549"),
    ("311 Customer Service > Contact Center > Evening Shift", "CSR-311", "DC37-1549"),
    ("311 Customer Service > Quality and Analytics > Service Quality", "PROG-ANL", "DC37-1549"),
]
# A demo employee who already exists and can head the file's top rows.
DEMO_MANAGER = "E10001"
FIRST = ["Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jada", "Kofi"]
LAST = ["Okafor", "Rivera", "Nguyen", "Schmidt", "Haddad", "Kowalski", "Baptiste", "Ito", "Moss"]
TEAMS_PER_UNIT = 30
STATUSES = [""] * 18 + ["leave"]  # empty: active


def rows(count: int):
    rng = random.Random(SEED)
    start = date(1995, 1, 1)
    for i in range(1, count + 1):
        number = f"G{i:07d}"
        path, profile, unit = UNITS[i % len(UNITS)]
        team = rng.randrange(1, TEAMS_PER_UNIT + 1) if rng.random() < 0.9 else 0
        if team:
            # A new team under the unit's agency, so the import also creates departments.
            path = f"{path.split(' > ', 1)[0]} > Crews > Crew {team}"
        # Each row reports to an earlier row (so no loops), the first ones to a demo head.
        manager = DEMO_MANAGER if i <= 10 else f"G{rng.randrange(max(1, i // 10), i):07d}"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        yield [
            number,
            first,
            last,
            f"{number.lower()}@roster.example",
            path,
            manager,
            unit,
            profile,
            (start + timedelta(days=rng.randrange(11_000))).isoformat(),
            rng.choice(STATUSES),
        ]


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        raise SystemExit("usage: generate_roster.py COUNT OUTPUT.csv")
    count, output = int(argv[1]), argv[2]
    with open(output, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows(count))


if __name__ == "__main__":
    main(sys.argv)
