"""A competency level an employee holds as an Open Badges 3.0 credential, carried in their
learner record: the level derived from the evidence that still counts, each piece of that
evidence named with its source, date and who verified it."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import Flask
from flask_babel import gettext
from sqlalchemy.orm import joinedload

from civicladder import clock, credentials
from civicladder.db import db
from civicladder.languages import N_, written_in
from competencies.models import CompetencyEvidence
from competencies.queries import still_counts
from competencies.rules import PROFICIENCY_SCALE, level_name
from people.learner_record import RecordItem, RecordSection, register_section
from people.models import Employee


def counting_evidence(employee_id: int) -> dict[int, list[CompetencyEvidence]]:
    """The employee's evidence that counts today, by competency (one query)."""
    rows = db.session.scalars(
        sa.select(CompetencyEvidence)
        .options(
            joinedload(CompetencyEvidence.competency),
            joinedload(CompetencyEvidence.verified_by),
        )
        .where(CompetencyEvidence.employee_id == employee_id, still_counts(clock.today()))
        .order_by(
            CompetencyEvidence.competency_id,
            CompetencyEvidence.level.desc(),
            CompetencyEvidence.observed_on.desc(),
            CompetencyEvidence.id,
        )
    )
    found: dict[int, list[CompetencyEvidence]] = defaultdict(list)
    for row in rows:
        found[row.competency_id].append(row)
    return found


def credential(employee: Employee, evidence: list[CompetencyEvidence]) -> dict:
    """The OpenBadgeCredential for the level `evidence` (one competency's, highest level first)
    makes current: valid from when that level was first shown, until the last of that level's
    evidence lapses (if it all does). In English (the levels' names included), whoever
    downloads it: the same evidence always gives the same credential."""
    with written_in(None):
        return _credential(employee, evidence)


def _credential(employee: Employee, evidence: list[CompetencyEvidence]) -> dict:
    competency = evidence[0].competency
    level = evidence[0].level
    at_level = [e for e in evidence if e.level == level]
    since = min(e.observed_on for e in at_level)
    body = {
        "@context": [credentials.VC_CONTEXT, credentials.OB_CONTEXT],
        "id": credentials.stable_id(
            "competencies", "level", employee.id, competency.code, level, since
        ),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": credentials.issuer(),
        "name": f"{competency.name}: level {level_name(level)}",
        "validFrom": credentials.timestamp(credentials.day_start(since)),
        "awardedDate": credentials.timestamp(credentials.day_start(since)),
        "credentialSubject": {
            "id": credentials.stable_id("people", "employee", employee.id),
            "type": ["AchievementSubject"],
            "achievement": achievement(competency),
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": _result_id(competency.code),
                    "achievedLevel": _level_id(level),
                }
            ],
        },
        "evidence": [_evidence(e) for e in evidence],
    }
    if all(e.expires_on is not None for e in at_level):
        last = max(e.expires_on for e in at_level)
        body["validUntil"] = credentials.timestamp(credentials.day_start(last))
    return body


def achievement(competency) -> dict:
    return {
        "id": credentials.stable_id("competencies", "competency", competency.code),
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": competency.name,
        "humanCode": competency.code,
        "description": competency.description or competency.name,
        "criteria": {
            "narrative": (
                "The level is the highest shown by verified evidence that still counts "
                "(a hiring assessment, a completed course, a manager's validation or an "
                "imported record), on the city's five-step proficiency scale."
            )
        },
        "creator": credentials.issuer(),
        "resultDescription": [
            {
                "id": _result_id(competency.code),
                "type": ["ResultDescription"],
                "name": f"{competency.name} ({competency.code})",
                "resultType": "PerformanceLevel",
                "rubricCriterionLevel": [
                    {
                        "id": _level_id(n),
                        "type": ["RubricCriterionLevel"],
                        "name": name,
                        "level": str(n),
                    }
                    for n, name in PROFICIENCY_SCALE.items()
                ],
            }
        ],
    }


def _evidence(e: CompetencyEvidence) -> dict:
    return {
        "id": credentials.stable_id("competencies", "evidence", e.id),
        "type": ["Evidence"],
        "name": e.source.label,
        "narrative": source_words(e),
    }


def source_words(e: CompetencyEvidence) -> str:
    """Where a piece of evidence came from, in the language being written (English inside a
    credential, the reader's on the learner record's page and PDF)."""
    words = gettext(
        "%(source)s: level %(level)s on %(day)s",
        source=gettext(e.source.label),
        level=level_name(e.level),
        day=e.observed_on.isoformat(),
    )
    if e.verified_by is not None:
        words += ", " + gettext("verified by %(name)s", name=e.verified_by.full_name)
    if e.expires_on:
        words += ", " + gettext("counts until %(day)s", day=e.expires_on.isoformat())
    return words


def _result_id(code: str) -> str:
    return credentials.stable_id("competencies", "competency", code, "level")


def _level_id(level: int) -> str:
    return credentials.stable_id("competencies", "proficiency-level", level)


def record_items(employee: Employee) -> list[RecordItem]:
    """The learner record's competency levels, by competency code, each as its credential (in
    English) and in the reader's words (one query)."""
    found = counting_evidence(employee.id)
    rows = sorted(found.values(), key=lambda ev: ev[0].competency.code)
    return [
        RecordItem(
            credential(employee, ev),
            gettext(
                "%(competency)s (%(code)s): level %(level)s",
                competency=ev[0].competency.name,
                code=ev[0].competency.code,
                level=level_name(ev[0].level),
            ),
            tuple(source_words(e) for e in ev),
        )
        for ev in rows
    ]


def register(app: Flask) -> None:
    register_section(
        app, RecordSection("competency_levels", N_("Competency levels"), 20, record_items)
    )
