"""The API's reference page: its OpenAPI document, readable (Swagger UI, served from static/)."""

from __future__ import annotations

from flask import Blueprint, render_template

from civicladder.access import public

bp = Blueprint("api_reference", __name__)


@bp.get("/api/v1/docs")
@public
def reference():
    return render_template("api/reference.html")
