"""The home page each role lands on, assembled from the domain packages' panels."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from civicladder import notify
from civicladder.access import SIGNED_IN, public, requires
from civicladder.forms import ConfirmForm
from civicladder.panels import HOME, build_panels

bp = Blueprint("home", __name__)


@bp.get("/")
@requires(SIGNED_IN)
def index():
    return render_template(
        "home.html",
        panels=build_panels(HOME, current_user),
        notifications=notify.unread_for(current_user),
        read_form=ConfirmForm(),
    )


@bp.get("/healthz")
@public
def healthz():
    return {"status": "ok"}
