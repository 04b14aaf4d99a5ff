"""The read side of CASE: the framework as a package, and what a package would change in it."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from sqlalchemy.orm import selectinload

from civicladder import clock
from civicladder.db import db
from civicladder.languages import N_
from competencies.case import reading, rules
from competencies.models import (
    Competency,
    CompetencyCategory,
    FrameworkDocument,
    ProficiencyDescriptor,
)
from competencies.queries import framework

PREVIEW_ITEMS = 200  # of each list the preview keeps; the counts are whole
DOCUMENT_NAMESPACE = uuid.UUID("0b6f2f5e-8f7c-4d3e-9b0a-6a2c1d5e4f30")


def document() -> FrameworkDocument | None:
    return db.session.scalar(sa.select(FrameworkDocument).order_by(FrameworkDocument.id).limit(1))


def document_facts() -> rules.DocumentFacts:
    """The framework's CASE document: the one kept, or until one is, the city's own (the same
    identifier every time, made from the city's name)."""
    kept = document()
    if kept is not None:
        return rules.DocumentFacts(kept.case_identifier, kept.title, kept.creator, kept.changed_at)
    city = current_app.config["CITY_NAME"]
    return rules.DocumentFacts(
        identifier=str(uuid.uuid5(DOCUMENT_NAMESPACE, city)),
        title=f"{city} competency framework",
        creator=city,
        changed_at=rules.read_time("2000-01-01T00:00:00Z"),
    )


def package() -> dict:
    """The whole framework as a CASE CFPackage (four queries, whatever its size)."""
    categories = framework()
    competencies = [c for category in categories for c in category.competencies]
    return rules.write_package(
        document_facts(),
        [_category_facts(category) for category in categories],
        [_competency_facts(competency) for competency in competencies],
    )


def _category_facts(category: CompetencyCategory) -> rules.CategoryFacts:
    return rules.CategoryFacts(
        category.case_identifier, category.name, category.description, category.changed_at
    )


def _competency_facts(competency: Competency) -> rules.CompetencyFacts:
    return rules.CompetencyFacts(
        identifier=competency.case_identifier,
        code=competency.code,
        name=competency.name,
        description=competency.description,
        category=competency.category.case_identifier,
        changed_at=competency.changed_at,
        descriptors=[
            rules.Descriptor(d.case_identifier, d.level, d.descriptor)
            for d in competency.descriptors
        ],
    )


# What a package would change.


@dataclass
class Change:
    kind: str  # "category", "competency" or "document"
    identifier: str
    label: str
    is_new: bool
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)

    def shown(self) -> dict:
        return {
            "kind": self.kind,
            "identifier": self.identifier,
            "label": self.label,
            "is_new": self.is_new,
            "before": self.before,
            "after": self.after,
        }


@dataclass
class Plan:
    read: rules.ReadPackage
    adopt_document: bool
    changes: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[rules.LeftOut] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)  # here, and not in the package
    categories: dict[str, CompetencyCategory] = field(default_factory=dict)
    competencies: dict[str, Competency] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """A digest of every change, with what it changes from: the records moved if it differs."""
        shown = [change.shown() for change in self.changes]
        text = json.dumps(shown, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def plan(read: rules.ReadPackage) -> Plan:
    """Compare a read package with the framework, matching by CASE identifier (five queries)."""
    result = Plan(read=read, adopt_document=_adopts_document(read.document.identifier))
    result.categories = _by_identifier(CompetencyCategory, [c.identifier for c in read.categories])
    result.competencies = _by_identifier(
        Competency,
        [c.identifier for c in read.competencies],
        selectinload(Competency.descriptors),
        selectinload(Competency.category),
    )
    if result.adopt_document:
        _plan_document(result)
    _plan_categories(result)
    _plan_competencies(result)
    _clashes(result)
    result.left_alone = _left_alone(result)
    return result


def _adopts_document(identifier: str) -> bool:
    """Whether the framework takes the package's document as its own: when it is the same
    document, or the framework is still empty. A package imported into a framework of the
    city's own adds to it, and the framework stays the city's document."""
    if document_facts().identifier == identifier:
        return True
    return (
        document() is None and db.session.scalar(sa.select(CompetencyCategory.id).limit(1)) is None
    )


def _by_identifier(model, identifiers: list[str], *options) -> dict:
    found = {}
    for chunk in _chunks(identifiers):
        stmt = sa.select(model).where(model.case_identifier.in_(chunk)).options(*options)
        found.update({row.case_identifier: row for row in db.session.scalars(stmt)})
    return found


def _chunks(values: list[str], size: int = 500):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _plan_document(result: Plan) -> None:
    """A framework without a document of its own takes the package's (identifier, title and
    creator); one that has it already takes its new title or creator."""
    incoming, current = result.read.document, document_facts()
    after = {"identifier": incoming.identifier, "title": incoming.title}
    after["creator"] = incoming.creator
    before = {"identifier": current.identifier, "title": current.title}
    before["creator"] = current.creator
    if before != after:
        is_new = current.identifier != incoming.identifier
        old = {key: value for key, value in before.items() if after[key] != value}
        new = {key: value for key, value in after.items() if before[key] != value}
        result.changes.append(
            Change("document", incoming.identifier, incoming.title, is_new, old, new)
        )


def _plan_categories(result: Plan) -> None:
    for incoming in result.read.categories:
        after = {"name": incoming.name, "description": incoming.description}
        existing = result.categories.get(incoming.identifier)
        before = {"name": existing.name, "description": existing.description} if existing else {}
        _add(result, "category", incoming.identifier, incoming.name, existing, before, after)


def _plan_competencies(result: Plan) -> None:
    names = {c.identifier: c.name for c in result.read.categories}
    for incoming in result.read.competencies:
        existing = result.competencies.get(incoming.identifier)
        after = {
            "code": incoming.code,
            "name": incoming.name,
            "description": incoming.description,
            "category": names[incoming.category],
        } | {f"level_{d.level}": d.text for d in incoming.descriptors}
        before = {}
        if existing is not None:
            before = {
                "code": existing.code,
                "name": existing.name,
                "description": existing.description,
                "category": existing.category.name,
            } | {
                f"level_{d.level}": d.descriptor
                for d in existing.descriptors
                if f"level_{d.level}" in after
            }
            # A category renamed by the same package is still the same category.
            if existing.category.case_identifier == incoming.category:
                before["category"] = after["category"]
        label = f"{incoming.code} {incoming.name}"
        _add(result, "competency", incoming.identifier, label, existing, before, after)


def _add(result: Plan, kind, identifier, label, existing, before, after) -> None:
    if existing is None:
        result.changes.append(Change(kind, identifier, label, True, {}, after))
        return
    old = {key: value for key, value in before.items() if after.get(key) != value}
    new = {key: after[key] for key in after if before.get(key) != after[key]}
    if new:
        result.changes.append(Change(kind, identifier, label, False, old, new))
    else:
        result.unchanged.append(label)


def _clashes(result: Plan) -> None:
    """Names and codes the package gives that another category or competency here already has
    (matched by identifier, they are different things), or gives twice: problems, so nothing
    is imported."""
    read = result.read
    names = [c.name for c in read.categories]
    codes = [c.code for c in read.competencies]
    incoming = {c.identifier for c in read.categories} | {c.identifier for c in read.competencies}
    held = [
        (name, identifier, gettext("A category called %(name)s is here already", name=name))
        for name, identifier in _held(CompetencyCategory.name, CompetencyCategory, names)
    ] + [
        (
            code,
            identifier,
            gettext("A competency with the code %(code)s is here already", code=code),
        )
        for code, identifier in _held(Competency.code, Competency, codes)
    ]
    result.problems += [
        rules.LeftOut(
            identifier, value, gettext("%(clash)s, with another CASE identifier.", clash=words)
        )
        for value, identifier, words in held
        if identifier not in incoming
    ]
    _descriptor_clashes(result)
    twice = (
        (names, N_("The package has more than one category called %(value)s.")),
        (codes, N_("The package has more than one competency coded %(value)s.")),
    )
    for seen, words in twice:
        result.problems += [
            rules.LeftOut("", value, gettext(words, value=value))
            for value, times in sorted(Counter(seen).items())
            if times > 1
        ]


def _held(column, model, values: list[str]) -> list[tuple[str, str]]:
    """(value, CASE identifier) of the rows here whose `column` is one of the values."""
    rows = []
    for chunk in _chunks(values):
        rows += db.session.execute(
            sa.select(column, model.case_identifier).where(column.in_(chunk))
        ).all()
    return rows


def _descriptor_clashes(result: Plan) -> None:
    """A step's identifier that another competency's step (or another step) holds here."""
    wanted = {
        d.identifier: (c.identifier, d.level)
        for c in result.read.competencies
        for d in c.descriptors
    }
    for chunk in _chunks(list(wanted)):
        rows = db.session.execute(
            sa.select(
                ProficiencyDescriptor.case_identifier,
                Competency.case_identifier,
                Competency.code,
                ProficiencyDescriptor.level,
            )
            .join(Competency, Competency.id == ProficiencyDescriptor.competency_id)
            .where(ProficiencyDescriptor.case_identifier.in_(chunk))
        )
        for identifier, competency, code, level in rows:
            if wanted[identifier] != (competency, level):
                result.problems.append(
                    rules.LeftOut(
                        identifier,
                        gettext("%(code)s step %(level)s", code=code, level=level),
                        gettext("This skill level's identifier belongs here to another step."),
                    )
                )


def _left_alone(result: Plan) -> list[str]:
    """The competencies here that the package does not name: an import leaves them as they are."""
    named = [c.identifier for c in result.read.competencies]
    stmt = sa.select(Competency.code, Competency.name).order_by(Competency.code)
    if named:
        stmt = stmt.where(Competency.case_identifier.not_in(named))
    return [f"{code} {name}" for code, name in db.session.execute(stmt)]


def preview(data: bytes) -> dict:
    """What importing the package would do, kept as the check's result for its page."""
    read = reading.read_package(reading.parse(data), clock.now())
    found = plan(read)
    changes = found.changes
    return {
        "ok": not found.problems,
        "sha256": hashlib.sha256(data).hexdigest(),
        "fingerprint": found.fingerprint,
        "title": read.document.title,
        "item_count": read.item_count,
        "association_count": read.association_count,
        "change_count": len(changes),
        "added": sum(change.is_new for change in changes if change.kind != "document"),
        "changed": sum(not change.is_new for change in changes if change.kind != "document"),
        "unchanged": len(found.unchanged),
        "changes": [change.shown() for change in changes[:PREVIEW_ITEMS]],
        "left_alone_count": len(found.left_alone),
        "left_alone": found.left_alone[:PREVIEW_ITEMS],
        "left_out_count": len(read.left_out),
        "left_out": [vars(item) for item in read.left_out[:PREVIEW_ITEMS]],
        "gathered": read.gathered,
        "gathered_under": read.gathered_under,
        "problems": [vars(item) for item in found.problems[:PREVIEW_ITEMS]],
        "document_kept": not found.adopt_document,
    }
