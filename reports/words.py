"""A report's words in the reader's language. A report's content (live, or frozen in a
snapshot with its hash) is kept in one language, English: its figures and the words that name
them, so the hash is taken over one text whatever language people read it in. The page, the
PDF and the CSV write those words in the language being written; the figures are shown as they
are stored ("1,234", "12.5%"), so every language cites the same numbers and the same hash.

The words are known by the table they belong to (`reports.tables` declares them with `N_`);
a label that is data (a department, a competency category, an autonomy level, a period's code)
is shown as it is stored.
"""

from __future__ import annotations

import copy
import re

from babel.dates import get_month_names
from flask_babel import get_locale, gettext, ngettext

from reports.rules import Period, parse_period
from reports.tables import DEPARTMENT, NO_LEVEL, UNIT

_FEWER = re.compile(r"^fewer than (\d+)$")
# Tables whose row labels are all the product's own words, not data.
_WORDED_ROWS = {"training", "autonomy_events", "hires", "headcount"}


def translated(content: dict | None) -> dict | None:
    """A copy of a report's content with its words in the language being written."""
    if content is None:
        return None
    shown = copy.deepcopy(content)
    shown["period"]["label"] = period_label(parse_period(content["period"]["code"]))
    kind = content["scope"].get("kind", UNIT)
    for section in shown["sections"]:
        section["title"] = gettext(section["title"])
        for table in section["tables"]:
            _table(table, kind, content["period"]["end"])
    return shown


def _table(table: dict, kind: str, end: str) -> None:
    key = table["key"]
    table["caption"] = _caption(table, kind, end)
    table["columns"] = [gettext(column) for column in table["columns"]]
    if table.get("note"):
        table["note"] = gettext(table["note"])
    for row in table["rows"]:
        row["label"] = _row_label(key, row["label"], kind)
        for cell in row["cells"]:
            cell["protected"] = cell["value"] is None and cell["shown"] != "none enrolled"
            cell["shown"] = figure(cell["shown"])


def _caption(table: dict, kind: str, end: str) -> str:
    key = table["key"]
    if key == "distribution":
        return gettext("Members by autonomy level held on %(day)s", day=end)
    if key == "departments":
        if kind == DEPARTMENT:
            return gettext(
                "Employees, people enrolled and people who completed training, by department"
            )
        return gettext("Members, people enrolled and people who completed training, by agency")
    if key == "trend":
        before = len(table["rows"]) - 1
        return ngettext(
            "This period and the %(num)d before it", "This period and the %(num)d before it", before
        )
    return gettext(table["caption"])


def _row_label(key: str, label: str, kind: str) -> str:
    if key in _WORDED_ROWS:
        return gettext(label)
    if key == "distribution" and label == NO_LEVEL:
        return gettext(NO_LEVEL)
    if key == "departments" and kind == DEPARTMENT and label.endswith(" itself"):
        return gettext("%(department)s itself", department=label.removesuffix(" itself"))
    return label


def figure(shown: str) -> str:
    """A figure as a reader reads it: a number as stored; a protected one in words."""
    if shown == "not shown":
        return gettext("not shown")
    if shown == "none enrolled":
        return gettext("none enrolled")
    if match := _FEWER.match(shown):
        return gettext("fewer than %(num)s", num=match[1])
    return shown


def period_label(period: Period) -> str:
    """ "Q3 2026 (1 July to 30 September 2026)", in the language being written."""
    months = get_month_names("wide", locale=get_locale() or "en_US")
    if period.is_quarter:
        return gettext(
            "Q%(quarter)s %(year)s (%(start_day)s %(start_month)s to %(end_day)s %(end_month)s "
            "%(year)s)",
            quarter=(period.start.month + 2) // 3,
            year=period.start.year,
            start_day=period.start.day,
            start_month=months[period.start.month],
            end_day=period.end.day,
            end_month=months[period.end.month],
        )
    return gettext("%(year)s (1 January to 31 December %(year)s)", year=period.start.year)


def people_side(side: str) -> str:
    """Which side a comment speaks for, as stored ("Union representative"), in words."""
    return gettext(side)
