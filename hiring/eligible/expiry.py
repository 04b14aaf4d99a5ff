"""Changing how long an eligible list lasts after its round: HR extends or shortens it, with a
reason, within the law's bounds, and the candidates still on it are told in their language.

A list lasts at most `LONGEST_MONTHS` from the day it was established (the longest a round may
set at opening), and no change reaches back before today: setting today as its last day closes
it at the end of the day. An expired list is kept for the record and is not revived: a
vacancy after it needs a new round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext

from civicladder import audit, clock, notify
from civicladder.access import Role, require_role
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, Invalid
from civicladder.languages import N_, written_in
from civicladder.layout import format_date
from civicladder.models import User
from hiring import rules
from hiring.eligible.models import LONGEST_MONTHS, EligibleList, EligibleListEntry
from hiring.eligible.queries import AVAILABLE
from hiring.models import Application

REASON_MAX = 2000

# Told to each candidate still available on the list, in the language they applied in.
EXTENDED = (
    N_("The eligible list for %(title)s now lasts until %(expires)s"),
    N_(
        "The city has extended the eligible list for %(title)s, on which you are (application "
        "%(code)s): it now lasts until %(expires)s instead of %(was)s. Until then the city may "
        "offer you a job from it, in the order of the ranking. Keep your status link: offers "
        "are answered there, and there you can ask to be taken off the list."
    ),
)
SHORTENED = (
    N_("The eligible list for %(title)s now ends on %(expires)s"),
    N_(
        "The city has shortened the eligible list for %(title)s, on which you are (application "
        "%(code)s): it now ends on %(expires)s instead of %(was)s. Until the end of that day the "
        "city may still offer you a job from it; after it, the list makes no more offers, and "
        "to be considered for a job like it you would apply again. The city's open jobs are on "
        "its jobs page."
    ),
)


@dataclass(frozen=True)
class ExpiryChange:
    """A change HR asks for, checked: the list (locked), its last day now and the new one, and
    how many candidates still on it will be told."""

    listed: EligibleList
    old: date
    new: date
    reason: str
    candidates: int

    @property
    def shortened(self) -> bool:
        return self.new < self.old

    @property
    def closes_today(self) -> bool:
        return self.new == clock.today()


def latest_expiry(listed: EligibleList) -> date:
    """The last day a list may be given: `LONGEST_MONTHS` after it was established."""
    return rules.add_months(listed.established_on, LONGEST_MONTHS)


def _new_expiry(listed: EligibleList, months: int | None, expires_on: date | None) -> date:
    if months is None and expires_on is None:
        raise Invalid(
            gettext(
                "Give the list's new last day, as a number of months from its establishment "
                "or as a date."
            ),
            field="months",
        )
    if months is not None and expires_on is not None:
        raise Invalid(
            gettext("Give the months or a date, not both."),
            field="expires_on",
        )
    if expires_on is not None:
        return expires_on
    if not 1 <= months <= LONGEST_MONTHS:
        raise Invalid(
            gettext(
                "A list lasts between 1 and %(most)s months from its establishment.",
                most=LONGEST_MONTHS,
            ),
            field="months",
        )
    return rules.add_months(listed.established_on, months)


def check_change(
    actor: User | None,
    listed: EligibleList,
    *,
    reason: str,
    months: int | None = None,
    expires_on: date | None = None,
) -> ExpiryChange:
    """Every rule a change of the list's last day must meet (raising the first it breaks),
    without making it: the list still active, a reason, one new last day, from today to
    `LONGEST_MONTHS` after establishment, and not the one it has."""
    require_role(actor, Role.HR)
    # The list's lock: an offer from it, or a candidate leaving it, waits for the change.
    listed = locked_get(EligibleList, listed.id, gettext("There is no such eligible list."))
    today = clock.today()
    if not listed.is_active(today):
        raise Conflict(
            gettext(
                "This eligible list expired on %(day)s. It is kept for the record and cannot "
                "be extended or shortened: open a new round for a vacancy.",
                day=format_date(listed.expires_on),
            )
        )
    field = "expires_on" if expires_on is not None else "months"
    new = _new_expiry(listed, months, expires_on)
    if new < today:
        raise Invalid(
            gettext(
                "The new last day cannot be before today (%(today)s). Give today to close the "
                "list at the end of the day.",
                today=format_date(today),
            ),
            field=field,
        )
    if new > latest_expiry(listed):
        raise Invalid(
            gettext(
                "A list lasts at most %(most)s months from its establishment: its last day can "
                "be %(latest)s at the latest.",
                most=LONGEST_MONTHS,
                latest=format_date(latest_expiry(listed)),
            ),
            field=field,
        )
    if new == listed.expires_on:
        raise Invalid(
            gettext("The list already ends on %(day)s.", day=format_date(new)), field=field
        )
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(
            gettext("Give the reason for the change: it is kept in the audit log."),
            field="reason",
        )
    if len(reason) > REASON_MAX:
        raise Invalid(gettext("Keep the reason under 2,000 characters."), field="reason")
    return ExpiryChange(listed, listed.expires_on, new, reason, len(_still_on(listed.id)))


def change_expiry(
    actor: User | None,
    listed: EligibleList,
    *,
    reason: str,
    months: int | None = None,
    expires_on: date | None = None,
) -> ExpiryChange:
    """Give the list a new last day (HR, with a reason), audited with the old and the new;
    each candidate still available on it is emailed the change in their language. Returns the
    change made (the list, its old and new last day, the candidates told)."""
    change = check_change(actor, listed, reason=reason, months=months, expires_on=expires_on)
    listed = change.listed
    listed.expires_on = change.new
    db.session.flush()
    told = _tell(listed, change)
    audit.record(
        actor,
        "eligible_list.expiry_changed",
        listed,
        before={"expires_on": change.old},
        after={"expires_on": change.new, "told": told},
        reason=change.reason,
    )
    return change


def _still_on(list_id: int) -> list[tuple[str, str, str | None]]:
    """(email, candidate code, language) of each candidate the list may still offer a job
    (not taken off it, not offered, hired, declined or withdrawn since): one query."""
    return db.session.execute(
        sa.select(Application.email, Application.candidate_code, Application.locale)
        .join(EligibleListEntry, EligibleListEntry.application_id == Application.id)
        .where(
            EligibleListEntry.list_id == list_id,
            EligibleListEntry.removed_at.is_(None),
            Application.status.in_(AVAILABLE),
        )
        .order_by(EligibleListEntry.position)
    ).all()


def _tell(listed: EligibleList, change: ExpiryChange) -> int:
    subject, body = SHORTENED if change.shortened else EXTENDED
    title = listed.round.title
    jobs_page = url_for("hiring.jobs")
    messages = []
    for email, code, locale in _still_on(listed.id):
        with written_in(locale):
            words = {
                "title": title,
                "code": code,
                "expires": format_date(change.new),
                "was": format_date(change.old),
            }
            text = notify.email_body(gettext(body, **words), jobs_page)
            messages.append((email, gettext(subject, **words), text))
    return notify.email_many(messages)
