"""A session's calendar file (iCalendar, RFC 5545), written with the icalendar library: the
event in the city's time zone (with its VTIMEZONE), under one UID for the life of the session,
its SEQUENCE raised each time HR moves it; and the cancellation of that same event (METHOD
CANCEL, a higher SEQUENCE) for a cancelled session or a place given up."""

from __future__ import annotations

from datetime import date
from email.utils import parseaddr

import icalendar
from flask import current_app, url_for

from academy.models import CourseSession, Enrollment, EnrollmentStatus
from civicladder import clock, querying

PRODID = "-//CivicLadder//Academy//EN"
# A place in these states is no longer held: the person's calendar entry is taken back.
GIVEN_UP = (EnrollmentStatus.WITHDRAWN, EnrollmentStatus.DECLINED)


def uid(session: CourseSession) -> str:
    """The event's UID: the same for every file of the session, whatever changes in it."""
    host = current_app.config["PUBLIC_URL"].split("//", 1)[-1].split("/", 1)[0] or "civicladder"
    return f"course-session-{session.id}@{host}"


def is_cancellation(session: CourseSession, mine: Enrollment | None) -> bool:
    """Whether the file for this person takes the event back: the session was cancelled, or
    the place they had in it was given up."""
    return session.cancelled or (mine is not None and mine.status in GIVEN_UP)


def session_ics(session: CourseSession, mine: Enrollment | None = None) -> bytes:
    """The session's calendar file for a person (`mine`: their place in it, if any)."""
    cancel = is_cancellation(session, mine)
    # A cancelled session's own SEQUENCE was raised when it was cancelled; a place given up
    # is one step past the last event its holder was sent.
    sequence = session.calendar_sequence + (1 if cancel and not session.cancelled else 0)
    zone = querying.display_zone()
    starts = session.starts_at.astimezone(zone)
    event = icalendar.Event.new(
        uid=uid(session),
        sequence=sequence,
        stamp=clock.now(),
        start=starts,
        end=session.ends_at.astimezone(zone),
        summary=session.course.title,
        location=session.location or session.online_url or None,
        description=f"{session.course.code} {session.course.title}",
        url=url_for("academy.session", session_id=session.id, _external=True),
        status=icalendar.STATUS.CANCELLED if cancel else icalendar.STATUS.CONFIRMED,
        organizer=_organizer(),
    )
    calendar = icalendar.Calendar.new(
        prodid=PRODID, method="CANCEL" if cancel else "PUBLISH", subcomponents=[event]
    )
    # The zone's rules around the session only: a few years of transitions, not a century.
    calendar.add_missing_timezones(
        first_date=date(starts.year - 1, 1, 1), last_date=date(starts.year + 2, 1, 1)
    )
    return calendar.to_ical()


def _organizer() -> icalendar.vCalAddress:
    """The academy's sender address: iTIP asks a published or cancelled event for an organizer,
    and some calendars match a cancellation to its event by it."""
    name, address = parseaddr(current_app.config["MAIL_FROM"])
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    if name:
        organizer.params["CN"] = name
    return organizer


def filename(session: CourseSession, mine: Enrollment | None = None) -> str:
    kind = "cancelled" if is_cancellation(session, mine) else "session"
    return f"{kind}-{session.id}.ics"
