"""A certificate as an Open Badges 3.0 credential its holder carries: what it certified (the
course, the session, the competency levels) as kept at issue, signed by the city."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext, ngettext

from academy import records
from academy.models import Certificate
from civicladder import credentials
from civicladder.db import db
from civicladder.errors import Conflict
from civicladder.languages import N_, written_in
from civicladder.layout import format_date
from competencies.rules import PROFICIENCY_SCALE, level_name
from people.learner_record import RecordItem, RecordSection, register_section
from people.models import Employee

STATUS_LIST = "certificates"


def filename(certificate: Certificate) -> str:
    return f"certificate-{certificate.code}.jwt"


def signed(certificate: Certificate) -> str:
    """The certificate's credential, signed (a VC-JWT). A revoked certificate has none."""
    if certificate.revoked:
        raise Conflict(
            gettext(
                "This certificate was revoked on %(day)s: there is no credential to download.",
                day=format_date(certificate.revoked_at),
            )
        )
    return credentials.sign(credential(certificate))


def credential(certificate: Certificate) -> dict:
    """The OpenBadgeCredential for the certificate, unsigned. Built from what the certificate
    kept at issue, so the same certificate always gives the same credential: in English (the
    levels' names included), whoever downloads it and whatever language their pages are in."""
    with written_in(None):
        return _credential(certificate)


def _credential(certificate: Certificate) -> dict:
    holder = certificate.enrollment.employee
    issued = credentials.day_start(certificate.issued_on)
    body = {
        "@context": [credentials.VC_CONTEXT, credentials.OB_CONTEXT],
        "id": credentials.stable_id("academy", "certificate", certificate.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": credentials.issuer(),
        "name": f"Certificate: {certificate.course_title}",
        "validFrom": credentials.timestamp(issued),
        "awardedDate": credentials.timestamp(issued),
        "credentialSubject": {
            "id": credentials.stable_id("people", "employee", holder.id),
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": holder.full_name,
                }
            ],
            "activityStartDate": credentials.timestamp(
                credentials.day_start(certificate.first_day)
            ),
            "activityEndDate": credentials.timestamp(credentials.day_start(certificate.last_day)),
            "achievement": achievement(certificate),
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": _result_id(certificate, g.code),
                    "achievedLevel": _level_id(g.level),
                }
                for g in certificate.granted
            ],
        },
        "credentialStatus": credentials.status_entry(STATUS_LIST, certificate.id),
    }
    if certificate.expires_on is not None:
        body["validUntil"] = credentials.timestamp(credentials.day_start(certificate.expires_on))
    return body


def achievement(certificate: Certificate) -> dict:
    """The course as the certificate kept it, and the competency levels it certifies."""
    granted = certificate.granted
    certifies = "; ".join(f"{g.name} at level {level_name(g.level)}" for g in granted)
    session = (
        f"{certificate.last_day:%Y-%m-%d}"
        if certificate.first_day == certificate.last_day
        else f"{certificate.first_day:%Y-%m-%d} to {certificate.last_day:%Y-%m-%d}"
    )
    taught = f", taught by {certificate.instructor_name}" if certificate.instructor_name else ""
    return {
        "id": credentials.stable_id("academy", "course", certificate.course_code),
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": certificate.course_title,
        "humanCode": certificate.course_code,
        "description": (
            f"{certificate.course_title} ({certificate.course_code}), a {certificate.hours}-hour "
            f"course of {current_app.config['CITY_NAME']}'s training academy"
            + (f". It certifies {certifies}." if certifies else ".")
        ),
        "criteria": {
            "narrative": (
                f"Attended the session of {session}{taught} and was recorded as having "
                "completed it; each competency level the course grants was then recorded as "
                "verified evidence."
            )
        },
        "creator": credentials.issuer(),
        "alignment": [_alignment(g.code, g.name) for g in granted],
        "resultDescription": [
            {
                "id": _result_id(certificate, g.code),
                "type": ["ResultDescription"],
                "name": f"{g.name} ({g.code})",
                "resultType": "PerformanceLevel",
                "alignment": [_alignment(g.code, g.name)],
                "rubricCriterionLevel": [
                    {
                        "id": _level_id(level),
                        "type": ["RubricCriterionLevel"],
                        "name": name,
                        "level": str(level),
                    }
                    for level, name in PROFICIENCY_SCALE.items()
                ],
                "requiredLevel": _level_id(g.level),
            }
            for g in granted
        ],
    }


def _alignment(code: str, name: str) -> dict:
    return {
        "type": ["Alignment"],
        "targetType": "ceasn:Competency",
        "targetCode": code,
        "targetName": name,
        "targetUrl": f"{credentials.base_url()}/competencies",
    }


def _result_id(certificate: Certificate, competency_code: str) -> str:
    return credentials.stable_id("academy", "course", certificate.course_code, competency_code)


def _level_id(level: int) -> str:
    return credentials.stable_id("competencies", "proficiency-level", level)


# --- the published list of revoked certificates -----------------------------------------------


def _revoked(index: int) -> bool:
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(Certificate.id == index, Certificate.revoked_at.is_not(None))
            )
        )
    )


def _revoked_among(indexes) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Certificate.id).where(
                Certificate.id.in_(list(indexes)), Certificate.revoked_at.is_not(None)
            )
        )
    )


def _revoked_indexes() -> list[int]:
    return list(
        db.session.scalars(sa.select(Certificate.id).where(Certificate.revoked_at.is_not(None)))
    )


def _highest_index() -> int:
    return db.session.scalar(sa.select(sa.func.max(Certificate.id))) or 0


# --- the learner record's certificates -------------------------------------------------------


def record_items(employee: Employee) -> list[RecordItem]:
    """The certificates that still count (not revoked), newest first, each as the credential
    its holder downloads on its own (in English) and in the reader's words (one query)."""
    found = [c for c in records.certificates_of(employee.id) if not c.revoked]
    return [
        RecordItem(credential(c), f"{c.course_title} ({c.course_code})", _record_lines(c))
        for c in found
    ]


def _record_lines(c: Certificate) -> tuple[str, ...]:
    """What the record's page and PDF say of a certificate, in the reader's language."""
    dates = (
        c.last_day.isoformat()
        if c.first_day == c.last_day
        else gettext(
            "%(start)s to %(end)s", start=c.first_day.isoformat(), end=c.last_day.isoformat()
        )
    )
    facts = gettext(
        "%(hours)s, %(dates)s; certificate %(code)s",
        hours=ngettext("%(num)s hour", "%(num)s hours", c.hours),
        dates=dates,
        code=c.code,
    )
    if c.expires_on:
        facts += "; " + gettext("valid until %(day)s", day=c.expires_on.isoformat())
    lines = [facts]
    lines += [
        gettext(
            "Certifies %(competency)s at level %(level)s",
            competency=g.name,
            level=level_name(g.level),
        )
        for g in c.granted
    ]
    return tuple(lines)


def register(app: Flask) -> None:
    """Publish the certificates' status list: a certificate's bit is its id; and put the
    certificates in the learner record."""
    register_section(app, RecordSection("certificates", N_("Certificates"), 10, record_items))
    credentials.register_status_list(
        app,
        credentials.StatusList(
            STATUS_LIST,
            "Revoked certificates",
            _revoked,
            _revoked_indexes,
            _highest_index,
            among=_revoked_among,
        ),
    )
