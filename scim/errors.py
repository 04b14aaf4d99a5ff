"""SCIM's error shape (RFC 7644 §3.12): the Error message with the status as a string and, where
one fits, a scimType; every error under /scim/ answers in it, in application/scim+json."""

from __future__ import annotations

import json

from flask import Response
from pydantic import ValidationError
from scim2_models import SCIMException

from civicladder.errors import DomainError

MEDIA_TYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"

# The scimType a domain error of each status stands for, when it names none itself.
_SCIM_TYPES = {400: "invalidValue", 409: "uniqueness"}


class ScimError(DomainError):
    """A request SCIM refuses with a status and a scimType (invalidFilter, mutability, ...)."""

    def __init__(self, status: int, message: str, scim_type: str | None = None):
        super().__init__(message)
        self.status = status
        self.scim_type = scim_type


def scim_response(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_response(status: int, detail: str, scim_type: str | None = None) -> Response:
    body = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    headers = {"WWW-Authenticate": 'Bearer realm="CivicLadder SCIM"'} if status == 401 else None
    return scim_response(body, status, headers)


def for_domain_error(error: DomainError) -> Response:
    """A domain error as SCIM says it. A form's 422 is SCIM's 400 invalidValue."""
    status = 400 if error.status == 422 else error.status
    scim_type = getattr(error, "scim_type", None) or _SCIM_TYPES.get(status)
    return error_response(status, error.message, scim_type)


def from_validation(error: ValidationError) -> ScimError:
    """What scim2-models found wrong with a payload, as one refusal: its first scimType (the
    library names one for the SCIM rules it checks), else invalidValue; every fault in words."""
    scim_type = None
    faults = []
    for item in error.errors():
        context = item.get("ctx") or {}
        scim_type = scim_type or context.get("scim_type") or None
        where = ".".join(str(part) for part in item.get("loc", ()) if part != "__root__")
        faults.append(f"{where}: {item.get('msg')}" if where else str(item.get("msg")))
    return ScimError(400, "; ".join(faults)[:1000] or "The payload is not valid.", scim_type)


def from_scim_exception(error: SCIMException) -> ScimError:
    return ScimError(int(error.status), error.detail, error.scim_type or None)
