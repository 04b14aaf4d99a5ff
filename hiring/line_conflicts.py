"""Assessors in an internal applicant's reporting line: a manager (direct or further up) never
scores the application of someone who reports to them.

HR cannot put such a manager on the panel once the application is in. An internal application
that arrives after its applicant's manager joined the panel still goes in, as any candidate's
would; that manager is simply never assigned to it (hiring.services._assign_panel reads
`queries.line_conflicts`), keeps assessing everyone else, and HR is told.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString

from civicladder import audit, notify
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict
from civicladder.models import User, UserRole
from hiring import queries, rules
from hiring.models import Application, HiringRound


def check_panel_member(hiring_round: HiringRound, user: User) -> None:
    """Conflict when this person manages an internal applicant already in the round."""
    if queries.line_conflicts(hiring_round.id, user_id=user.id):
        raise Conflict(
            f"{user.full_name} manages an internal applicant to this round (directly or further "
            "up their reporting line), so they cannot sit on its panel. Choose another assessor.",
            field="email",
        )


def keep_line_managers_off(actor: User | None, application: Application) -> None:
    """An internal application whose applicant reports (at any distance) to a panel member:
    it goes in, that assessor will not be assigned to it, and HR hears so.

    The rest of the panel stays as HR set it: the manager still assesses everyone else.
    """
    barred = sorted(
        user_id
        for _, user_id in queries.line_conflicts(
            application.round_id, application_id=application.id
        )
    )
    if not barred:
        return
    audit.record(
        actor,
        "application.line_managers_excluded",
        application,
        after={"assessors_excluded": barred},
    )
    hiring_round = application.round
    subject = _l(
        "%(code)s: a panel member will not assess this application",
        code=application.candidate_code,
    )
    body = _l(
        "Application %(code)s to %(title)s is internal, and %(members)s of the panel the "
        "applicant reports to (directly or further up the line). They will not be assigned to "
        "this application, and still assess the others. It needs %(needed)s assessors from the "
        "rest of the panel.",
        code=application.candidate_code,
        title=hiring_round.title,
        members=_members(len(barred)),
        needed=rules.MIN_ASSESSORS,
    )
    for person in _round_hr(hiring_round):
        notify.notify(person, subject, body, url_for("hiring.round_page", round_id=hiring_round.id))


def _round_hr(hiring_round: HiringRound) -> list[User]:
    """Who in HR hears about a round: whoever opened it, or else every active HR account."""
    creator = (
        db.session.get(User, hiring_round.created_by_id) if hiring_round.created_by_id else None
    )
    if creator is not None and creator.active and creator.has_role(Role.HR):
        return [creator]
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.active.is_(True), User.role_rows.any(UserRole.role == Role.HR))
            .order_by(User.id)
        )
    )


def _members(count: int) -> LazyString:
    """ "one member", "2 members": written in the notice's reader's language."""
    return LazyString(lambda: ngettext("one member", "%(num)d members", count))
