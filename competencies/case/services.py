"""Importing a CASE package into the framework: all of it or nothing, with one audit event."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext, ngettext

from civicladder import audit, caching, clock
from civicladder.access import Role, require_role
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, Invalid
from civicladder.models import User
from competencies.case import queries, reading, rules
from competencies.models import (
    Competency,
    CompetencyCategory,
    FrameworkDocument,
    ProficiencyDescriptor,
)
from competencies.queries import FRAMEWORK


class PackageRejected(Invalid):
    """A package whose changes clash with the framework here: nothing is imported."""

    def __init__(self, found: queries.Plan):
        first = found.problems[0]
        more = len(found.problems) - 1
        told = f"{first.label}: {first.reason}"
        if more:
            told += " " + ngettext(
                "(and %(num)s more problem)", "(and %(num)s more problems)", more
            )
        super().__init__(told)
        self.plan = found


def import_package(
    actor: User | None,
    data: bytes,
    *,
    expected_sha256: str | None = None,
    expected_fingerprint: str | None = None,
    filename: str = "",
    on_progress: Callable[[int], None] | None = None,
) -> queries.Plan:
    """Add and change the categories, competencies and scales a CASE package holds, matched
    by CASE identifier (a second import of a package updates what the first added).

    Everything the package holds that the framework cannot is left out, as the preview lists;
    categories and competencies here that the package does not name are left as they are.
    Raises Invalid for a file that is no CASE package, PackageRejected when its names or codes
    clash with others here, and Conflict when the file or its changes differ from what was
    previewed. Records one "competency_framework.imported" event. Does not commit.
    """
    require_role(actor, Role.HR)
    sha256 = hashlib.sha256(data).hexdigest()
    if expected_sha256 is not None and sha256 != expected_sha256:
        raise Conflict(gettext("This is not the file you previewed. Upload it again."))
    kept = queries.document()
    if kept is not None:
        # Of two imports at once, the second waits here and plans against the first's result.
        locked_get(FrameworkDocument, kept.id)
    found = queries.plan(reading.read_package(reading.parse(data), clock.now()))
    if found.problems:
        raise PackageRejected(found)
    if expected_fingerprint is not None and found.fingerprint != expected_fingerprint:
        raise Conflict(
            gettext(
                "The framework changed after you previewed this package, so the import would "
                "now make different changes. Upload the package again to see them."
            )
        )
    document = _write_document(found, kept)
    categories = _write_categories(found)
    _write_competencies(found, categories)
    if on_progress is not None:
        on_progress(len(found.changes))
    if found.changes:
        caching.bump(FRAMEWORK)
    added = sum(change.is_new for change in found.changes if change.kind != "document")
    audit.record(
        actor,
        "competency_framework.imported",
        document,
        after={
            "file": filename or None,
            "sha256": sha256,
            "document": found.read.document.identifier,
            "added": added,
            "changed": sum(not c.is_new for c in found.changes if c.kind != "document"),
            "unchanged": len(found.unchanged),
            "left_out": len(found.read.left_out),
            "codes": sorted(c.after["code"] for c in found.changes if "code" in c.after),
        },
        label=f"CASE package {found.read.document.title}",
    )
    return found


def _write_document(
    found: queries.Plan, kept: FrameworkDocument | None
) -> FrameworkDocument | None:
    """The package's document becomes the framework's when there is none yet (or it is the
    same one); a framework that has its own keeps it, and takes the package's items."""
    if not any(change.kind == "document" for change in found.changes):
        return kept
    incoming = found.read.document
    if kept is None:
        kept = FrameworkDocument(case_identifier=incoming.identifier)
        db.session.add(kept)
    kept.title, kept.creator = incoming.title, incoming.creator
    kept.changed_at = incoming.changed_at
    db.session.flush()
    return kept


def _write_categories(found: queries.Plan) -> dict[str, int]:
    """Every category the package names, added or updated: their ids by identifier."""
    changed = {change.identifier for change in found.changes if change.kind == "category"}
    ids = {identifier: category.id for identifier, category in found.categories.items()}
    _make_way(found.categories, {c.identifier: c.name for c in found.read.categories}, "name")
    new = []
    for incoming in found.read.categories:
        values = {
            "name": incoming.name,
            "description": incoming.description,
            "changed_at": incoming.changed_at,
        }
        category = found.categories.get(incoming.identifier)
        if category is None:
            new.append(values | {"case_identifier": incoming.identifier})
        elif incoming.identifier in changed:
            for key, value in values.items():
                setattr(category, key, value)
    db.session.flush()
    return ids | _insert(CompetencyCategory, new)


def _make_way(existing: dict, wanted: dict[str, str], key: str) -> None:
    """Names or codes passed around within the package (A's code becomes B's and B's A's):
    each row taking another's first steps aside to a placeholder of its own, so no moment of
    the writing holds one value twice (the unique constraints check each statement)."""
    held = {getattr(row, key) for row in existing.values()}
    moving = [
        row
        for identifier, row in existing.items()
        if wanted[identifier] != getattr(row, key) and wanted[identifier] in held
    ]
    for row in moving:
        setattr(row, key, f"~{row.id}")
    if moving:
        db.session.flush()


def _insert(model, rows: list[dict]) -> dict[str, int]:
    """Add rows in one statement a batch, and return their ids by CASE identifier (the ORM
    would add them one statement each, to learn each id)."""
    if not rows:
        return {}
    db.session.execute(sa.insert(model), rows)
    identifiers = [row["case_identifier"] for row in rows]
    found = {}
    for start in range(0, len(identifiers), 500):
        chunk = identifiers[start : start + 500]
        found.update(
            db.session.execute(
                sa.select(model.case_identifier, model.id).where(model.case_identifier.in_(chunk))
            ).all()
        )
    return found


def _write_competencies(found: queries.Plan, categories: dict[str, int]) -> None:
    changed = {change.identifier for change in found.changes if change.kind == "competency"}
    _make_way(found.competencies, {c.identifier: c.code for c in found.read.competencies}, "code")
    new, new_steps = [], []
    for incoming in found.read.competencies:
        values = {
            "code": incoming.code,
            "name": incoming.name,
            "description": incoming.description,
            "category_id": categories[incoming.category],
            "changed_at": incoming.changed_at,
        }
        competency = found.competencies.get(incoming.identifier)
        if competency is None:
            new.append(values | {"case_identifier": incoming.identifier})
            new_steps += [(incoming.identifier, step) for step in incoming.descriptors]
            continue
        if incoming.identifier not in changed and _same_identifiers(competency, incoming):
            continue
        for key, value in values.items():
            setattr(competency, key, value)
        by_level = {d.level: d for d in competency.descriptors}
        for step in incoming.descriptors:
            descriptor = by_level.get(step.level)
            if descriptor is None:
                descriptor = ProficiencyDescriptor(level=step.level)
                competency.descriptors.append(descriptor)
            descriptor.descriptor, descriptor.case_identifier = step.text, step.identifier
    db.session.flush()
    ids = _insert(Competency, new)
    if new_steps:
        db.session.execute(
            sa.insert(ProficiencyDescriptor),
            [
                {
                    "competency_id": ids[identifier],
                    "level": step.level,
                    "descriptor": step.text,
                    "case_identifier": step.identifier,
                }
                for identifier, step in new_steps
            ],
        )


def _same_identifiers(competency: Competency, incoming: rules.CompetencyFacts) -> bool:
    """Whether the scale steps here already carry the package's identifiers."""
    held = {d.level: d.case_identifier for d in competency.descriptors}
    return all(held.get(step.level) == step.identifier for step in incoming.descriptors)


def import_checked_package(
    actor: User | None, data: bytes, preview: dict, filename: str, on_progress=None
) -> dict:
    """The write of an import started from the web (`civicladder.import_jobs`): the package
    HR saw previewed, refused when it or the changes it makes differ now. Returns the summary
    its page shows."""
    from flask import url_for

    try:
        found = import_package(
            actor,
            data,
            expected_sha256=preview["sha256"],
            expected_fingerprint=preview["fingerprint"],
            filename=filename,
            on_progress=on_progress,
        )
    except PackageRejected as rejected:
        raise Conflict(rejected.message) from None
    added = sum(change.is_new for change in found.changes if change.kind != "document")
    changed = sum(not change.is_new for change in found.changes if change.kind != "document")
    return {
        "message": gettext(
            "Framework imported: %(added)s added, %(changed)s changed, %(unchanged)s "
            "unchanged, %(left_out)s left out.",
            added=added,
            changed=changed,
            unchanged=len(found.unchanged),
            left_out=len(found.read.left_out),
        ),
        "link": url_for("competencies.framework"),
        "link_text": gettext("See the framework"),
    }
