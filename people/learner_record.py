"""An employee's learner record: one signed CLR 2.0 ClrCredential (and a printable PDF) of
everything the city has verified about them, gathered from the packages that verify things.

The record lives with the people it describes; what it holds comes from above. Each package
registers a section (`register_section`): a function giving, for one employee, the items it
vouches for, each the same unsigned Open Badges credential that package signs on its own (a
certificate, a competency level with its evidence, an autonomy level held). The record embeds
those credentials in its ClrSubject and signs the whole with the city's key, as a VC-JWT.
Every issue, by the person or by HR (at separation, say), is an audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app, render_template
from flask_babel import gettext

from civicladder import audit, clock, credentials, querying
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Invalid, NotFound
from civicladder.languages import written_in
from people import queries
from people.models import Employee, EmployeeStatus

FORMATS = {"jwt": credentials.MEDIA_TYPE, "pdf": "application/pdf"}
_SECTIONS = "people.learner_record_sections"


@dataclass(frozen=True)
class RecordItem:
    """One thing verified: the credential its package builds for it, and plain words."""

    credential: dict
    heading: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordSection:
    """A kind of thing a package verifies (`items(employee)` in a constant number of queries).
    Its title is marked with N_ where it is declared: the page and the PDF translate it, the
    signed record keeps it in English. Each item's credential is in English too; its heading
    and lines are in the language being written (the reader's)."""

    key: str
    title: str
    order: int
    items: Callable[[Employee], list[RecordItem]]


def register_section(app: Flask, section: RecordSection) -> None:
    app.extensions.setdefault(_SECTIONS, {})[section.key] = section


def sections() -> list[RecordSection]:
    found = current_app.extensions.get(_SECTIONS, {}).values()
    return sorted(found, key=lambda s: (s.order, s.key))


@dataclass
class LearnerRecord:
    employee: Employee
    issued_at: datetime
    parts: list[tuple[RecordSection, list[RecordItem]]] = field(default_factory=list)

    @property
    def items(self) -> list[RecordItem]:
        return [item for _section, found in self.parts for item in found]

    @property
    def empty(self) -> bool:
        return not self.items


@dataclass(frozen=True)
class Download:
    data: bytes | str
    mimetype: str
    filename: str


def may_issue(user, employee: Employee) -> bool:
    """A person's record is theirs to download, and HR's to issue (at separation, say)."""
    return user.has_role(Role.HR) or employee.id == queries.own_employee_id(user)


def record_employee(user, employee_id: int) -> Employee:
    """The employee whose record `user` may download; else 404, saying nothing of others."""
    found = db.session.get(Employee, employee_id)
    if found is None or not may_issue(user, found):
        raise NotFound(gettext("There is no learner record at this address that you can download."))
    return found


def gather(employee: Employee) -> LearnerRecord:
    record = LearnerRecord(employee, clock.now())
    for section in sections():
        record.parts.append((section, section.items(employee)))
    return record


def clr_credential(record: LearnerRecord) -> dict:
    """The ClrCredential for the record, unsigned: its subject holds every item's credential,
    and each credential's achievement beside. In English whatever the reader's language, as the
    credentials it holds are (its sections named by their titles as declared)."""
    with written_in(None):
        return _clr_credential(record)


def _clr_credential(record: LearnerRecord) -> dict:
    employee = record.employee
    issued = credentials.timestamp(record.issued_at)
    city = current_app.config["CITY_NAME"]
    embedded = [item.credential for item in record.items]
    return {
        "@context": [credentials.VC_CONTEXT, credentials.CLR_CONTEXT, credentials.OB_CONTEXT],
        "id": credentials.stable_id("people", "learner-record", employee.id, issued),
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": credentials.issuer(),
        "name": f"Learner record: {employee.full_name}",
        "description": (
            f"Everything {city} had verified about {employee.full_name} on "
            f"{record.issued_at.astimezone(querying.display_zone()):%B %-d, %Y}: "
            + "; ".join(f"{s.title.lower()}: {len(found)}" for s, found in record.parts)
            + "."
        ),
        "validFrom": issued,
        "credentialSubject": {
            "id": credentials.stable_id("people", "employee", employee.id),
            "type": ["ClrSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": employee.full_name,
                }
            ],
            "achievement": [c["credentialSubject"]["achievement"] for c in embedded],
            "verifiableCredential": embedded,
        },
    }


def signed(record: LearnerRecord) -> str:
    return credentials.sign(clr_credential(record))


def pdf(record: LearnerRecord) -> bytes:
    from weasyprint import HTML

    html = render_template("people/learner_record_pdf.html", record=record)
    return HTML(string=html).write_pdf()


def issue(actor, employee: Employee, form: str) -> Download:
    """The record as a signed credential ("jwt") or a PDF ("pdf"), for the person or HR, with
    its audit event (who issued whose record, in which form, holding what)."""
    if form not in FORMATS:
        raise Invalid(gettext("Choose the signed credential or the PDF."))
    if not may_issue(actor, employee):
        raise NotFound(gettext("There is no learner record at this address that you can download."))
    return _issued(actor, employee, form)[0]


def issue_to_client(employee_number: str) -> tuple[Download, LearnerRecord]:
    """The signed record of the employee with this number, for an API client whose token
    carries the records scope (the route checks it): recorded in the audit log as the
    client's issue (`audit.acting_as`). NotFound for a number nobody has."""
    number = employee_number.strip()
    employee = None
    if number and len(number) <= 20 and "\x00" not in number:
        employee = db.session.scalar(sa.select(Employee).where(Employee.employee_number == number))
    if employee is None:
        raise NotFound(gettext("No employee has the number %(number)s.", number=number[:20]))
    return _issued(None, employee, "jwt")


def _issued(actor, employee: Employee, form: str) -> tuple[Download, LearnerRecord]:
    record = gather(employee)
    if record.empty:
        raise Conflict(
            gettext(
                "Nothing is verified about %(name)s yet: there is no record to issue.",
                name=employee.full_name,
            )
        )
    data = signed(record) if form == "jwt" else pdf(record)
    audit.record(
        actor,
        "learner_record.issued",
        employee,
        after={"form": form} | {s.key: len(found) for s, found in record.parts},
        reason="At separation" if employee.status == EmployeeStatus.SEPARATED else None,
        label=employee.full_name,
    )
    stamp = f"{record.issued_at.astimezone(querying.display_zone()):%Y-%m-%d}"
    filename = f"learner-record-{employee.employee_number}-{stamp}.{form}"
    return Download(data, FORMATS[form], filename), record
