"""A report's content read as cells and relations (`reports.disclosure`), and written back
with what the protection decided. This module knows the layout `reports.tables` builds: which
figure is which, what adds up to what within a period, and which figures of a year are the sum
of its quarters'. A figure repeated in a trend row is the same cell as in its own period's
table, so it shows the same value wherever it appears.
"""

from __future__ import annotations

from people.models import PATH_SEPARATOR
from reports.disclosure import AMOUNT, COUNT, Cell, Key, Relation
from reports.rules import Period, parse_period

# Rows of the training table and the decisions table, as tables.py labels them.
ENROLMENTS = "Enrolments"
COMPLETIONS = "Completions"
PEOPLE_ENROLLED = "People enrolled"
PEOPLE_COMPLETED = "People who completed"
HOURS = "Training hours completed"
GRANTED = "Levels granted"
ABOVE = "of which granted above the evidence (with a written justification)"
DECISIONS = (GRANTED, ABOVE, "Proposals declined", "Levels lowered")
HIRES = "Internal hires"
GROUP_COLUMNS = ("members", "enrolled", "completed")

# Figures of a year that are the sum of its quarters' (counts of records, not of people: a
# person enrolled in two quarters is one person enrolled in the year).
ADDITIVE = (
    ("training", ENROLMENTS, "n"),
    ("training", COMPLETIONS, "n"),
    ("training", HOURS, "n"),
    *(("decisions", label, "n") for label in DECISIONS),
    ("hires", HIRES, "n"),
)
TREND_COLUMNS = (
    ("training", COMPLETIONS, "n"),
    ("training", ENROLMENTS, "n"),
    None,  # the completion rate: shown only where both its counts are
    ("gains", "all", "levels"),
    ("decisions", GRANTED, "n"),
    ("hires", HIRES, "n"),
)


def trend_rows(content: dict) -> list[dict]:
    for section in content["sections"]:
        for table in section["tables"]:
            if table["key"] == "trend":
                return table["rows"]
    return []


def key(scope: str, period: str, table: str, row: str, column: str) -> Key:
    return (scope, period, table, row, column)


def _placements(content: dict):
    """(table key, row, cell index, cell key) for every figure of the content, the trend's
    pointing at the cells of their own periods."""
    scope, period = content["scope"]["code"], content["period"]["code"]
    for section in content["sections"]:
        for table in section["tables"]:
            name = table["key"]
            for row in table["rows"]:
                for index, found in enumerate(_row_keys(scope, period, name, row)):
                    if found is not None:
                        yield row, index, found


def _row_keys(scope: str, period: str, table: str, row: dict) -> list[Key | None]:
    label = row["label"]
    if table == "headcount":
        return [key(scope, period, "headcount", "members", "n")]
    if table == "training":
        return [None if row["kind"] == "rate" else key(scope, period, "training", label, "n")]
    if table == "gains":
        return [key(scope, period, "gains", label, c) for c in ("people", "levels")]
    if table == "distribution":
        return [key(scope, period, "distribution", label, "members")]
    if table == "autonomy_events":
        return [key(scope, period, "decisions", label, "n")]
    if table == "hires":
        return [key(scope, period, "hires", label, "n")]
    if table == "departments":
        return [key(scope, period, "groups", label, c) for c in GROUP_COLUMNS]
    if table == "trend":
        return [None if c is None else key(scope, label, *c) for c in TREND_COLUMNS]
    return []


def _kind(found: Key) -> tuple[str, Key | None]:
    scope, period, table, row, column = found
    if table == "training" and row == HOURS:
        return AMOUNT, key(scope, period, "training", PEOPLE_COMPLETED, column)
    return COUNT, None


def read(content: dict, *, exact: bool, fixed: bool = False) -> dict[Key, Cell]:
    """The content's cells: with `exact`, every value as counted (the content is unprotected);
    otherwise as a reader sees them (a protected figure's value unknown)."""
    cells: dict[Key, Cell] = {}
    for row, index, found in _placements(content):
        shown_cell = row["cells"][index]
        value = shown_cell["value"]
        kind, guard = _kind(found)
        cells[found] = Cell(
            found,
            None if value is None else int(value),
            shown=value is not None,
            small=str(shown_cell["shown"]).startswith("fewer than"),
            kind=kind,
            guard=guard,
            fixed=fixed,
        )
    return cells


def relations(content: dict) -> list[Relation]:
    """What adds up within one report: each column of the breakdown to its total, members to
    the autonomy levels they hold, the levels gained to their categories, and each count to
    its parts, the ones never printed among them (members not enrolled, enrolments not
    completed, levels granted within the evidence)."""
    scope, period = content["scope"]["code"], content["period"]["code"]
    tables = {t["key"]: t for s in content["sections"] for t in s["tables"]}

    def k(table: str, row: str, column: str = "n") -> Key:
        return key(scope, period, table, row, column)

    members = k("headcount", "members")
    enrolled, completed = k("training", PEOPLE_ENROLLED), k("training", PEOPLE_COMPLETED)
    groups = [row["label"] for row in tables["departments"]["rows"]]
    found = [
        Relation(members, tuple(k("groups", g, "members") for g in groups)),
        Relation(enrolled, tuple(k("groups", g, "enrolled") for g in groups)),
        Relation(completed, tuple(k("groups", g, "completed") for g in groups)),
        Relation(members, (enrolled, k("training", "members not enrolled"))),
        Relation(enrolled, (completed, k("training", "enrolled, not completed"))),
        Relation(
            k("training", ENROLMENTS),
            (k("training", COMPLETIONS), k("training", "enrolments not completed")),
        ),
        Relation(
            k("gains", "all", "levels"),
            tuple(k("gains", row["label"], "levels") for row in tables["gains"]["rows"]),
        ),
        Relation(k("decisions", GRANTED), (k("decisions", ABOVE), k("decisions", "within"))),
    ]
    for g in groups:
        found.append(
            Relation(k("groups", g, "members"), (k("groups", g, "enrolled"), k("groups", g, "not")))
        )
        found.append(
            Relation(
                k("groups", g, "enrolled"),
                (k("groups", g, "completed"), k("groups", g, "enrolled, not completed")),
            )
        )
    levels = [row["label"] for row in tables["distribution"]["rows"]]
    if levels:
        found.append(Relation(members, tuple(k("distribution", lv, "members") for lv in levels)))
    return found


def year_relations(scope: str, year: str) -> list[Relation]:
    """A year's counts of records are the sums of its four quarters'."""
    quarters = [f"{year}Q{q}" for q in range(1, 5)]
    return [
        Relation(key(scope, year, *figure), tuple(key(scope, q, *figure) for q in quarters))
        for figure in ADDITIVE
    ]


def tree_relations(parent: dict, children: list[dict]) -> list[Relation]:
    """A department's figures are those of the departments just below it plus its own staff's
    (never printed on their own but in its breakdown's row for itself); the breakdown's row
    for each department below is that department's own report's totals."""
    scope, period = parent["scope"]["code"], parent["period"]["code"]
    found = []
    own = {k for k in read(parent, exact=True) if k[0] == scope and k[1] == period}
    child_keys = [
        {k for k in read(child, exact=True) if k[1] == period and k[0] == child["scope"]["code"]}
        for child in children
    ]
    for figure in sorted(own):
        _, _, table, row, column = figure
        if table == "groups":
            continue
        # A row a department below does not print counts nobody there: zero, known.
        parts = [
            key(child["scope"]["code"], period, table, row, column)
            for child, keys in zip(children, child_keys, strict=True)
            if key(child["scope"]["code"], period, table, row, column) in keys
        ]
        direct = key(scope, period, table, row, f"{column} (own staff)")
        found.append(Relation(figure, (*parts, direct)))
    for child, keys in zip(children, child_keys, strict=True):
        name = child["scope"]["name"].rsplit(PATH_SEPARATOR, 1)[-1]
        code = child["scope"]["code"]
        for column, total in zip(
            GROUP_COLUMNS,
            (
                key(code, period, "headcount", "members", "n"),
                key(code, period, "training", PEOPLE_ENROLLED, "n"),
                key(code, period, "training", PEOPLE_COMPLETED, "n"),
            ),
            strict=True,
        ):
            if total in keys:
                found.append(Relation(key(scope, period, "groups", name, column), (total,)))
    return found


def block_periods(period: Period) -> list[Period]:
    """The periods whose figures add up with this one's: its year and the year's quarters."""
    year = str(period.start.year)
    return [parse_period(year), *(parse_period(f"{year}Q{q}") for q in range(1, 5))]


def implicit_cells(cells: dict[Key, Cell], relations_: list[Relation]) -> None:
    """A cell for every figure the relations name but no report prints, hidden always: its
    value is the exact one when the parts it completes are exact, unknown otherwise."""
    for relation in relations_:
        for found in (relation.total, *relation.parts):
            if found not in cells:
                kind, guard = _kind(found)
                cells[found] = Cell(found, None, shown=False, implicit=True, kind=kind, guard=guard)
    # Values of the never-printed parts, where everything else in their relation is known.
    for relation in relations_:
        unknown = [p for p in relation.parts if cells[p].value is None]
        total = cells[relation.total].value
        if total is not None and len(unknown) == 1 and cells[unknown[0]].implicit:
            rest = sum(cells[p].value for p in relation.parts if p != unknown[0])
            cells[unknown[0]].value = total - rest


def write(content: dict, cells: dict[Key, Cell], minimum: int) -> dict:
    """The content with each figure as the protection decided: the number, "fewer than N" or
    "not shown"; a rate only where both its counts are shown."""
    for row, index, found in _placements(content):
        cell = cells[found]
        if cell.shown and cell.value is not None:
            row["cells"][index] = {"value": cell.value, "shown": f"{cell.value:,}"}
        else:
            shown = f"fewer than {minimum}" if cell.small else "not shown"
            row["cells"][index] = {"value": None, "shown": shown}
    scope, period = content["scope"]["code"], content["period"]["code"]
    for section in content["sections"]:
        for table in section["tables"]:
            for row in table["rows"]:
                if table["key"] == "training" and row["kind"] == "rate":
                    row["cells"][0] = _rate(cells, scope, period)
                elif table["key"] == "trend":
                    row["cells"][2] = _rate(cells, scope, row["label"])
    return content


def _rate(cells: dict[Key, Cell], scope: str, period: str) -> dict:
    part, whole = (cells[key(scope, period, "training", r, "n")] for r in (COMPLETIONS, ENROLMENTS))
    if not (part.shown and whole.shown) or part.value is None or whole.value is None:
        return {"value": None, "shown": "not shown"}
    if whole.value == 0:
        return {"value": None, "shown": "none enrolled"}
    value = round(100 * part.value / whole.value, 1)
    return {"value": value, "shown": f"{value:g}%"}
