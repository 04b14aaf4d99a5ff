"""Session calendar files, read back with the icalendar library: the event in the city's time
zone under one UID, its SEQUENCE raised when HR moves the session, and the same event taken
back (METHOD CANCEL, a higher SEQUENCE) when the session is cancelled or a place withdrawn."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parseaddr

import icalendar
import pytest
import sqlalchemy as sa

from academy import enrolment, services
from academy.models import CourseSession
from academy.models import EnrollmentStatus as S
from civicladder import clock
from civicladder.db import db
from civicladder.models import AuditEvent, Notification


@pytest.fixture
def booked(people, academy):
    """A session of "Budget basics, part 1" next week in Room 1; Ana holds a seat, Ben waits."""
    session = academy.session(academy.course(title="Budget basics, part 1"), capacity=1)
    ana, ana_user = people.employee_user(first_name="Ana")
    ben, ben_user = people.employee_user(first_name="Ben")
    seat = academy.enrollment(session, ana)
    waiting = academy.enrollment(session, ben, S.WAITLISTED)
    return {
        "session": session,
        "ana": ana_user,
        "ben": ben_user,
        "seat": seat,
        "waiting": waiting,
    }


def _calendar(client, session) -> icalendar.Calendar:
    response = client.get(f"/academy/sessions/{session.id}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(response.data)


def _event(calendar: icalendar.Calendar) -> icalendar.Event:
    (event,) = calendar.walk("VEVENT")
    return event


def _notices(user, prefix: str) -> list[Notification]:
    return [
        n
        for n in db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id))
        if n.subject.startswith(prefix)
    ]


def test_the_file_is_the_event_in_the_city_time_zone_under_a_stable_uid(app, booked, client_as):
    session = booked["session"]
    calendar = _calendar(client_as(booked["ana"]), session)
    zone = app.config["DISPLAY_TIMEZONE"]
    assert calendar["METHOD"] == "PUBLISH"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == [zone]
    event = _event(calendar)
    assert event["UID"] == f"course-session-{session.id}@{app.config['PUBLIC_URL'].split('//')[1]}"
    assert event["SEQUENCE"] == 0 and event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == "Budget basics, part 1" and event["LOCATION"] == "Room 1"
    assert str(event["ORGANIZER"]) == "mailto:" + parseaddr(app.config["MAIL_FROM"])[1]
    assert event["DTSTART"].params["TZID"] == zone
    # Calendars keep whole seconds.
    assert event.start == session.starts_at.replace(microsecond=0)
    assert str(event.start.tzinfo) == zone
    assert event.end == session.ends_at.replace(microsecond=0)
    # Anyone signed in may add the session to their calendar: the same event, the same UID.
    assert _event(_calendar(client_as("employee"), session))["UID"] == event["UID"]


def test_moving_the_session_raises_the_sequence_and_tells_people_with_the_new_file(
    app, booked, client_as, people
):
    session = booked["session"]
    client = client_as(booked["ana"])
    before = _event(_calendar(client, session))
    hr = client_as("hr").user
    later = (session.starts_at + timedelta(days=2)).replace(microsecond=0)
    with app.test_request_context():
        services.update_session(
            hr,
            session,
            starts_at=later,
            ends_at=later + timedelta(hours=3),
            capacity=1,
            location="Room 1",
        )
    moved = _event(_calendar(client, session))
    assert moved["UID"] == before["UID"] and moved["SEQUENCE"] == 1
    assert moved.start == later
    (notice,) = _notices(booked["ana"], "Changed:")
    assert notice.link.endswith(f"/academy/sessions/{session.id}/calendar.ics")
    assert "replaces the entry in your calendar" in notice.body

    # A new instructor changes neither time nor place: calendars are not asked to update.
    teacher = people.employee()
    with app.test_request_context():
        services.update_session(
            hr,
            session,
            starts_at=later,
            ends_at=later + timedelta(hours=3),
            capacity=1,
            location="Room 1",
            instructor=teacher,
        )
    assert _event(_calendar(client, session))["SEQUENCE"] == 1


def test_a_withdrawn_place_gets_the_cancellation_of_the_same_event(app, booked, client_as):
    session = booked["session"]
    ana = client_as(booked["ana"])
    uid = _event(_calendar(ana, session))["UID"]
    hr = client_as("hr").user
    with app.test_request_context():
        enrolment.withdraw(hr, booked["seat"], reason="Needed on site that week")

    cancelled = _calendar(ana, session)
    assert cancelled["METHOD"] == "CANCEL"
    event = _event(cancelled)
    assert event["UID"] == uid and event["SEQUENCE"] == 1 and event["STATUS"] == "CANCELLED"
    (notice,) = _notices(booked["ana"], "Withdrawn:")
    assert "Needed on site that week." in notice.body
    assert notice.link.endswith(f"/academy/sessions/{session.id}/calendar.ics")
    assert "Take it out of your calendar" in ana.get(f"/academy/sessions/{session.id}").text

    # Ben took the freed seat: his file is still the event itself.
    ben = _calendar(client_as(booked["ben"]), session)
    assert ben["METHOD"] == "PUBLISH" and _event(ben)["SEQUENCE"] == 0
    assert _notices(booked["ben"], "Withdrawn:") == []


def test_hr_cancels_a_session_after_confirming_and_everyone_on_it_is_told(booked, client_as):
    session = booked["session"]
    hr = client_as("hr")
    url = f"/academy/sessions/{session.id}/cancel"
    page = hr.get(url)
    assert page.status_code == 200 and "1 person has a seat and 1 is waiting" in page.text
    refused = hr.post(url, data={"reason": "  "})
    assert refused.status_code == 422 and not db.session.get(CourseSession, session.id).cancelled

    assert hr.post(url, data={"reason": "The instructor is ill."}).status_code == 302
    found = db.session.get(CourseSession, session.id)
    assert found.cancelled and found.enrolled == 0 and found.calendar_sequence == 1
    assert booked["seat"].status == S.WITHDRAWN and booked["waiting"].status == S.WITHDRAWN
    (event,) = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "course_session.cancelled")
    ).all()
    assert event.reason == "The instructor is ill." and event.after["places_withdrawn"] == 2
    for user in (booked["ana"], booked["ben"]):
        (notice,) = _notices(user, "Cancelled:")
        assert "The instructor is ill." in notice.body
        calendar = _calendar(client_as(user), session)
        assert calendar["METHOD"] == "CANCEL"
        assert _event(calendar)["SEQUENCE"] == 1 and _event(calendar)["STATUS"] == "CANCELLED"
    # Someone who never had a place is also told the event is off.
    assert _calendar(client_as("employee"), session)["METHOD"] == "CANCEL"

    again = hr.post(url, data={"reason": "Twice"})
    assert again.status_code == 422 and "already cancelled" in again.text
    asked = client_as(booked["ana"]).post(f"/academy/sessions/{session.id}/request")
    assert asked.status_code == 422 and "was cancelled" in asked.text


def test_a_started_session_cannot_be_cancelled(client_as, academy):
    session = academy.session(days=-1)
    response = client_as("hr").post(
        f"/academy/sessions/{session.id}/cancel", data={"reason": "Too late"}
    )
    assert response.status_code == 422 and "has started" in response.text
    assert not db.session.get(CourseSession, session.id).cancelled


def test_the_time_zone_follows_the_city_setting(app, academy, client_as, monkeypatch):
    monkeypatch.setitem(app.config, "DISPLAY_TIMEZONE", "America/Los_Angeles")
    starts = datetime(2031, 7, 1, 16, 0, tzinfo=clock.now().tzinfo)
    session = academy.session()
    session.starts_at, session.ends_at = starts, starts + timedelta(hours=2)
    db.session.flush()
    calendar = _calendar(client_as("employee"), session)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Los_Angeles"]
    event = _event(calendar)
    assert event["DTSTART"].params["TZID"] == "America/Los_Angeles"
    assert event.start.hour == 9 and event.start == starts  # 16:00 UTC is 09:00 PDT
