"""The competency framework and job profiles through the API: the scale and descriptors, job
profiles with their requirements by cursor, one by code, and the statements each costs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from civicladder.db import db
from civicladder.models import AuditEvent
from competencies.models import Competency, ProficiencyDescriptor
from tests.api.factories import api_token

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def reader(client):
    token = api_token(["framework:read"])
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token.secret}"
    return client


@pytest.fixture
def framework(competencies):
    """Safety (two competencies, one with only two steps described) and Service (one)."""
    safety = competencies.category("Safety")
    safety.description = "Keeping people safe"
    lifting = competencies.competency("SAF-2", "Safe lifting", safety)
    first_aid = competencies.competency("SAF-1", "First aid", safety)
    first_aid.description = "Helping the injured until help comes"
    first_aid.descriptors = [
        ProficiencyDescriptor(level=1, descriptor="Knows whom to call"),
        ProficiencyDescriptor(level=3, descriptor="Treats common injuries alone"),
    ]
    service = competencies.competency("SRV-1", "Public service", competencies.category("Service"))
    db.session.flush()
    clerk = competencies.job_profile(
        [(lifting, 2, 10), (first_aid, 3, 40), (service, 1, 20)],
        code="CLERK",
        title="Clerk",
    )
    return {"lifting": lifting, "first_aid": first_aid, "service": service, "clerk": clerk}


def test_the_framework_has_the_scale_and_every_competency_with_its_descriptors(reader, framework):
    found = reader.get("/api/v1/framework").json
    assert [step["name"] for step in found["scale"]] == [
        "Awareness",
        "Working",
        "Practitioner",
        "Advanced",
        "Expert",
    ]
    categories = {category["name"]: category for category in found["categories"]}
    safety = categories["Safety"]
    assert safety["description"] == "Keeping people safe"
    assert [c["code"] for c in safety["competencies"]] == ["SAF-1", "SAF-2"]
    first_aid = safety["competencies"][0]
    assert first_aid["name"] == "First aid"
    assert first_aid["description"] == "Helping the injured until help comes"
    assert first_aid["descriptors"] == [
        {"level": 1, "descriptor": "Knows whom to call"},
        {"level": 3, "descriptor": "Treats common injuries alone"},
    ]
    lifting = safety["competencies"][1]
    assert [d["level"] for d in lifting["descriptors"]] == [1, 2, 3, 4, 5]
    assert [c["code"] for c in categories["Service"]["competencies"]] == ["SRV-1"]


def test_the_framework_costs_the_same_statements_however_large(
    reader, framework, competencies, count_queries
):
    counts = []
    for _ in range(2):
        with count_queries() as statements:
            assert reader.get("/api/v1/framework").status_code == 200
        counts.append(len(statements))
        for _ in range(6):
            competencies.competency()
    assert counts[0] == counts[1], counts


def test_one_job_profile_by_code_with_its_requirements_heaviest_first(reader, framework):
    found = reader.get("/api/v1/job-profiles/CLERK").json
    assert found["title"] == "Clerk"
    assert found["requirements"] == [
        {"competency": "SAF-1", "name": "First aid", "min_level": 3, "weight": 40},
        {"competency": "SRV-1", "name": "Public service", "min_level": 1, "weight": 20},
        {"competency": "SAF-2", "name": "Safe lifting", "min_level": 2, "weight": 10},
    ]


@pytest.mark.parametrize("code", ["NOPE", "x" * 31])
def test_a_job_profile_nobody_has_is_a_problem_404(reader, framework, code):
    missing = reader.get(f"/api/v1/job-profiles/{code}")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    assert missing.json["status"] == 404 and "job profile" in missing.json["detail"]


def test_a_nul_in_a_code_is_refused_before_it_reaches_the_database(reader):
    refused = reader.get("/api/v1/job-profiles/A%00B")
    assert refused.status_code == 400 and refused.mimetype == "application/problem+json"
    assert "NUL" in refused.json["detail"]


def test_job_profiles_come_once_each_a_page_at_a_time(reader, framework, competencies):
    for _ in range(4):
        competencies.job_profile([(framework["service"], 2, 5)])
    codes, after, pages = [], None, 0
    while True:
        query = {"limit": 2} | ({"after": after} if after else {})
        response = reader.get("/api/v1/job-profiles", query_string=query)
        assert response.status_code == 200, response.json
        assert len(response.json["items"]) <= 2
        codes += [row["code"] for row in response.json["items"]]
        pages += 1
        after = response.json["next"]
        if after is None:
            break
        assert 'rel="next"' in response.headers["Link"]
    assert len(codes) == len(set(codes)) >= 5 and pages >= 3
    assert "CLERK" in codes


def test_a_page_of_job_profiles_costs_the_same_statements_whatever_its_size(
    reader, framework, competencies, count_queries
):
    for _ in range(12):
        competencies.job_profile([(framework["service"], 2, 5), (framework["lifting"], 1, 1)])
    counts = []
    for limit in (2, 12):
        with count_queries() as statements:
            response = reader.get("/api/v1/job-profiles", query_string={"limit": limit})
        assert len(response.json["items"]) == limit
        assert all(len(row["requirements"]) >= 1 for row in response.json["items"])
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_a_bad_cursor_names_its_field(reader, framework):
    response = reader.get("/api/v1/job-profiles", query_string={"after": "not-a-cursor"})
    assert response.status_code == 422 and response.json["field"] == "after"


def test_the_framework_as_a_case_package_is_the_one_hr_downloads(reader, framework):
    from competencies.case import queries as case_queries

    found = reader.get("/api/v1/framework/case")
    assert found.status_code == 200
    assert found.json == case_queries.package()
    codes = {i.get("humanCodingScheme"): i["identifier"] for i in found.json["CFItems"]}
    assert {"SAF-1", "SAF-2", "SRV-1"} <= set(codes)
    # The framework's plain read names the same identifiers.
    plain = reader.get("/api/v1/framework").json
    safety = next(c for c in plain["categories"] if c["name"] == "Safety")
    assert {c["code"]: c["case_identifier"] for c in safety["competencies"]} == {
        "SAF-1": codes["SAF-1"],
        "SAF-2": codes["SAF-2"],
    }
    items = {i["identifier"] for i in found.json["CFItems"]}
    assert safety["case_identifier"] in items


def test_the_case_package_needs_the_framework_scope(client):
    token = api_token(["roster:read"])
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token.secret}"
    assert client.get("/api/v1/framework/case").status_code == 403


def test_the_case_package_costs_the_same_statements_however_large(
    reader, framework, competencies, count_queries
):
    counts = []
    for _ in range(2):
        with count_queries() as statements:
            assert reader.get("/api/v1/framework/case").status_code == 200
        counts.append(len(statements))
        for _ in range(6):
            competencies.competency()
    assert counts[0] == counts[1], counts


SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "standards" / "case_sample_framework.json"


@pytest.fixture
def importer(client):
    token = api_token(["framework:write"])
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token.secret}"
    return client


def _send(client, body: bytes, key: str):
    return client.post(
        "/api/v1/framework/case",
        data=body,
        headers={"Idempotency-Key": key, "Content-Type": "application/json"},
    )


def test_a_case_package_imports_through_the_api_and_again_changes_nothing(importer):
    body = SAMPLE.read_bytes()
    first = _send(importer, body, "first")
    assert first.status_code == 200, first.json
    assert (first.json["added"], first.json["changed"], first.json["unchanged"]) == (8, 0, 0)
    assert first.json["left_out_count"] == 31
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Competency)) == 6
    again = _send(importer, body, "second")
    assert (again.json["added"], again.json["unchanged"]) == (0, 8)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Competency)) == 6
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "competency_framework.imported")
    ).all()
    assert len(events) == 2
    assert all(event.actor_label.startswith("API client System") for event in events)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{not json", None),
        (b'{"CFDocument": {"identifier": "nope"}}', "no identifier"),
        (b'{"CFDocument": {}, "CFItems": "x"}', None),
    ],
)
def test_a_body_that_is_no_case_package_is_refused_with_a_problem(importer, body, words):
    found = _send(importer, body, "bad")
    assert found.status_code in (400, 422)
    assert found.mimetype == "application/problem+json"
    if words:
        assert words in found.json["detail"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Competency)) == 0


def test_competencies_without_a_category_import_through_the_api_saying_where_they_went(importer):
    from tests.competencies.test_case import flat_package

    found = _send(importer, json.dumps(flat_package()).encode(), "flat")
    assert found.status_code == 200, found.json
    assert (found.json["added"], found.json["uncategorised"]) == (3, 2)
    assert found.json["uncategorised_category"] == "Park Ranger Skills"
    sample = _send(importer, SAMPLE.read_bytes(), "sample")
    assert (sample.json["uncategorised"], sample.json["uncategorised_category"]) == (0, None)


# --- a large package: imported by a job, followed at its status -------------------------------


@pytest.fixture
def as_job(app, monkeypatch):
    """Packages of more than ten items and associations go to the job (inline: no Redis)."""
    monkeypatch.setitem(app.config, "API_CASE_SYNC_ITEMS", 10)


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _actions(*names: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.in_(names))))


def test_a_large_package_is_imported_by_a_job_whose_status_says_what_it_did(
    importer, as_job, app, monkeypatch
):
    from civicladder.files import StoredFile

    # Larger than the app's request limit: the import takes up to IMPORT_MAX_BYTES.
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 10_000)
    accepted = _send(importer, SAMPLE.read_bytes(), "large")
    assert accepted.status_code == 202, accepted.json
    assert accepted.headers["Location"] == accepted.json["url"]
    assert accepted.json["kind"] == "framework" and accepted.json["rows"] == 16 + 39
    status = importer.get(accepted.headers["Location"])
    assert status.status_code == 200
    body = status.json
    assert body["status"] == "done", body
    assert body["summary"] == {
        "added": 8,
        "changed": 0,
        "unchanged": 0,
        "left_out": 31,
        "uncategorised": 0,
    }
    assert len(body["left_out"]) == 31
    assert {"identifier", "label", "reason"} == set(body["left_out"][0])
    assert any("exactMatchOf" in item["label"] for item in body["left_out"])
    assert body["progress"] == {"done": 55, "total": 55} and body["problems"] == []
    assert _count(Competency) == 6
    # Audited as the client's, and the package is no longer kept.
    events = _actions("competency_framework.imported", "api_batch.requested")
    assert len(events) == 2
    assert all(event.actor_label.startswith("API client System") for event in events)
    assert _count(StoredFile) == 0
    # A second send of the same package (another key) changes nothing.
    again = importer.get(_send(importer, SAMPLE.read_bytes(), "again").headers["Location"])
    assert again.json["summary"]["unchanged"] == 8 and again.json["summary"]["added"] == 0


def test_a_retry_of_a_large_package_points_at_the_same_status(importer, as_job):
    from civicladder.models import JobRun

    first = _send(importer, SAMPLE.read_bytes(), "same")
    again = _send(importer, SAMPLE.read_bytes(), "same")
    assert again.status_code == 202 and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert _count(JobRun) == 1
    stranger = api_token(["framework:write"])
    other = importer.get(
        first.headers["Location"], headers={"Authorization": f"Bearer {stranger.secret}"}
    )
    assert other.status_code == 404


def test_a_large_package_that_clashes_fails_and_writes_nothing(importer, as_job, competencies):
    here = competencies.competency(code="CCSS.MATH.CONTENT.6.RP.A.1", name="Ratios here")
    db.session.flush()
    before = _count(Competency)
    accepted = _send(importer, SAMPLE.read_bytes(), "clash")
    assert accepted.status_code == 202
    status = importer.get(accepted.headers["Location"]).json
    assert status["status"] == "failed" and status["summary"] is None
    assert status["left_out"] == []
    assert "CCSS.MATH.CONTENT.6.RP.A.1" in status["problems"][0]["detail"]
    assert status["problems"][0]["field"] == "CFItems"
    assert "Nothing was imported" in status["detail"]
    assert _count(Competency) == before and here.name == "Ratios here"
    assert _actions("competency_framework.imported") == []


def test_a_job_that_breaks_halfway_leaves_nothing_written(importer, as_job, monkeypatch):
    from competencies.case import services as case_services
    from competencies.models import CompetencyCategory, FrameworkDocument

    def breaks(found, categories):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(case_services, "_write_competencies", breaks)
    accepted = _send(importer, SAMPLE.read_bytes(), "broken")
    status = importer.get(accepted.headers["Location"]).json
    assert status["status"] == "failed"
    assert "nothing of it was" in status["detail"] and "database" not in status["detail"]
    assert _count(CompetencyCategory) == 0 and _count(FrameworkDocument) == 0
    assert _actions("competency_framework.imported") == []


def test_a_large_body_that_is_no_package_is_refused_at_once(importer, as_job):
    from civicladder.models import JobRun

    found = _send(importer, b'{"CFDocument": {"identifier": "nope"}, "CFItems": []}', "bad")
    assert found.status_code == 422 and "no identifier" in found.json["detail"]
    assert _count(JobRun) == 0


def test_the_import_is_documented_with_its_202_and_the_batch_status(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/framework/case"]
    answers = operation["post"]["responses"]
    assert {"200", "202", "413", "422"} <= set(answers)
    assert "Location" in answers["202"]["headers"]
    assert any(p["name"] == "Idempotency-Key" for p in operation["post"]["parameters"])
