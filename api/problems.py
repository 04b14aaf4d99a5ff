"""Errors as `application/problem+json` (RFC 9457): a title, the detail in plain words, the
status, and the field at fault where there is one (`errors` lists every field a request got
wrong)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from civicladder import transaction
from civicladder.errors import DomainError

MEDIA_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Server error",
}


class FieldErrorSchema(Schema):
    field = fields.String(required=True, metadata={"description": "The field, dotted if nested."})
    detail = fields.String(required=True)


class ProblemSchema(Schema):
    """What every error answers (RFC 9457)."""

    type = fields.String(required=True, metadata={"description": "Always about:blank."})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "What went wrong, in words."})
    field = fields.String(metadata={"description": "The field at fault, where there is one."})
    errors = fields.List(fields.Nested(FieldErrorSchema))


class Unauthenticated(DomainError):
    status = 401
    title = "Not authenticated"


def problem(status: int, detail: str, *, title: str | None = None, errors=None, headers=None):
    body = {
        "type": "about:blank",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
        body["field"] = errors[0]["field"]
    response = jsonify(body)
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _field_errors(messages, prefix: str = "") -> list[dict]:
    """webargs' nested messages ({"query": {"amount": ["Not a valid number."]}}) as a flat list
    of fields and what is wrong with each."""
    found = []
    for name, value in messages.items():
        if isinstance(value, dict):
            inner = (
                "" if name in ("query", "json", "form", "headers", "path") and not prefix else name
            )
            found += _field_errors(value, f"{prefix}{inner}." if inner else prefix)
        else:
            details = value if isinstance(value, list) else [value]
            found += [{"field": f"{prefix}{name}", "detail": str(detail)} for detail in details]
    return found


def install(blueprint: Blueprint) -> None:
    """The blueprint answers its errors as problems instead of the app's HTML pages."""

    @blueprint.errorhandler(DomainError)
    def _domain(error: DomainError):
        transaction.rollback()
        # An error about many fields at once (a batch's rows) lists them as `errors`.
        errors = getattr(error, "errors", None) or (
            [{"field": error.field, "detail": error.message}] if error.field else None
        )
        headers = (
            {"WWW-Authenticate": 'Bearer realm="CivicLadder API"'} if error.status == 401 else None
        )
        return problem(error.status, error.message, errors=errors, headers=headers)

    @blueprint.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code in (301, 302, 303, 307, 308):
            return error
        transaction.rollback()
        status = error.code or 500
        messages = (getattr(error, "data", None) or {}).get("messages")
        if messages:
            errors = _field_errors(messages)
            detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors)
            return problem(status, detail, errors=errors)
        headers = {}
        if status == 429 and error.get_headers():
            headers = {k: v for k, v in error.get_headers() if k.lower() == "retry-after"}
        return problem(status, error.description or _TITLES.get(status, ""), headers=headers)

    @blueprint.errorhandler(Exception)
    def _unexpected(error: Exception):
        current_app.logger.exception("Unhandled error in the API", exc_info=error)
        transaction.rollback()
        return problem(500, "The problem has been logged; nothing was saved. Try again later.")
