"""The home page each role lands on, assembled from the domain packages' panels."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from civicladder import caching, notify
from civicladder.access import SIGNED_IN, public, requires
from civicladder.forms import ConfirmForm
from civicladder.panels import HOME, render_panels

bp = Blueprint("home", __name__)


@bp.get("/")
@requires(SIGNED_IN)
@caching.kept_page
def index():
    # The panels are the page's costly part: kept per reader until something they show changes
    # (`caching.part`). Notifications come after them, so a new notice alone leaves them kept.
    panels = caching.part("home", current_user.id, lambda: render_panels(HOME, current_user))
    return render_template(
        "home.html",
        panels=panels,
        notifications=notify.unread_for(current_user),
        read_form=ConfirmForm(),
    )


@bp.get("/healthz")
@public
def healthz():
    return {"status": "ok"}
