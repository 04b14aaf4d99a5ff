"""CASE 1.0 (1EdTech Competencies and Academic Standards Exchange) as the framework speaks it:
what the framework holds in CASE's terms, and the package written from it (a package written
elsewhere is read by `competencies.case.reading`).

Pure: plain values in and out. How the framework maps onto CASE:

- the framework is the CFDocument;
- a category is a CFItem of type "Competency category", a child (isChildOf) of the document:
  its name is the fullStatement and its description the notes;
- a competency is a CFItem of type "Competency", a child of its category: its code is the
  humanCodingScheme, its name the abbreviatedStatement and its description the fullStatement;
- each step of its scale is a CFItem of type "Proficiency level", joined to the competency by a
  hasSkillLevel association numbered with the step (1 Awareness to 5 Expert), the behaviour
  described at that step as its fullStatement.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from competencies.rules import PROFICIENCY_SCALE

CATEGORY_TYPE = "Competency category"
COMPETENCY_TYPE = "Competency"
LEVEL_TYPE = "Proficiency level"
CHILD_OF = "isChildOf"
SKILL_LEVEL = "hasSkillLevel"
# Associations are not stored: each one's identifier is made from what it joins.
ASSOCIATION_NAMESPACE = uuid.UUID("8d1c6f1e-52a3-4c57-9a0e-3f0c6d0b7a21")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # as the competency form's rule
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
NAME_LENGTH = 120  # a category's name
COMPETENCY_NAME_LENGTH = 200
CODE_LENGTH = 30
TITLE_LENGTH = 300


# What the framework holds, as the package is written from it and read into it.


@dataclass
class Descriptor:
    identifier: str
    level: int
    text: str


@dataclass
class CompetencyFacts:
    identifier: str
    code: str
    name: str
    description: str
    category: str  # the category's identifier
    changed_at: datetime
    descriptors: list[Descriptor] = field(default_factory=list)


@dataclass
class CategoryFacts:
    identifier: str
    name: str
    description: str
    changed_at: datetime


@dataclass
class DocumentFacts:
    identifier: str
    title: str
    creator: str
    changed_at: datetime


@dataclass
class LeftOut:
    """Something in a package the framework cannot hold, and why."""

    identifier: str
    label: str
    reason: str


@dataclass
class ReadPackage:
    document: DocumentFacts
    categories: list[CategoryFacts]
    competencies: list[CompetencyFacts]
    left_out: list[LeftOut]
    item_count: int
    association_count: int
    # Competencies the package places straight under its document, and the category they join.
    gathered: int = 0
    gathered_under: str = ""


def case_time(moment: datetime) -> str:
    """A lastChangeDateTime: UTC to the second (RFC 3339, as the schema's date-time wants)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_time(text: object) -> datetime | None:
    """A lastChangeDateTime as packages write it (with or without an offset: without is UTC)."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def item_uri(identifier: str) -> str:
    return f"urn:uuid:{identifier}"


def _link(identifier: str, title: str) -> dict:
    return {"title": title, "identifier": identifier, "uri": item_uri(identifier)}


def association_identifier(kind: str, origin: str, destination: str) -> str:
    return str(uuid.uuid5(ASSOCIATION_NAMESPACE, f"{kind}:{origin}:{destination}"))


def write_package(
    document: DocumentFacts,
    categories: list[CategoryFacts],
    competencies: list[CompetencyFacts],
) -> dict:
    """The framework as a CFPackage: the document, its items, and the associations between."""
    changed = max(
        [document.changed_at]
        + [c.changed_at for c in categories]
        + [c.changed_at for c in competencies]
    )
    doc_link = _link(document.identifier, document.title)
    items, associations = [], []

    def associate(kind: str, origin: dict, destination: dict, when: datetime, number=None):
        association = {
            "identifier": association_identifier(
                kind, origin["identifier"], destination["identifier"]
            ),
            "uri": item_uri(
                association_identifier(kind, origin["identifier"], destination["identifier"])
            ),
            "CFDocumentURI": doc_link,
            "associationType": kind,
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": case_time(when),
        }
        if number is not None:
            association["sequenceNumber"] = number
        associations.append(association)

    for number, category in enumerate(categories, start=1):
        item = _item(category.identifier, category.name, CATEGORY_TYPE, category.changed_at)
        if category.description:
            item["notes"] = category.description
        items.append(item)
        link = _link(category.identifier, category.name)
        associate(CHILD_OF, link, doc_link, category.changed_at, number)
    titles = {c.identifier: c.name for c in categories}
    for number, competency in enumerate(competencies, start=1):
        item = _item(
            competency.identifier,
            competency.description or competency.name,
            COMPETENCY_TYPE,
            competency.changed_at,
        )
        item |= {"humanCodingScheme": competency.code, "abbreviatedStatement": competency.name}
        items.append(item)
        link = _link(competency.identifier, competency.code)
        parent = _link(competency.category, titles[competency.category])
        associate(CHILD_OF, link, parent, competency.changed_at, number)
        for step in competency.descriptors:
            level = _item(step.identifier, step.text, LEVEL_TYPE, competency.changed_at)
            level |= {
                "humanCodingScheme": f"{competency.code}.{step.level}",
                "abbreviatedStatement": PROFICIENCY_SCALE[step.level],
                "listEnumeration": str(step.level),
            }
            items.append(level)
            destination = _link(
                step.identifier, f"{competency.code} {PROFICIENCY_SCALE[step.level]}"
            )
            associate(SKILL_LEVEL, link, destination, competency.changed_at, step.level)
    return {
        "CFDocument": {
            "identifier": document.identifier,
            "uri": item_uri(document.identifier),
            "creator": document.creator,
            "title": document.title,
            "lastChangeDateTime": case_time(changed),
            "language": "en",
        },
        "CFItems": items,
        "CFAssociations": associations,
    }


def _item(identifier: str, statement: str, kind: str, changed_at: datetime) -> dict:
    return {
        "identifier": identifier,
        "uri": item_uri(identifier),
        "fullStatement": statement,
        "CFItemType": kind,
        "lastChangeDateTime": case_time(changed_at),
    }
