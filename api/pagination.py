"""Cursor pagination for the API's lists: a page is the rows after the last one the caller saw,
in id order, so a list read while it changes neither skips nor repeats a row, and a page costs
the same wherever it falls (an index range, never an OFFSET)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import request
from marshmallow import Schema, fields, validate

from civicladder.db import db
from civicladder.errors import Invalid

DEFAULT_LIMIT = 100
# The largest id a column holds (PostgreSQL's integer); a larger one names nothing.
MAX_ID = 2_147_483_647


def id_field(description: str):
    """A query parameter naming a row by its id."""
    return fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": description},
    )


MAX_LIMIT = 1000


class PageQuery(Schema):
    after = fields.String(
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "The `next` cursor of the previous page; none for the first."},
    )
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Rows per page, 1 to {MAX_LIMIT}."},
    )


class PageSchema(Schema):
    next = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Pass as `after` for the next page; null on the last page."},
    )


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind != "id" or not value.isdigit():
            raise ValueError(text)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise Invalid(
            "This cursor is not one the API gave: start again without `after`.", field="after"
        ) from error


def page(statement: sa.Select, key: sa.ColumnElement, query: dict) -> tuple[list, str | None]:
    """The rows of `statement` after the cursor, at most `limit`, and the next cursor. The
    statement's rows carry `key` (an integer id) as their attribute `id`."""
    limit = query["limit"]
    rows = db.session.execute(
        statement.where(key > decode(query.get("after"))).order_by(key).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    following = encode(rows[-1].id) if more else None
    return rows, following


def answer(items: list, following: str | None) -> tuple[dict, int, dict[str, str]]:
    """A page's answer: its items, the cursor of the next page, and the Link header to it."""
    return {"items": items, "next": following}, 200, link_header(following)


def link_header(following: str | None) -> dict[str, str]:
    """RFC 8288's Link to the next page, beside the body's `next`."""
    if following is None:
        return {}
    url = request.base_url + "?" + urlencode(request.args.to_dict() | {"after": following})
    return {"Link": f'<{url}>; rel="next"'}
