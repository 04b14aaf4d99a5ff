"""SCIM filters this service answers (RFC 7644 §3.4.2.2), as SQL conditions: equality on the
attributes identity systems look accounts and groups up by. Anything else is refused with
SCIM's invalidFilter, rather than answered wrongly."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from scim.errors import ScimError

# `attribute eq "value"`; the attribute may carry its schema's URN, and the value escapes
# quotes and backslashes as JSON does.
_EQUALITY = re.compile(r'^\s*([A-Za-z][\w:.$-]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)
_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Equality:
    attribute: str  # as the filter named it, without a core schema's URN, in lower case
    value: str


def parse(text: str, core_schema: str) -> Equality:
    found = _EQUALITY.match(text or "")
    if found is None:
        raise ScimError(
            400,
            'This service answers filters of the form attribute eq "value" only '
            '(for example userName eq "jane.doe@city.gov").',
            "invalidFilter",
        )
    attribute = found.group(1)
    if attribute.lower().startswith(core_schema.lower() + ":"):
        attribute = attribute[len(core_schema) + 1 :]
    return Equality(attribute.lower(), _ESCAPE.sub(r"\1", found.group(2)))


def condition(
    equality: Equality, columns: dict[str, Callable[[str], sa.ColumnElement[bool]]]
) -> sa.ColumnElement[bool]:
    """The condition for the attribute, from `columns` (attribute in lower case -> the
    condition for a value)."""
    build = columns.get(equality.attribute)
    if build is None:
        names = ", ".join(sorted(columns))
        raise ScimError(
            400,
            f"Filtering on {equality.attribute} is not supported: use {names}.",
            "invalidFilter",
        )
    return build(equality.value)
