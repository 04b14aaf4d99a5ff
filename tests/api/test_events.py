"""The changes feed: what each kind of change puts in it, in the order changes became visible,
read a page at a time by cursor, only the kinds a token may read, and kept for a time."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from academy import certificates
from api import events
from api.models import Change
from api.pagination import encode
from autonomy import services as autonomy_services
from civicladder import clock
from civicladder.access import Role
from civicladder.db import db
from civicladder.transaction import unit_of_work
from competencies import services as competency_services
from competencies.models import EvidenceSource
from people import services as people_services
from people.models import Employee, EmployeeStatus
from tests.api.factories import api_token, bearer
from tests.people.test_roster import roster_csv, roster_row

pytestmark = pytest.mark.usefixtures("app_ctx")

ALL_READS = ["events:read", "roster:read", "evidence:read", "levels:read", "training:read"]


@pytest.fixture
def follower(client):
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_token(ALL_READS).secret}"
    return client


def read(client, **query):
    response = client.get("/api/v1/events", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture
def happenings(people, competencies, autonomy, academy, make_user):
    """One of each kind of change, made through the services that make them."""
    hr = make_user({Role.HR})
    skill = competencies.competency(code="SAF-1")
    profile = competencies.job_profile([(skill, 2, 1)])
    track = autonomy.track([profile], [{"requirements": [(skill, 1)]}, {"requirements": []}])
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    department = people.department("Parks > Crews")
    hired = people_services.create_employee(
        hr,
        employee_number="N-100",
        first_name="Ana",
        last_name="Reyes",
        department=department,
        hire_date=date(2026, 11, 2),
        manager=boss,
        job_profile_id=profile.id,
    )
    evidence = competency_services.record_evidence(
        boss_user,
        hired,
        skill,
        level=3,
        observed_on=clock.today(),
        source=EvidenceSource.MANAGER_VALIDATION,
    )
    first = autonomy_services.propose_grant(boss_user, hired, track.levels[0], reason="Ready")
    second = autonomy_services.propose_grant(boss_user, hired, track.levels[1], reason="Ready")
    autonomy_services.lower_grant(boss_user, second, "Outcomes fell short this quarter.")
    enrolment = academy.enrollment(academy.session(days=-10), hired)
    certificate = academy.certificate(enrolment)
    certificates.revoke(hr, certificate, "Issued in error")
    people_services.update_employee(
        hr,
        hired,
        department=department,
        manager=boss,
        bargaining_unit=None,
        job_profile_id=profile.id,
        status=EmployeeStatus.SEPARATED,
        reason="Resigned",
    )
    return {
        "hired": hired,
        "evidence": evidence,
        "first": first,
        "second": second,
        "certificate": certificate,
        "hr": hr,
    }


def test_each_kind_of_change_is_in_the_feed_in_the_order_it_happened(follower, happenings):
    answer = read(follower)
    mine = [item for item in answer["items"] if item["employee_number"] == "N-100"]
    assert [item["kind"] for item in mine] == [
        "employee.hired",
        "evidence.recorded",
        "level.granted",
        "level.granted",
        "level.lowered",
        "certificate.revoked",
        "employee.separated",
    ]
    recorded = mine[1]
    assert recorded["subject_id"] == happenings["evidence"].id
    assert recorded["details"] == {
        "competency": "SAF-1",
        "level": 3,
        "source": "manager_validation",
        "observed_on": clock.today().isoformat(),
    }
    assert mine[2]["details"]["level"] == 1 and mine[2]["details"]["previous_level"] is None
    assert mine[3]["details"]["level"] == 2 and mine[3]["details"]["previous_level"] == 1
    assert mine[4]["subject_id"] == happenings["second"].id
    assert mine[4]["details"]["from_level"] == 2 and mine[4]["details"]["to_level"] == 1
    assert mine[5]["details"]["certificate"] == happenings["certificate"].code
    assert answer["more"] is False and answer["next"] == mine[-1]["cursor"]


def test_a_token_reads_only_the_kinds_its_scopes_allow(client, happenings):
    secret = api_token(["events:read", "roster:read"]).secret
    answer = client.get("/api/v1/events", headers=bearer(secret)).json
    assert {item["kind"] for item in answer["items"]} == {"employee.hired", "employee.separated"}
    refused = client.get(
        "/api/v1/events", query_string={"kinds": "evidence.recorded"}, headers=bearer(secret)
    )
    assert refused.status_code == 403 and "evidence:read" in refused.json["detail"]
    unknown = client.get(
        "/api/v1/events", query_string={"kinds": "employee.promoted"}, headers=bearer(secret)
    )
    assert unknown.status_code == 422 and unknown.json["field"] == "kinds"
    # Without events:read, no kind at all.
    other = client.get("/api/v1/events", headers=bearer(api_token(["roster:read"]).secret))
    assert other.status_code == 403


def test_a_follower_reads_on_from_its_cursor_and_waits_at_the_end(
    follower, happenings, people, make_user
):
    pages, after = [], None
    while True:
        answer = read(follower, limit=2, **({"after": after} if after else {}))
        pages.append([item["kind"] for item in answer["items"]])
        after = answer["next"]
        if not answer["more"]:
            break
    kinds = [kind for page in pages for kind in page]
    assert kinds == [
        "employee.hired",
        "evidence.recorded",
        "level.granted",
        "level.granted",
        "level.lowered",
        "certificate.revoked",
        "employee.separated",
    ]
    assert all(len(page) <= 2 for page in pages)
    # Nothing new: the same cursor comes back, with nothing.
    idle = read(follower, after=after)
    assert idle["items"] == [] and idle["next"] == after and idle["more"] is False
    # A new hire comes next.
    people_services.create_employee(
        make_user({Role.HR}),
        employee_number="N-200",
        first_name="Bo",
        last_name="Lind",
        department=people.department("Parks"),
        hire_date=date(2026, 12, 1),
    )
    following = read(follower, after=after)
    assert [item["employee_number"] for item in following["items"]] == ["N-200"]
    # `latest` starts after everything so far.
    assert read(follower, after="latest") == {
        "items": [],
        "next": following["next"],
        "more": False,
    }


def test_a_change_saved_after_a_read_comes_after_it_whatever_its_id(follower, people):
    """Positions follow the order changes became visible, not their ids: a change whose
    transaction took its id first but committed last still comes after the follower's cursor."""
    early, late = people.employee(), people.employee()
    db.session.execute(
        sa.insert(Change.__table__),
        [
            {
                "id": 900,
                "kind": "employee.hired",
                "employee_id": late.id,
                "occurred_at": clock.now(),
            },
        ],
    )
    first = read(follower)
    assert [item["employee_number"] for item in first["items"]] == [late.employee_number]
    db.session.execute(
        sa.insert(Change.__table__),
        [
            {
                "id": 800,
                "kind": "employee.hired",
                "employee_id": early.id,
                "occurred_at": clock.now(),
            },
        ],
    )
    second = read(follower, after=first["next"])
    assert [item["employee_number"] for item in second["items"]] == [early.employee_number]


def test_a_change_committed_after_a_follower_read_comes_next_with_real_commits(
    real_commits, people, database_url
):
    """Two transactions really at once: the one that took its id first commits last, after a
    follower has read the other. The follower's next read still brings it."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one transaction write at a time: no change can commit late")
    numbers = real_commits.run(lambda: [people.employee().employee_number for _ in range(2)])
    secret = real_commits.run(lambda: api_token(ALL_READS).secret)

    def employee_id(number: str) -> int:
        return db.session.scalar(sa.select(Employee.id).where(Employee.employee_number == number))

    took_its_id, may_commit = threading.Event(), threading.Event()

    def slow_change() -> None:
        with real_commits.app.app_context(), unit_of_work():
            events.on_employee_added(None, employee_ids=[employee_id(numbers[0])])
            db.session.flush()
            took_its_id.set()
            assert may_commit.wait(30)

    slow = threading.Thread(target=slow_change)
    slow.start()
    assert took_its_id.wait(30)
    real_commits.run(lambda: events.on_employee_added(None, employee_ids=[employee_id(numbers[1])]))
    client = real_commits.client()
    first = client.get("/api/v1/events", headers=bearer(secret)).json
    may_commit.set()
    slow.join(30)
    second = client.get(
        "/api/v1/events", query_string={"after": first["next"]}, headers=bearer(secret)
    ).json
    assert [item["employee_number"] for item in first["items"]] == [numbers[1]]
    assert [item["employee_number"] for item in second["items"]] == [numbers[0]]


def test_a_cursor_the_feed_no_longer_holds_is_gone_and_a_foreign_one_refused(app, follower, people):
    people_for = [people.employee() for _ in range(3)]
    old = clock.now() - timedelta(days=app.config["API_CHANGES_KEEP_DAYS"] + 1)
    db.session.execute(
        sa.insert(Change.__table__),
        [
            {"kind": "employee.hired", "employee_id": person.id, "occurred_at": old}
            for person in people_for
        ],
    )
    answer = read(follower, limit=1)
    first_cursor = answer["next"]
    events.seal()
    # The daily job forgets old changes, but never the newest.
    assert events.forget()["forgotten"] == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Change)) == 1
    gone = follower.get("/api/v1/events", query_string={"after": first_cursor})
    assert gone.status_code == 410 and "after=latest" in gone.json["detail"]
    top = read(follower, after="latest")["next"]
    assert read(follower, after=top)["items"] == []
    foreign = follower.get("/api/v1/events", query_string={"after": encode(10**6)})
    assert foreign.status_code == 422 and foreign.json["field"] == "after"


def test_a_page_of_the_feed_costs_the_same_statements_whatever_its_size(
    follower, people, count_queries
):
    db.session.execute(
        sa.insert(Change.__table__),
        [
            {
                "kind": "employee.hired",
                "employee_id": people.employee().id,
                "occurred_at": clock.now(),
            }
            for _ in range(12)
        ],
    )
    read(follower)  # seals
    counts = []
    for limit in (2, 10):
        with count_queries() as statements:
            assert len(read(follower, limit=limit)["items"]) == limit
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_a_roster_import_puts_each_new_employee_in_the_feed(follower, make_user):
    rows = [roster_row(f"R-{n}") for n in range(1, 6)]
    people_services.import_roster(make_user({Role.HR}), roster_csv(*rows))
    hired = [item["employee_number"] for item in read(follower, kinds="employee.hired")["items"]]
    assert sorted(hired) == [f"R-{n}" for n in range(1, 6)]
