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
from flask_babel import gettext, ngettext

from civicladder import audit, notify
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict
from civicladder.languages import written_in
from civicladder.models import User, UserRole
from hiring import queries, rules
from hiring.models import Application, HiringRound


def check_panel_member(hiring_round: HiringRound, user: User) -> None:
    """Conflict when this person manages an internal applicant already in the round."""
    if queries.line_conflicts(hiring_round.id, user_id=user.id):
        raise Conflict(
            gettext(
                "%(name)s manages an internal applicant to this round (directly or further up "
                "their reporting line), so they cannot sit on its panel. Choose another assessor.",
                name=user.full_name,
            ),
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
    link = url_for("hiring.round_page", round_id=hiring_round.id)
    for person in _round_hr(hiring_round):
        # Each reads it in their own language.
        with written_in(person.locale):
            code = application.candidate_code
            subject = gettext(
                "%(code)s: a panel member will not assess this application", code=code
            )
            body = (
                ngettext(
                    "Application %(code)s to %(title)s is internal, and one member of the panel "
                    "the applicant reports to (directly or further up the line).",
                    "Application %(code)s to %(title)s is internal, and %(num)s members of the "
                    "panel the applicant reports to (directly or further up the line).",
                    len(barred),
                    code=code,
                    title=hiring_round.title,
                )
                + " "
                + gettext(
                    "They will not be assigned to this application, and still assess the others. "
                    "It needs %(num)s assessors from the rest of the panel.",
                    num=rules.MIN_ASSESSORS,
                )
            )
            notify.notify(person, subject, body, link)


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
