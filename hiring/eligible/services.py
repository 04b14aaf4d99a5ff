"""Eligible list state changes: a list established when its round completes, and a candidate
taken off a list at their own request."""

from __future__ import annotations

from collections import Counter

from flask_babel import gettext

from civicladder import audit, clock, notify
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, NotFound
from civicladder.languages import N_, written_in
from civicladder.layout import format_date
from civicladder.models import User
from hiring import ranking, rules
from hiring.eligible.models import EligibleList, EligibleListEntry
from hiring.eligible.queries import AVAILABLE, entry_of
from hiring.models import Application, HiringRound

# Kept in English on the entry and in the audit log; translated where it is shown.
TAKEN_OFF = N_("At the candidate's request.")


def establish(actor: User | None, hiring_round: HiringRound) -> EligibleList | None:
    """The list a completing round leaves: every candidate still in the running (assessed or
    shortlisted, not offered the job) and rated qualified or above, in the ranked list's
    order, with the category and preference the round gave them; it lasts the round's
    eligible months from today. None when no such candidate remains."""
    kept = [
        row
        for row in ranking.ranked_list(hiring_round)
        if row.status in AVAILABLE and row.ranked.category != rules.Category.NOT
    ]
    if not kept:
        return None
    today = clock.today()
    listed = EligibleList(
        round_id=hiring_round.id,
        job_profile_id=hiring_round.job_profile_id,
        established_on=today,
        expires_on=rules.add_months(today, hiring_round.eligible_months),
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(listed)
    db.session.flush()
    db.session.add_all(
        EligibleListEntry(
            list_id=listed.id,
            application_id=row.application_id,
            position=position,
            category=row.ranked.category,
            preference=row.ranked.preference,
        )
        for position, row in enumerate(kept, start=1)
    )
    db.session.flush()
    by_category = Counter(row.ranked.category.value for row in kept)
    audit.record(
        actor,
        "eligible_list.established",
        listed,
        after={
            "round_id": hiring_round.id,
            "job_profile_id": hiring_round.job_profile_id,
            "expires_on": listed.expires_on,
            "candidates": dict(by_category),
        },
    )
    return listed


def leave(application: Application) -> EligibleListEntry:
    """The candidate asks to be taken off the list (through their status link): they get no
    more offers from it. Kept on the entry with the moment, and audited."""
    entry = entry_of(application.id)
    if entry is None:
        raise NotFound(gettext("This application is not on an eligible list."))
    # The list's lock: an offer from the list at the same moment waits for this, or this for it.
    listed = locked_get(EligibleList, entry.list_id, gettext("There is no such eligible list."))
    db.session.refresh(entry)
    db.session.refresh(application)
    if entry.removed_at is not None:
        raise Conflict(gettext("You are already off the eligible list."))
    if not listed.is_active(clock.today()):
        raise Conflict(
            gettext(
                "The eligible list expired on %(day)s: it makes no more offers, so there is "
                "nothing to leave.",
                day=format_date(listed.expires_on),
            )
        )
    if application.status not in AVAILABLE:
        raise Conflict(
            gettext(
                "Your application is %(status)s, so it is no longer on offer from the list. If "
                "you have an offer, accept or decline it instead.",
                status=gettext(application.status.label).lower(),
            )
        )
    entry.removed_at = clock.now()
    entry.removal_reason = TAKEN_OFF
    db.session.flush()
    audit.record(
        None,
        "eligible_list.candidate_removed",
        listed,
        after={"application_id": application.id, "candidate_code": application.candidate_code},
        reason=TAKEN_OFF,
    )
    title = application.round.title
    with written_in(application.locale):
        notify.email(
            application.email,
            gettext("You are off the eligible list for %(title)s", title=title),
            gettext(
                "As you asked, your application (%(code)s) is off the eligible list for "
                "%(title)s: the city will make you no offers from it. Thank you for your "
                "interest; the city's other open jobs are on its jobs page.",
                code=application.candidate_code,
                title=title,
            ),
        )
    return entry
