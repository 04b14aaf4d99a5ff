"""The audit log: recorded with every change, searchable, and never editable."""

from datetime import UTC, date, datetime, timedelta

import pytest

from civicladder import audit, clock, services
from civicladder.access import Role
from civicladder.models import AuditEvent


def test_orm_refuses_to_edit_or_delete_an_event(app_ctx, make_user, _transaction):
    user = make_user()
    event = audit.record(user, "test.thing", user)
    _transaction.flush()
    event.action = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        _transaction.flush()
    _transaction.rollback()


def test_audit_log_searches_by_actor_object_action_and_date(client_as, make_user, app):
    admin = make_user({Role.ADMIN}, email="boss@city.test")
    alice = make_user({Role.EMPLOYEE}, email="alice@city.test")
    bob = make_user({Role.EMPLOYEE}, email="bob@city.test")
    with app.test_request_context():
        services.set_roles(admin, alice, {Role.EMPLOYEE, Role.HR})
        services.set_active(admin, bob, False, reason="left the city")
    client = client_as(admin)

    by_object = client.get("/admin/audit?object=alice@city.test").text
    assert '<td data-label="What">Changed roles</td>' in by_object
    assert "Deactivated an account</td>" not in by_object

    by_action = client.get("/admin/audit?action=user.deactivated").text
    assert "left the city" in by_action
    assert "Changed roles</td>" not in by_action

    by_actor = client.get("/admin/audit?actor=boss@").text
    assert "Changed roles</td>" in by_actor and "Deactivated an account</td>" in by_actor

    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    assert "No events match" in client.get(f"/admin/audit?date_from={tomorrow}").text


def test_audit_search_rejects_a_bad_date(client_as):
    response = client_as("admin").get("/admin/audit?date_from=31-31-2026")
    assert response.status_code == 422
    assert "Enter the date as year-month-day, like 2026-03-31 (not 31-31-2026)." in response.text
    impossible = client_as("admin").get("/admin/audit?date_to=2026-02-30")
    assert impossible.status_code == 422
    assert "2026-02-30 is not a real date." in impossible.text


def test_audit_log_page_query_count_does_not_grow(
    client_as, make_user, count_queries, _transaction
):
    admin = make_user({Role.ADMIN})
    client = client_as(admin)
    counts = []
    for extra in (3, 40):
        for _ in range(extra):
            audit.record(admin, "test.bulk", admin, after={"n": extra})
        _transaction.flush()
        with count_queries() as statements:
            assert client.get("/admin/audit").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_record_keeps_before_after_and_reason(app_ctx, make_user, _transaction):
    user = make_user()
    event = audit.record(
        user, "thing.changed", user, before={"a": 1}, after={"a": 2}, reason="because"
    )
    _transaction.flush()
    stored = _transaction.get(AuditEvent, event.id)
    assert (stored.before, stored.after, stored.reason) == ({"a": 1}, {"a": 2}, "because")
    assert stored.actor_label == user.email
    assert stored.occurred_at.tzinfo is not None


# --- searching: wildcards, dates in the display time zone ---------------------------------


def _event_at(actor, when, action="test.timed", obj=None):
    event = audit.record(actor, action, obj if obj is not None else actor)
    event.occurred_at = when
    return event


def test_audit_actor_search_takes_underscore_and_percent_literally(client_as, make_user):
    admin = make_user({Role.ADMIN}, email="admin@city.test")
    under = make_user(email="a_b@city.test")
    plain = make_user(email="axb@city.test")
    percent = make_user(email="pct%x@city.test")
    for user in (under, plain, percent):
        audit.record(user, f"test.by_{user.id}", user)
    client = client_as(admin)
    underscore = client.get("/admin/audit", query_string={"actor": "a_b"}).text
    # An action nobody described reads as its own words: "test.by_7" is "Test by 7".
    assert f"Test by {under.id}<" in underscore
    assert f"Test by {plain.id}<" not in underscore
    by_percent = client.get("/admin/audit", query_string={"actor": "%"}).text
    assert f"Test by {percent.id}<" in by_percent
    assert f"Test by {plain.id}<" not in by_percent and f"Test by {under.id}<" not in by_percent


def test_audit_dates_are_days_in_the_display_time_zone(client_as, make_user, app, monkeypatch):
    monkeypatch.setitem(app.config, "DISPLAY_TIMEZONE", "America/New_York")
    admin = make_user({Role.ADMIN})
    # 23:30 on 15 January in New York is 04:30 UTC on the 16th.
    _event_at(admin, datetime(2026, 1, 16, 4, 30, tzinfo=UTC), action="test.late_evening")
    client = client_as(admin)
    on_the_15th = client.get("/admin/audit?date_from=2026-01-15&date_to=2026-01-15").text
    assert "Test late evening" in on_the_15th
    on_the_16th = client.get("/admin/audit?date_from=2026-01-16&date_to=2026-01-16").text
    assert "Test late evening" not in on_the_16th


@pytest.mark.parametrize(
    "query, finds_today",
    [
        ("date_to=9999-12-31", True),
        ("date_from=9999-12-31", False),
        ("date_from=0001-01-01", True),
        ("date_to=0001-01-01", False),
        ("date_from=0001-01-01&date_to=9999-12-31", True),
    ],
)
def test_audit_search_takes_the_extreme_dates(client_as, make_user, query, finds_today):
    admin = make_user({Role.ADMIN})
    audit.record(admin, "test.today", admin)
    response = client_as(admin).get(f"/admin/audit?{query}")
    assert response.status_code == 200
    assert ("Test today" in response.text) is finds_today


def test_audit_dates_at_the_ends_of_time_in_a_zone_east_of_utc(app_ctx, make_user):
    from zoneinfo import ZoneInfo

    from civicladder import querying

    tokyo = ZoneInfo("Asia/Tokyo")
    assert querying.start_of_day(date(1, 1, 1), tokyo) is None  # before datetime's first instant
    assert querying.within_days(AuditEvent.occurred_at, date(1, 1, 1), date.max, tokyo) == []


# --- what an administrator reads -----------------------------------------------------------


@pytest.fixture
def evidence_event(app, make_user, people, competencies):
    """HR records evidence for an employee with an account: an audit event and an email."""
    from competencies import services as competency_services

    hr = make_user({Role.HR})
    person, person_user = people.employee_user(first_name="Pat", last_name="Private")
    skill = competencies.competency(code="CONFIDENTIAL-1", name="Conflict resolution")
    with app.test_request_context():
        competency_services.record_evidence(
            hr, person, skill, level=4, observed_on=date(2025, 5, 1), note="Handled a crisis"
        )
    return {"person": person, "user": person_user}


def test_admin_audit_log_hides_details_of_employees_competency_records(client_as, evidence_event):
    client = client_as("admin")
    page = client.get("/admin/audit").text
    assert "Recorded competency evidence</td>" in page and "Competency evidence, record" in page
    assert "Not shown" in page
    assert "CONFIDENTIAL-1" not in page and "Pat Private" not in page
    assert '"level"' not in page


def test_admin_cannot_find_hidden_details_by_searching(client_as, evidence_event):
    client = client_as("admin")
    for text in ("CONFIDENTIAL", "Private", "level 4"):
        page = client.get("/admin/audit", query_string={"object": text}).text
        assert "Recorded competency evidence</td>" not in page, text
    by_type = client.get("/admin/audit", query_string={"object": "CompetencyEvidence"}).text
    assert "Recorded competency evidence</td>" in by_type


def test_admin_home_recent_events_hide_competency_records(client_as, evidence_event):
    page = client_as("admin").get("/").text
    assert "Recorded competency evidence</td>" in page
    assert "CONFIDENTIAL-1" not in page and "Pat Private" not in page


def test_admin_audit_log_keeps_details_of_user_accounts(client_as, make_user, app):
    admin = make_user({Role.ADMIN})
    target = make_user({Role.EMPLOYEE}, email="carol@city.test")
    with app.test_request_context():
        services.set_roles(admin, target, {Role.EMPLOYEE, Role.MANAGER}, "runs a team now")
    page = client_as(admin).get("/admin/audit").text
    assert "carol@city.test" in page and "runs a team now" in page and "manager" in page


def test_admin_outbox_shows_recipient_subject_and_status_but_not_the_body(
    client_as, evidence_event, app
):
    from civicladder import transaction

    with app.test_request_context():
        transaction.commit()
    page = client_as("admin").get("/admin/outbox").text
    assert evidence_event["user"].email in page
    assert "New competency evidence: Conflict resolution" in page
    assert "Waiting to be sent" in page
    assert "at level" not in page and "Advanced" not in page
