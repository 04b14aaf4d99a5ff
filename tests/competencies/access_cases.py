"""The competencies package's rows of the access matrix: framework, job profiles, evidence."""

from __future__ import annotations

import io
import json

from tests.civicladder.access_cases import EVERYONE_SIGNED_IN, Case, only, recorded
from tests.civicladder.factories import checked_import

SCALE = {f"level_{level}": f"Shows it at step {level}." for level in range(1, 6)}
# A CASE package of one category holding one competency (its own identifiers: new here).
CASE_PACKAGE = json.dumps(
    {
        "CFDocument": {"identifier": "5f0e7c1a-3b6d-4e2f-8a9c-1d2e3f4a5b6c"},
        "CFItems": [
            {"identifier": "6a1f8d2b-4c7e-4f30-9b0d-2e3f4a5b6c7d", "fullStatement": "Matrix"},
            {
                "identifier": "7b2a9e3c-5d8f-4a41-8c1e-3f4a5b6c7d8e",
                "fullStatement": "Matrix CASE skill",
                "humanCodingScheme": "MX-CASE",
            },
        ],
        "CFAssociations": [
            {
                "associationType": "isChildOf",
                "originNodeURI": {"identifier": "6a1f8d2b-4c7e-4f30-9b0d-2e3f4a5b6c7d"},
                "destinationNodeURI": {"identifier": "5f0e7c1a-3b6d-4e2f-8a9c-1d2e3f4a5b6c"},
            },
            {
                "associationType": "isChildOf",
                "originNodeURI": {"identifier": "7b2a9e3c-5d8f-4a41-8c1e-3f4a5b6c7d8e"},
                "destinationNodeURI": {"identifier": "6a1f8d2b-4c7e-4f30-9b0d-2e3f4a5b6c7d"},
            },
        ],
    }
).encode()


def world(kit, ids: dict) -> dict:
    competency = kit.competencies.competency()
    profile = kit.competencies.job_profile([(competency, 2, 1)])
    from competencies.case import queries as case_queries

    preview = case_queries.preview(CASE_PACKAGE)
    return {
        "competency": competency.id,
        "category": competency.category_id,
        "job_profile": profile.id,
        "case_check": checked_import("case_framework", CASE_PACKAGE, preview).id,
    }


def _case_upload(ids: dict) -> dict:
    return {"package": (io.BytesIO(CASE_PACKAGE), "framework.json")}


ACTORS: tuple[str, ...] = ()

CASES = [
    # Everyone signed in reads the framework and the job profiles; HR maintains them.
    Case("competencies.framework", "GET", "/competencies", EVERYONE_SIGNED_IN),
    Case("competencies.competency", "GET", "/competencies/{competency}", EVERYONE_SIGNED_IN),
    Case("competencies.job_profile", "GET", "/job-profiles/{job_profile}", EVERYONE_SIGNED_IN),
    Case("competencies.new_category", "GET", "/competencies/categories/new", only({"hr": 200})),
    Case(
        "competencies.new_category",
        "POST",
        "/competencies/categories/new",
        only({"hr": 302}),
        {"name": "Matrix category"},
        recorded("competency_category.created", "hr"),
    ),
    Case(
        "competencies.edit_category",
        "GET",
        "/competencies/categories/{category}/edit",
        only({"hr": 200}),
    ),
    Case(
        "competencies.edit_category",
        "POST",
        "/competencies/categories/{category}/edit",
        only({"hr": 302}),
        {"name": "Renamed category"},
        recorded("competency_category.updated", "hr"),
    ),
    Case("competencies.new_competency", "GET", "/competencies/new", only({"hr": 200})),
    Case(
        "competencies.new_competency",
        "POST",
        "/competencies/new",
        only({"hr": 302}),
        {"code": "MX-1", "name": "Matrix skill", "category_id": "{category}", **SCALE},
        recorded("competency.created", "hr"),
    ),
    Case(
        "competencies.edit_competency",
        "GET",
        "/competencies/{competency}/edit",
        only({"hr": 200}),
    ),
    Case(
        "competencies.edit_competency",
        "POST",
        "/competencies/{competency}/edit",
        only({"hr": 302}),
        {"code": "MX-2", "name": "Renamed skill", "category_id": "{category}", **SCALE},
        recorded("competency.updated", "hr"),
    ),
    # HR downloads the framework as CASE and imports CASE packages, after a preview.
    Case("competencies.case_package", "GET", "/competencies/case.json", only({"hr": 200})),
    Case("competencies.import_case", "GET", "/competencies/import", only({"hr": 200})),
    Case(
        "competencies.import_case",
        "POST",
        "/competencies/import",
        only({"hr": 303}),
        _case_upload,
        recorded("import.requested", "hr"),
    ),
    Case(
        "competencies.case_import",
        "GET",
        "/competencies/import/{case_check}",
        only({"hr": 200}),
    ),
    Case(
        "competencies.commit_case_import",
        "POST",
        "/competencies/import/{case_check}/commit",
        only({"hr": 303}),
        {},
        recorded("import.confirmed", "hr"),
    ),
    Case("competencies.job_profiles", "GET", "/job-profiles", EVERYONE_SIGNED_IN),
    Case(
        "competencies.below_requirements",
        "GET",
        "/competencies/below-requirements",
        only({"hr": 200, "manager": 200}),
    ),
    Case(
        "competencies.expiring_evidence",
        "GET",
        "/competencies/expiring",
        only({"hr": 200, "manager": 200}),
    ),
    Case("competencies.new_job_profile", "GET", "/job-profiles/new", only({"hr": 200})),
    Case(
        "competencies.new_job_profile",
        "POST",
        "/job-profiles/new",
        only({"hr": 302}),
        {
            "code": "MXJ",
            "title": "Matrix job",
            "requirements-0-competency_id": "{competency}",
            "requirements-0-min_level": "2",
            "requirements-0-weight": "1",
        },
        recorded("job_profile.created", "hr"),
    ),
    Case(
        "competencies.edit_job_profile",
        "GET",
        "/job-profiles/{job_profile}/edit",
        only({"hr": 200}),
    ),
    Case(
        "competencies.edit_job_profile",
        "POST",
        "/job-profiles/{job_profile}/edit",
        only({"hr": 302}),
        {
            "code": "MXJ-2",
            "title": "Renamed job",
            "requirements-0-competency_id": "{competency}",
            "requirements-0-min_level": "3",
            "requirements-0-weight": "1",
        },
        recorded("job_profile.updated", "hr"),
    ),
    # The target is in no one's reporting line: a manager finds no such person.
    Case(
        "competencies.record_evidence",
        "GET",
        "/people/{target_employee}/evidence/new",
        only({"hr": 200, "manager": 404}),
    ),
    Case(
        "competencies.record_evidence",
        "POST",
        "/people/{target_employee}/evidence/new",
        only({"hr": 302, "manager": 404}),
        {
            "competency_id": "{competency}",
            "level": "3",
            "observed_on": "{today}",
            "note": "Seen",
            "confirmed": "yes",
        },
        recorded("competency_evidence.recorded", "hr"),
    ),
]
