"""Reading a CASE package written elsewhere into what the framework can hold (pure).

The package's tree of isChildOf associations places its items: the items just under the
document are categories, the items under those are competencies, and the skill levels
(hasSkillLevel) of a competency are its scale. A package may also place competencies straight
under the document, with no category: an item there with nothing under it that reads as a
competency (a code, the type "Competency", or skill levels) is one, and since every competency
here has a category, those go together under one category named for the document (its
identifier made from the document's, so a re-import finds it again). Anything else (items
deeper in the tree or outside it, associations other than these) is listed as left out, never
dropped without a word.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from flask_babel import gettext

from civicladder.errors import Invalid
from competencies.case.rules import (
    CATEGORY_TYPE,
    CHILD_OF,
    CODE_LENGTH,
    CODE_PATTERN,
    COMPETENCY_NAME_LENGTH,
    COMPETENCY_TYPE,
    NAME_LENGTH,
    SKILL_LEVEL,
    TITLE_LENGTH,
    UUID_PATTERN,
    CategoryFacts,
    CompetencyFacts,
    Descriptor,
    DocumentFacts,
    LeftOut,
    ReadPackage,
    read_time,
)
from competencies.rules import LEVELS

# The category that holds a package's competencies placed straight under its document.
GATHERED_NAMESPACE = uuid.UUID("5e0f3b8a-2c71-4d96-8a4e-9b1d7c3f6a52")


def parse(data: bytes) -> dict:
    """The package's JSON, or Invalid saying plainly why it is not a CASE package."""
    try:
        package = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise Invalid(
            gettext("The file is not text in UTF-8, so it cannot be a CASE package.")
        ) from None
    except (json.JSONDecodeError, RecursionError) as error:
        if isinstance(error, json.JSONDecodeError):
            why = gettext(
                "The file is not JSON (line %(line)s), so it cannot be a CASE package.",
                line=error.lineno,
            )
        else:
            why = gettext("The file is not JSON, so it cannot be a CASE package.")
        raise Invalid(why) from None
    if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
        raise Invalid(gettext("The file is JSON but not a CASE package: it has no CFDocument."))
    document = package["CFDocument"]
    if not _is_uuid(document.get("identifier")):
        raise Invalid(gettext("The package's CFDocument has no identifier (a UUID)."))
    for key in ("CFItems", "CFAssociations"):
        if not isinstance(package.get(key, []), list):
            raise Invalid(gettext("The package's %(key)s is not a list.", key=key))
    return package


def _is_uuid(value: object) -> bool:
    return isinstance(value, str) and bool(UUID_PATTERN.match(value))


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _shortened(text: str, length: int) -> str:
    """A name from a statement too long to be one: cut at a word, marked as cut."""
    if len(text) <= length:
        return text
    cut = text[: length - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def read_package(package: dict, now: datetime) -> ReadPackage:
    """What of a parsed package the framework can hold (`now` dates what the package does not)."""
    raw_document = package["CFDocument"]
    doc_id = raw_document["identifier"].lower()
    document = DocumentFacts(
        identifier=doc_id,
        title=_shortened(_text(raw_document.get("title")) or "Competency framework", TITLE_LENGTH),
        creator=_shortened(_text(raw_document.get("creator")), TITLE_LENGTH),
        changed_at=read_time(raw_document.get("lastChangeDateTime")) or now,
    )
    reader = _Reader(doc_id, now)
    reader.take_items(package.get("CFItems", []))
    reader.take_associations(package.get("CFAssociations", []))
    categories = reader.categories()
    competencies = reader.competencies()
    gathered = [c for c in competencies if c.identifier in reader.loose]
    under = next((c for c in categories if c.identifier == reader.gathered_identifier), None)
    if gathered and under is None:
        # (A package exported from here after such an import holds the category itself.)
        under = _gathering_category(document, reader.gathered_identifier)
        categories.append(under)
    return ReadPackage(
        document=document,
        categories=categories,
        competencies=competencies,
        left_out=reader.left_out,
        item_count=len(package.get("CFItems", [])),
        association_count=len(package.get("CFAssociations", [])),
        gathered=len(gathered),
        gathered_under=under.name if gathered and under else "",
    )


def gathered_identifier(doc_id: str) -> str:
    """The CASE identifier of the category that holds a document's uncategorised competencies."""
    return str(uuid.uuid5(GATHERED_NAMESPACE, doc_id))


def _gathering_category(document: DocumentFacts, identifier: str) -> CategoryFacts:
    return CategoryFacts(
        identifier,
        _shortened(document.title, NAME_LENGTH),
        f"The competencies the CASE package “{document.title}” places directly under its "
        "document, with no category.",
        document.changed_at,
    )


class _Reader:
    """The package's items and tree, read once; what fits the framework taken from them."""

    def __init__(self, doc_id: str, now: datetime):
        self.doc_id = doc_id
        self.now = now
        self.items: dict[str, dict] = {}
        self.parent: dict[str, str] = {}
        self.levels: dict[str, list[tuple[str, int | None]]] = {}
        self.left_out: list[LeftOut] = []
        self.gathered_identifier = gathered_identifier(doc_id)
        self._categories: dict[str, CategoryFacts] = {}
        self.loose: set[str] = set()  # competencies straight under the document
        self._steps_taken: set[str] = set()

    def take_items(self, raw_items: list) -> None:
        for number, raw in enumerate(raw_items, start=1):
            if not isinstance(raw, dict) or not _is_uuid(raw.get("identifier")):
                self.left_out.append(
                    LeftOut(
                        "",
                        gettext("Item %(num)s", num=number),
                        gettext("It has no identifier."),
                    )
                )
                continue
            identifier = raw["identifier"].lower()
            if identifier in self.items:
                self.left_out.append(
                    LeftOut(
                        identifier,
                        _label(raw),
                        gettext("Its identifier appears twice; kept once."),
                    )
                )
                continue
            self.items[identifier] = raw

    def take_associations(self, raw_associations: list) -> None:
        for number, raw in enumerate(raw_associations, start=1):
            kind = raw.get("associationType") if isinstance(raw, dict) else None
            origin = _node(raw, "originNodeURI")
            destination = _node(raw, "destinationNodeURI")
            placed = destination == self.doc_id or destination in self.items
            if kind == CHILD_OF and origin in self.items and origin not in self.parent and placed:
                self.parent[origin] = destination
                continue
            if kind == SKILL_LEVEL and origin in self.items and destination in self.items:
                number_given = raw.get("sequenceNumber")
                self.levels.setdefault(origin, []).append(
                    (destination, number_given if isinstance(number_given, int) else None)
                )
                continue
            self.left_out.append(_association_left_out(raw, number, kind, self.items))

    def categories(self) -> list[CategoryFacts]:
        holding = set(self.parent.values())
        for identifier, raw in self.items.items():
            if self.parent.get(identifier) != self.doc_id:
                continue
            if identifier not in holding and self._reads_as_competency(identifier, raw):
                self.loose.add(identifier)
                continue
            statement = _text(raw.get("abbreviatedStatement")) or _text(raw.get("fullStatement"))
            if not statement:
                no_statement = gettext("It has no statement.")
                self.left_out.append(LeftOut(identifier, _label(raw), no_statement))
                continue
            name = _shortened(statement, NAME_LENGTH)
            notes = _text(raw.get("notes"))
            if name != statement:
                notes = "\n\n".join(part for part in (statement, notes) if part)
            self._categories[identifier] = CategoryFacts(
                identifier, name, notes, read_time(raw.get("lastChangeDateTime")) or self.now
            )
        return list(self._categories.values())

    def _reads_as_competency(self, identifier: str, raw: dict) -> bool:
        """An item under the document with nothing under it, that is no category by its type,
        and has what a competency has: a code, the type, or skill levels."""
        kind = _text(raw.get("CFItemType"))
        if kind == CATEGORY_TYPE:
            return False
        code = _text(raw.get("humanCodingScheme"))
        return bool(code) or kind == COMPETENCY_TYPE or identifier in self.levels

    def competencies(self) -> list[CompetencyFacts]:
        found: list[CompetencyFacts] = []
        scale_items: set[str] = set()
        for identifier, raw in self.items.items():
            parent = self.parent.get(identifier)
            if identifier in self.loose:
                parent = self.gathered_identifier
            elif identifier in self._categories or parent not in self._categories:
                continue
            competency = self._competency(identifier, raw, parent)
            if competency is not None:
                competency.descriptors = self._descriptors(identifier, competency.code)
                scale_items.update(d.identifier for d in competency.descriptors)
                found.append(competency)
        placed = set(self._categories) | {c.identifier for c in found} | scale_items
        for identifier, raw in self.items.items():
            if identifier not in placed and not self._already_left_out(identifier):
                self.left_out.append(LeftOut(identifier, _label(raw), self._why_not(identifier)))
        return found

    def _competency(self, identifier: str, raw: dict, parent: str) -> CompetencyFacts | None:
        code = _text(raw.get("humanCodingScheme")).upper()
        full = _text(raw.get("fullStatement"))
        abbreviated = _text(raw.get("abbreviatedStatement"))
        if not code or len(code) > CODE_LENGTH or not CODE_PATTERN.match(code):
            if not code:
                reason = gettext(
                    "It has no code (humanCodingScheme), which every competency needs."
                )
            elif len(code) > CODE_LENGTH:
                reason = gettext(
                    "Its code (humanCodingScheme) is longer than %(num)s characters.",
                    num=CODE_LENGTH,
                )
            else:
                reason = gettext(
                    "Its code (humanCodingScheme) has characters other than letters, digits, "
                    "dots, dashes and underscores."
                )
            self.left_out.append(LeftOut(identifier, _label(raw), reason))
            return None
        if not (full or abbreviated):
            self.left_out.append(LeftOut(identifier, _label(raw), gettext("It has no statement.")))
            return None
        name = _shortened(abbreviated or full, COMPETENCY_NAME_LENGTH)
        description = full if full != name else ""
        notes = _text(raw.get("notes"))
        description = "\n\n".join(part for part in (description, notes) if part)
        return CompetencyFacts(
            identifier=identifier,
            code=code,
            name=name,
            description=description,
            category=parent,
            changed_at=read_time(raw.get("lastChangeDateTime")) or self.now,
        )

    def _descriptors(self, competency: str, code: str) -> list[Descriptor]:
        steps: dict[int, Descriptor] = {}
        for identifier, number in self.levels.get(competency, []):
            raw = self.items[identifier]
            level = number if number is not None else _enumerated(raw)
            text = _text(raw.get("fullStatement"))
            if level not in LEVELS:
                reason = gettext(
                    "A skill level of %(code)s whose step is not 1 to 5 (sequenceNumber).",
                    code=code,
                )
            elif level in steps:
                reason = gettext(
                    "A second skill level of %(code)s at step %(level)s.", code=code, level=level
                )
            elif not text:
                reason = gettext(
                    "A skill level of %(code)s with no description of the behaviour.", code=code
                )
            elif identifier in self._steps_taken:
                reason = gettext(
                    "A skill level of %(code)s that is another competency's already.", code=code
                )
            else:
                steps[level] = Descriptor(identifier, level, text)
                self._steps_taken.add(identifier)
                continue
            self.left_out.append(LeftOut(identifier, _label(raw), reason))
        return [steps[level] for level in sorted(steps)]

    def _already_left_out(self, identifier: str) -> bool:
        return any(item.identifier == identifier for item in self.left_out)

    def _why_not(self, identifier: str) -> str:
        parent = self.parent.get(identifier)
        if parent is None:
            return gettext("It is not placed in the framework's tree (no isChildOf association).")
        if parent in self.items and self.parent.get(parent) in self._categories:
            return gettext(
                "It sits below a competency; the framework holds two levels "
                "(categories and their competencies)."
            )
        return gettext("It sits deeper in the tree than categories and their competencies.")


def _enumerated(raw: dict) -> int | None:
    text = _text(raw.get("listEnumeration")).rstrip(".")
    return int(text) if text.isdigit() else None


def _node(raw: object, key: str) -> str | None:
    node = raw.get(key) if isinstance(raw, dict) else None
    identifier = node.get("identifier") if isinstance(node, dict) else None
    return identifier.lower() if isinstance(identifier, str) else None


def _label(raw: dict) -> str:
    code = _text(raw.get("humanCodingScheme"))
    statement = _shortened(
        _text(raw.get("abbreviatedStatement")) or _text(raw.get("fullStatement")), 80
    )
    kind = _text(raw.get("CFItemType"))
    words = " ".join(part for part in (code, statement) if part) or gettext("An item")
    return f"{words} ({kind})" if kind else words


def _association_left_out(raw: object, number: int, kind: object, items: dict) -> LeftOut:
    identifier = raw.get("identifier") if isinstance(raw, dict) else ""
    origin = _node(raw, "originNodeURI")
    origin_label = (
        _label(items[origin]) if origin in items else gettext("an item outside the package")
    )
    kind_words = kind if isinstance(kind, str) and kind else gettext("an association with no type")
    if kind == CHILD_OF:
        reason = gettext(
            "A second parent, or a parent outside the package: the first parent is kept."
        )
    elif kind == SKILL_LEVEL:
        reason = gettext("A skill level of an item outside the package.")
    else:
        reason = gettext("The framework has no place for %(kind)s associations.", kind=kind_words)
    return LeftOut(
        identifier if isinstance(identifier, str) else "",
        gettext(
            "Association %(num)s: %(kind)s from %(origin)s",
            num=number,
            kind=kind_words,
            origin=origin_label,
        ),
        reason,
    )
