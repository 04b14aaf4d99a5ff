"""The discretion check through the API: the answer for each state a person can be in, the
problems a caller gets for a wrong request, the tokens that let a caller in, and the answers
kept for the supervision."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from api import tokens
from autonomy import discretion, eligibility
from autonomy.models import DiscretionCheck, GrantStatus
from civicladder import clock
from civicladder.db import db
from civicladder.models import AuditEvent
from people.models import EmployeeStatus
from tests.api.factories import api_token, bearer

pytestmark = pytest.mark.usefixtures("app_ctx")

CHECK = "/api/v1/discretion/check"
BATCH = "/api/v1/discretion/checks"
DAY = date(2026, 6, 30)


@pytest.fixture
def crew(people, competencies, autonomy, on_day):
    """A two-level track: level 1 may waive a fee up to 250 USD, level 2 up to 1,000 USD and
    close a complaint without sign-off. One person holds each level (granted this year, review
    not due); one holds nothing; one has left."""
    on_day(DAY)
    skill = competencies.competency()
    profile = competencies.job_profile([(skill, 2, 1)])
    track = autonomy.track(
        [profile],
        [
            {
                "requirements": [(skill, 2)],
                "name": "Counter clerk",
                "discretion": [("waive-fee", "May waive a late fee", 250, "USD")],
            },
            {
                "requirements": [(skill, 3)],
                "name": "Senior clerk",
                "discretion": [
                    ("waive-fee", "May waive a late fee", 1000, "USD"),
                    ("close-complaint", "May close a complaint without sign-off"),
                ],
            },
        ],
    )
    first, second = track.levels
    junior = people.employee(job_profile=profile, employee_number="C-100")
    competencies.evidence(junior, skill, 2)
    autonomy.grant(junior, first, effective_on=date(2026, 1, 1))
    senior = people.employee(job_profile=profile, employee_number="C-200")
    competencies.evidence(senior, skill, 3)
    autonomy.grant(senior, second, effective_on=date(2026, 1, 1))
    nobody = people.employee(job_profile=profile, employee_number="C-300")
    gone = people.employee(
        job_profile=profile, employee_number="C-400", status=EmployeeStatus.SEPARATED
    )
    autonomy.grant(gone, second, effective_on=date(2026, 1, 1))
    db.session.flush()
    return {
        "skill": skill,
        "junior": junior,
        "senior": senior,
        "nobody": nobody,
        "gone": gone,
        "first": first,
        "second": second,
        "token": api_token(["discretion:check"]),
    }


@pytest.fixture
def caller(client, crew):
    client.environ_base.update({"HTTP_AUTHORIZATION": f"Bearer {crew['token'].secret}"})
    return client


def _ask(caller, **query):
    return caller.get(CHECK, query_string=query)


def test_a_person_within_their_limit_may_act_and_is_told_why(caller, crew):
    response = _ask(caller, employee="C-100", item="waive-fee", amount="120.50")
    assert response.status_code == 200
    answer = response.json
    assert answer["allowed"] is True and answer["outcome"] == "allowed"
    assert answer["employee"] == "C-100" and answer["amount"] == 120.5
    assert answer["item"] == {
        "key": "waive-fee",
        "words": "May waive a late fee",
        "limit": 250.0,
        "unit": "USD",
    }
    assert answer["level"] == {
        "id": crew["first"].id,
        "track": crew["first"].track.name,
        "rank": 1,
        "name": "Counter clerk",
        "version": 1,
    }
    assert answer["grant"]["under_review"] is False and answer["grant"]["review_reasons"] == []
    assert answer["reference"].startswith("dc_")


def test_the_limit_is_the_one_of_the_level_held(caller):
    at_limit = _ask(caller, employee="C-100", item="waive-fee", amount="250").json
    over = _ask(caller, employee="C-100", item="waive-fee", amount="250.01").json
    senior = _ask(caller, employee="C-200", item="waive-fee", amount="250.01").json
    assert at_limit["allowed"] is True
    assert over["allowed"] is False and over["outcome"] == "over-limit"
    assert over["reason"] == "The amount is over the limit of 250 USD at level 1, Counter clerk."
    assert senior["allowed"] is True and senior["item"]["limit"] == 1000.0


def test_an_item_with_a_limit_is_not_answered_without_the_amount(caller):
    response = _ask(caller, employee="C-100", item="waive-fee")
    assert response.status_code == 422
    assert response.json["field"] == "amount"
    assert "250 USD" in response.json["detail"]
    # An item without a limit needs none.
    assert _ask(caller, employee="C-200", item="close-complaint").json["allowed"] is True


@pytest.mark.parametrize(
    ("employee", "outcome"),
    [("C-100", "not-in-level"), ("C-300", "no-level"), ("C-400", "separated")],
)
def test_who_may_not_act_is_told_why(caller, employee, outcome):
    answer = _ask(caller, employee=employee, item="close-complaint").json
    assert answer["allowed"] is False and answer["outcome"] == outcome
    assert answer["reason"] == discretion.OUTCOMES[outcome]
    assert (answer["level"] is None) == (outcome != "not-in-level")


def test_a_proposed_or_lowered_level_allows_nothing(caller, crew, autonomy):
    autonomy.grant(crew["nobody"], crew["second"], status=GrantStatus.PROPOSED)
    assert _ask(caller, employee="C-300", item="close-complaint").json["outcome"] == "no-level"


def test_a_level_due_for_review_still_allows_and_says_so(caller, crew, on_day):
    on_day(date(2027, 1, 1))  # the grant of 2026-01-01 is reviewed a year on
    answer = _ask(caller, employee="C-200", item="close-complaint").json
    assert answer["allowed"] is True and answer["outcome"] == "allowed-under-review"
    assert answer["grant"]["review_reasons"] == ["its review was due on 2027-01-01"]


def test_a_level_whose_requirements_lapsed_still_allows_and_says_so(caller, crew, competencies):
    from competencies.models import CompetencyEvidence

    db.session.execute(
        sa.update(CompetencyEvidence)
        .where(CompetencyEvidence.employee_id == crew["senior"].id)
        .values(expires_on=date(2026, 3, 1))
    )
    eligibility.refresh([crew["senior"].id])
    answer = _ask(caller, employee="C-200", item="close-complaint").json
    assert answer["outcome"] == "allowed-under-review"
    assert answer["grant"]["review_reasons"] == ["some of its requirements are no longer met"]


def test_keys_and_numbers_are_read_as_people_type_them(caller):
    answer = _ask(caller, employee=" C-200 ", item="Close-Complaint").json
    assert answer["employee"] == "C-200" and answer["item_key"] == "close-complaint"


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"employee": "C-999", "item": "waive-fee", "amount": "1"}, 404, "employee"),
        ({"employee": "C-100", "item": "wave-fee", "amount": "1"}, 422, "item"),
        ({"employee": "C-100", "item": "waive-fee", "amount": "a lot"}, 422, "amount"),
        ({"employee": "C-100", "item": "waive-fee", "amount": "-5"}, 422, "amount"),
        ({"item": "waive-fee"}, 422, "employee"),
    ],
)
def test_a_wrong_request_is_a_problem_naming_the_field(caller, query, status, field):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(DiscretionCheck))
    response = caller.get(CHECK, query_string=query)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status and response.json["field"] == field
    assert response.json["detail"]
    after = db.session.scalar(sa.select(sa.func.count()).select_from(DiscretionCheck))
    assert after == before


# --- tokens --------------------------------------------------------------------------------------


def test_without_a_token_the_caller_is_asked_for_one(client, crew):
    response = client.get(CHECK, query_string={"employee": "C-200", "item": "close-complaint"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.mimetype == "application/problem+json"


def test_a_signed_in_person_is_not_an_api_client(client_as, crew):
    page = client_as("admin").get(CHECK, query_string={"employee": "C-200", "item": "x"})
    assert page.status_code == 401


def test_a_token_without_the_scope_is_refused(client, crew):
    other = api_token(["roster:read"])
    response = client.get(
        CHECK,
        query_string={"employee": "C-200", "item": "close-complaint"},
        headers=bearer(other.secret),
    )
    assert response.status_code == 403
    assert "discretion:check" in response.json["detail"]


def test_a_revoked_expired_or_disabled_token_stops_working(client, crew, monkeypatch):
    query = {"employee": "C-200", "item": "close-complaint"}

    def status(secret):
        return client.get(CHECK, query_string=query, headers=bearer(secret)).status_code

    revoked, expiring, disabled = api_token(), api_token(days=1), api_token()
    assert {status(t.secret) for t in (revoked, expiring, disabled)} == {200}
    tokens.revoke_token(None, revoked.token, "left the vendor")
    disabled.token.client.disabled_at = clock.now()
    db.session.flush()
    later = clock.now() + timedelta(days=1, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert status(revoked.secret) == 401
    assert status(expiring.secret) == 401
    assert status(disabled.secret) == 401
    assert status(revoked.secret[:-1] + "x") == 401
    assert status(crew["token"].secret) == 200


def test_issuing_and_revoking_tokens_are_audited_and_the_secret_is_not_kept(app_ctx):
    issued = api_token(["discretion:check"])
    assert issued.secret.startswith(tokens.TOKEN_PREFIX)
    assert issued.token.digest == tokens.digest(issued.secret)
    assert issued.secret not in (issued.token.prefix, issued.token.digest)
    tokens.revoke_token(None, issued.token)
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("api_%"))
    ).all()
    assert actions[-3:] == ["api_client.registered", "api_token.issued", "api_token.revoked"]


def test_a_token_gets_only_scopes_its_client_holds(app_ctx):
    from civicladder.errors import Invalid

    with pytest.raises(Invalid, match="may not hold roster:write"):
        api_token(["roster:write"], client_scopes=["roster:read"])
    with pytest.raises(Invalid, match="Unknown scope: payroll:run"):
        api_token(["payroll:run"])


# --- several at once -----------------------------------------------------------------------------


def test_a_batch_is_answered_in_order(caller):
    checks = [
        {"employee": "C-200", "item": "close-complaint"},
        {"employee": "C-100", "item": "waive-fee", "amount": "999"},
        {"employee": "C-200", "item": "waive-fee", "amount": "999"},
        {"employee": "C-300", "item": "close-complaint"},
    ]
    response = caller.post(BATCH, json={"checks": checks})
    assert response.status_code == 200
    got = [(a["employee"], a["item_key"], a["outcome"]) for a in response.json["answers"]]
    assert got == [
        ("C-200", "close-complaint", "allowed"),
        ("C-100", "waive-fee", "over-limit"),
        ("C-200", "waive-fee", "allowed"),
        ("C-300", "close-complaint", "no-level"),
    ]


def test_one_unknown_person_refuses_the_whole_batch_and_keeps_nothing(caller):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(DiscretionCheck))
    response = caller.post(
        BATCH,
        json={
            "checks": [
                {"employee": "C-200", "item": "close-complaint"},
                {"employee": "C-999", "item": "close-complaint"},
            ]
        },
    )
    assert response.status_code == 404 and "C-999" in response.json["detail"]
    after = db.session.scalar(sa.select(sa.func.count()).select_from(DiscretionCheck))
    assert after == before


def test_a_batch_has_one_to_a_hundred_checks(caller):
    too_many = [{"employee": "C-200", "item": "close-complaint"}] * 101
    for body in ({"checks": []}, {"checks": too_many}, {}, {"checks": [{"employee": "C-200"}]}):
        response = caller.post(BATCH, json=body)
        assert response.status_code == 422, body
        assert response.json["field"].startswith("checks")


def test_a_batch_reads_the_same_number_of_statements_whatever_its_size(
    caller, crew, people, count_queries
):
    profile = crew["junior"].job_profile
    many = []
    for n in range(30):
        person = people.employee(job_profile=profile, employee_number=f"M-{n}")
        many.append({"employee": person.employee_number, "item": "close-complaint"})
    db.session.flush()
    counts = []
    for checks in (many[:2], many):
        with count_queries() as statements:
            response = caller.post(BATCH, json={"checks": checks})
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# --- the answers kept --------------------------------------------------------------------------


def test_every_answer_is_kept_with_who_asked(caller, crew):
    reference = _ask(caller, employee="C-100", item="waive-fee", amount="300").json["reference"]
    kept = db.session.scalar(sa.select(DiscretionCheck).filter_by(reference=reference))
    assert kept.caller == crew["token"].token.client.name
    assert kept.caller_id == crew["token"].token.client_id
    assert (kept.employee_id, kept.item_key, kept.amount) == (
        crew["junior"].id,
        "waive-fee",
        Decimal("300.00"),
    )
    assert (kept.allowed, kept.outcome, kept.level_id) == (False, "over-limit", crew["first"].id)


@pytest.fixture
def buffered(app, redis_url, monkeypatch):
    """Answers buffered in Redis, under a queue name of this test's own."""
    from redis import Redis

    queue = f"test-discretion-{os.getpid()}-{clock.now().timestamp()}"
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", queue)
    monkeypatch.delitem(app.extensions, "civicladder.redis", raising=False)
    yield Redis.from_url(redis_url), f"civicladder:{queue}:discretion-checks"
    app.extensions.pop("civicladder.redis", None)


def test_with_redis_answers_wait_in_a_list_and_a_job_writes_them_once(caller, buffered):
    redis, key = buffered
    references = [
        _ask(caller, employee="C-200", item="close-complaint").json["reference"] for _ in range(3)
    ]
    kept = sa.select(sa.func.count()).where(DiscretionCheck.reference.in_(references))
    assert db.session.scalar(kept) == 0 and redis.llen(key) == 3
    # A worker that died after writing the first answer but before trimming the list.
    first = discretion._parsed(__import__("json").loads(redis.lindex(key, 0)))
    db.session.execute(sa.insert(DiscretionCheck), [first])
    assert discretion.write_buffered() == {"written": 2}
    assert db.session.scalar(kept) == 3 and redis.llen(key) == 0
    assert discretion.write_buffered() == {"written": 0}


# --- the description ---------------------------------------------------------------------------


def test_the_openapi_document_names_each_routes_scope(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    check = document["paths"]["/api/v1/discretion/check"]["get"]
    assert check["security"] == [{"bearerToken": ["discretion:check"]}]
    assert {p["name"] for p in check["parameters"]} == {"employee", "item", "amount"}
    answer = document["components"]["schemas"]["Answer"]["properties"]
    assert set(answer["outcome"]["enum"]) == set(discretion.OUTCOMES)


def test_a_nul_character_in_a_json_body_is_refused_before_the_database_sees_it(caller):
    response = caller.post(BATCH, json={"checks": [{"employee": "C-\x00", "item": "x"}]})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "NUL" in response.json["detail"]


def _autocommit_of_statements(app) -> list[tuple[str, bool]]:
    """(statement's first word, whether it ran outside a transaction) for each one the app's
    engine runs from now on."""
    seen: list[tuple[str, bool]] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement.split()[0].upper(), conn.connection.dbapi_connection.autocommit))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", note)
    return seen


def test_with_redis_a_check_reads_without_a_transaction_on_postgresql(
    real_commits, database_url, redis_url, monkeypatch
):
    """The answer goes to Redis, so the request only reads: no BEGIN and COMMIT round trips.
    Without Redis it writes the answer and runs in a transaction."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs every statement in a transaction of its own anyway")
    secret = real_commits.run(lambda: api_token(["discretion:check"]).secret)
    client = real_commits.client()
    query = {"employee": "E-NOBODY", "item": "waive-fee"}
    seen = _autocommit_of_statements(real_commits.app)

    monkeypatch.setitem(real_commits.app.config, "REDIS_URL", redis_url)
    answer = client.get("/api/v1/discretion/check", query_string=query, headers=bearer(secret))
    assert answer.status_code == 404
    assert seen and all(autocommit for _, autocommit in seen), seen

    seen.clear()
    monkeypatch.setitem(real_commits.app.config, "REDIS_URL", None)
    answer = client.get("/api/v1/discretion/check", query_string=query, headers=bearer(secret))
    assert answer.status_code == 404
    assert seen and not any(autocommit for _, autocommit in seen), seen
