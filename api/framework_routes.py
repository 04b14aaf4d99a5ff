"""The competency framework and job profiles, read by other city systems (an HRIS that keeps
job descriptions, a learning system that maps its courses to the city's competencies), and the
framework written and imported as a CASE package by framework tools."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import INCLUDE, Schema, fields

from api import batches, problems
from api.auth import scoped
from api.pagination import PageQuery, PageSchema, answer, page
from civicladder.db import db
from civicladder.errors import Invalid, NotFound
from competencies import queries
from competencies.case import queries as case_queries
from competencies.case import reading
from competencies.case import services as case_services
from competencies.rules import PROFICIENCY_SCALE
from people.models import JobProfile

blp = Blueprint(
    "api_framework",
    __name__,
    url_prefix="/api/v1",
    description="The competency framework, its proficiency scale, and job profiles.",
)
problems.install(blp)

CODE_LENGTH = 30


class ScaleStepSchema(Schema):
    level = fields.Integer(required=True, metadata={"description": "1 to 5."})
    name = fields.String(required=True, metadata={"description": "Awareness to Expert."})


class DescriptorSchema(Schema):
    level = fields.Integer(required=True)
    descriptor = fields.String(
        required=True, metadata={"description": "What the competency looks like at this step."}
    )


CASE_IDENTIFIER = {"description": "Its CASE identifier (a UUID), as in the CASE package."}


class CompetencySchema(Schema):
    code = fields.String(required=True)
    case_identifier = fields.String(required=True, metadata=CASE_IDENTIFIER)
    name = fields.String(required=True)
    description = fields.String(required=True)
    descriptors = fields.List(
        fields.Nested(DescriptorSchema),
        required=True,
        metadata={"description": "One per step of the scale that has one, lowest first."},
    )


class CategorySchema(Schema):
    id = fields.Integer(required=True)
    case_identifier = fields.String(required=True, metadata=CASE_IDENTIFIER)
    name = fields.String(required=True)
    description = fields.String(required=True)
    competencies = fields.List(fields.Nested(CompetencySchema), required=True)


class FrameworkSchema(Schema):
    scale = fields.List(
        fields.Nested(ScaleStepSchema),
        required=True,
        metadata={"description": "The proficiency scale every competency shares."},
    )
    categories = fields.List(fields.Nested(CategorySchema), required=True)


class CasePackageSchema(Schema):
    """A CASE 1.0 CFPackage (1EdTech), as its own JSON schema describes it."""

    document = fields.Dict(
        required=True,
        attribute="CFDocument",
        data_key="CFDocument",
        metadata={"description": "The framework: its CASE identifier, title and creator."},
    )
    items = fields.List(
        fields.Dict(),
        required=True,
        attribute="CFItems",
        data_key="CFItems",
        metadata={
            "description": "Categories (CFItemType 'Competency category'), competencies "
            "('Competency': code in humanCodingScheme, name in abbreviatedStatement) and the "
            "behaviour at each step of the scale ('Proficiency level')."
        },
    )
    associations = fields.List(
        fields.Dict(),
        required=True,
        attribute="CFAssociations",
        data_key="CFAssociations",
        metadata={
            "description": "isChildOf from each category to the document and from each "
            "competency to its category; hasSkillLevel from a competency to each step, "
            "numbered 1 to 5 (sequenceNumber)."
        },
    )


class CasePackageInSchema(CasePackageSchema):
    """A CASE 1.0 CFPackage from another framework tool; its other parts (CFDefinitions,
    CFRubrics) may come with it and are left out."""

    class Meta:
        unknown = INCLUDE

    items = fields.List(fields.Dict(), attribute="CFItems", data_key="CFItems")
    associations = fields.List(fields.Dict(), attribute="CFAssociations", data_key="CFAssociations")


class CaseImportSchema(Schema):
    added = fields.Integer(required=True, metadata={"description": "Categories and competencies."})
    changed = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    left_out_count = fields.Integer(
        required=True, metadata={"description": "Items and associations the framework cannot hold."}
    )
    left_out = fields.List(
        fields.Nested(batches.ListedSchema),
        required=True,
        metadata={"description": f"The first {case_queries.PREVIEW_ITEMS} of them."},
    )
    uncategorised = fields.Integer(
        required=True,
        metadata={
            "description": "Competencies the package places directly under its document, with "
            "no category."
        },
    )
    uncategorised_category = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The category they were put under, named for the package's document "
            "(null when there were none)."
        },
    )


class RequirementSchema(Schema):
    competency = fields.String(required=True, metadata={"description": "The competency's code."})
    name = fields.String(required=True, metadata={"description": "The competency's name."})
    min_level = fields.Integer(
        required=True, metadata={"description": "The minimum level, 1 Awareness to 5 Expert."}
    )
    weight = fields.Integer(required=True, metadata={"description": "1 to 100."})


class JobProfileSchema(Schema):
    code = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    requirements = fields.List(
        fields.Nested(RequirementSchema),
        required=True,
        metadata={"description": "The competencies it requires, heaviest weight first."},
    )


class JobProfilePageSchema(PageSchema):
    items = fields.List(fields.Nested(JobProfileSchema), required=True)


@blp.route("/framework")
@scoped("framework:read")
@blp.response(200, FrameworkSchema)
def framework():
    """Read the competency framework

    The proficiency scale, and every category (by name) with its competencies (by code), each
    with its description and the behaviour that shows it at each step of the scale. A city's
    framework holds tens to a few hundred competencies: one answer.
    """
    categories = queries.framework()
    return {
        "scale": [{"level": level, "name": name} for level, name in PROFICIENCY_SCALE.items()],
        "categories": [
            {
                "id": category.id,
                "case_identifier": category.case_identifier,
                "name": category.name,
                "description": category.description,
                "competencies": [
                    {
                        "code": competency.code,
                        "case_identifier": competency.case_identifier,
                        "name": competency.name,
                        "description": competency.description,
                        "descriptors": [
                            {"level": d.level, "descriptor": d.descriptor}
                            for d in competency.descriptors
                        ],
                    }
                    for competency in category.competencies
                ],
            }
            for category in categories
        ],
    }


@blp.route("/framework/case")
@scoped("framework:read")
@blp.response(200, CasePackageSchema)
def framework_case():
    """Read the competency framework as a CASE package

    The framework as a 1EdTech CASE 1.0 CFPackage, for framework tools that speak CASE. Every
    category, competency and step keeps its CASE identifier from one export to the next, and a
    package imported from elsewhere keeps the identifiers it came with.
    """
    return case_queries.package()


@blp.route("/framework/case", methods=["POST"])
@scoped("framework:write")
@batches.write_route(blp, CasePackageInSchema, CaseImportSchema)
def import_framework_case():
    """Import a competency framework as a CASE package

    As HR's import does, all or nothing: the items just under the document become categories,
    the items under those competencies (their humanCodingScheme the code), and a competency's
    skill levels (hasSkillLevel, numbered 1 to 5) the behaviour at each step of the scale.
    Competencies placed directly under the document (no category) go under one category named
    for the document, as `uncategorised` and `uncategorised_category` say.
    Matched by CASE identifier, so sending a newer version of a package updates what the first
    added. What the framework cannot hold is left out and listed in the answer; a name or code
    that another category or competency already has refuses the package (422), naming it.
    A package of up to API_CASE_SYNC_ITEMS items and associations (5,000 by default) is
    imported within the request; a larger one (up to IMPORT_MAX_BYTES) by a job: the answer
    is 202 with its status address in Location (`GET /api/v1/batches/{id}`), which says, once
    done, what was added, changed and left out, or, failed, why nothing was written.
    """
    data = request.get_data(cache=True)
    package = reading.parse(data)
    size = len(package.get("CFItems", [])) + len(package.get("CFAssociations", []))
    if size > current_app.config["API_CASE_SYNC_ITEMS"]:
        return batches.accepted(batches.request_batch(CASE, data, size))
    found = case_services.import_package(None, data)
    return _import_summary(found) | {"left_out": _left_out(found)}


def _import_summary(found) -> dict:
    changes = [change for change in found.changes if change.kind != "document"]
    return {
        "added": sum(change.is_new for change in changes),
        "changed": sum(not change.is_new for change in changes),
        "unchanged": len(found.unchanged),
        "left_out_count": len(found.read.left_out),
        "uncategorised": found.read.gathered,
        "uncategorised_category": found.read.gathered_under or None,
    }


def _left_out(found) -> list[dict]:
    return [vars(item) for item in found.read.left_out[: case_queries.PREVIEW_ITEMS]]


def import_kept_package(data: bytes, on_progress: batches.Progress | None) -> dict:
    """A kept package imported by its job, as the request would have: the counts, and what was
    left out listed beside them; Refused (nothing written) for a package that clashes here."""
    try:
        found = case_services.import_package(None, data, on_progress=on_progress)
    except case_services.PackageRejected as rejected:
        problems = rejected.plan.problems
        raise batches.Refused(
            f"{rejected.message}. Nothing was imported: fix the package and send it again.",
            [
                {"field": "CFItems", "detail": f"{problem.label}: {problem.reason}"}
                for problem in problems[: batches.PROBLEMS_SHOWN]
            ],
        ) from None
    except Invalid as error:  # checked before it was kept; only if the rules changed since
        problem = {"field": "CFDocument", "detail": error.message}
        raise batches.Refused(error.message, [problem]) from None
    summary = _import_summary(found)
    del summary["uncategorised_category"]  # a batch's summary holds counts only
    summary["left_out"] = summary.pop("left_out_count")
    return summary | {batches.LISTED: _left_out(found)}


CASE = batches.BatchKind(
    "framework", "framework:write", "CASE framework package", import_kept_package, read=bytes
)


def _profiles() -> sa.Select:
    return sa.select(JobProfile.id, JobProfile.code, JobProfile.title, JobProfile.description)


def _with_requirements(rows) -> list[dict]:
    """The profiles with their requirements, read for all of them in one statement."""
    requirements = queries.requirements_by_profile([row.id for row in rows])
    return [
        {
            "code": row.code,
            "title": row.title,
            "description": row.description,
            "requirements": [
                {
                    "competency": r.competency.code,
                    "name": r.competency.name,
                    "min_level": r.min_level,
                    "weight": r.weight,
                }
                for r in requirements[row.id]
            ],
        }
        for row in rows
    ]


@blp.route("/job-profiles")
@scoped("framework:read")
@blp.arguments(PageQuery, location="query")
@blp.response(200, JobProfilePageSchema)
def job_profiles(query: dict):
    """List job profiles

    In id order, a page at a time, each with the competencies it requires, the minimum level
    of each and its weight.
    """
    rows, following = page(_profiles(), JobProfile.id, query)
    return answer(_with_requirements(rows), following)


@blp.route("/job-profiles/<code>")
@scoped("framework:read")
@blp.response(200, JobProfileSchema)
@blp.alt_response(404, response="NOT_FOUND")
def job_profile(code: str):
    """Read one job profile

    By its code, with the competencies it requires, the minimum level of each and its weight.
    """
    code = code.strip()
    rows = []
    if len(code) <= CODE_LENGTH and "\x00" not in code:
        rows = db.session.execute(_profiles().where(JobProfile.code == code)).all()
    if not rows:
        raise NotFound(f"No job profile has the code {code}.")
    return _with_requirements(rows)[0]
