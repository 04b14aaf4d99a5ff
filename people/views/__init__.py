"""People pages: one blueprint, its routes in modules by who uses them.

- `directory`: the workforce directory and its CSV (HR and managers), and employee profiles
  (anyone signed in, for the people they may see);
- `hr`: employee records, roster import and invitations for imported employees (HR);
- `accounts`: user accounts, roles and bargaining units represented (the administrator);
- `learner_record`: a person's learner record, signed and as a PDF (the person, and HR);
- `home`: the home page's panels (a manager's team, HR's workforce, a union rep's units) and
  the "My profile" link.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("people", __name__)


# The modules add their routes to the blueprint.
from people.views import accounts, directory, home, hr, learner_record  # noqa: E402, F401
