"""An autonomy level a person holds as an Open Badges 3.0 credential they carry: the level, what
it lets them do alone (its discretion items), and the competency levels it rests on, signed by
the city. A grant that is lowered or superseded reads as revoked in the published status list."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext
from sqlalchemy.orm import joinedload

from autonomy.models import AutonomyGrant, AutonomyLevel, GrantStatus, LevelRequirement
from civicladder import credentials
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, NotFound
from civicladder.languages import N_, written_in
from competencies.rules import level_name
from people import queries as people_queries
from people.learner_record import RecordItem, RecordSection, register_section
from people.models import Employee

STATUS_LIST = "autonomy-levels"
# A grant that ended: its credential no longer counts.
ENDED = (GrantStatus.SUPERSEDED, GrantStatus.REVOKED)


def may_download(user, grant: AutonomyGrant) -> bool:
    """The level's credential is its holder's to carry (and HR's to hand over)."""
    return user.has_role(Role.HR) or grant.employee_id == people_queries.own_employee_id(user)


def _grant_statement() -> sa.Select:
    return sa.select(AutonomyGrant).options(
        joinedload(AutonomyGrant.employee),
        joinedload(AutonomyGrant.level).joinedload(AutonomyLevel.track),
        joinedload(AutonomyGrant.level).selectinload(AutonomyLevel.discretion),
        joinedload(AutonomyGrant.level)
        .selectinload(AutonomyLevel.requirements)
        .joinedload(LevelRequirement.competency),
    )


def own_grant(user, grant_id: int) -> AutonomyGrant:
    """The grant with all its credential says, for its holder or HR; else 404."""
    found = db.session.scalar(_grant_statement().where(AutonomyGrant.id == grant_id))
    if found is None or not may_download(user, found):
        raise NotFound(gettext("There is no autonomy level at this address that you can download."))
    return found


def filename(grant: AutonomyGrant) -> str:
    return f"autonomy-level-{grant.level.rank}-{grant.id}.jwt"


def signed(grant: AutonomyGrant) -> str:
    """The held level's credential, signed (a VC-JWT). Only a level held now has one."""
    if grant.status != GrantStatus.ACTIVE:
        raise Conflict(
            gettext(
                "This level is not held now (%(status)s): there is no credential to download.",
                status=gettext(grant.status.label).lower(),
            )
        )
    return credentials.sign(credential(grant))


def credential(grant: AutonomyGrant) -> dict:
    """The OpenBadgeCredential for the grant, unsigned. In English (the levels' names and the
    limits of its discretion included), whoever downloads it and whatever language their pages
    are in, as the certificates' and competency levels' credentials are."""
    with written_in(None):
        return _credential(grant)


def _credential(grant: AutonomyGrant) -> dict:
    level = grant.level
    effective = credentials.timestamp(credentials.day_start(grant.effective_on))
    return {
        "@context": [credentials.VC_CONTEXT, credentials.OB_CONTEXT],
        "id": credentials.stable_id("autonomy", "grant", grant.id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": credentials.issuer(),
        "name": f"Autonomy level {level.rank}: {level.name} ({level.track.name})",
        "validFrom": effective,
        "awardedDate": effective,
        "credentialSubject": {
            "id": credentials.stable_id("people", "employee", grant.employee_id),
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": grant.employee.full_name,
                }
            ],
            "achievement": achievement(level),
        },
        "credentialStatus": credentials.status_entry(STATUS_LIST, grant.id),
    }


def achievement(level: AutonomyLevel) -> dict:
    """The level as defined for this grant (a revised level is a new version, with its own id)."""
    items = [item.describe() for item in level.discretion]
    needs = [
        f"{r.competency.name} at level {level_name(r.min_level)} or above"
        for r in level.requirements
    ]
    criteria = [
        "Shown, by verified evidence, " + "; ".join(needs) if needs else "",
        f"At least {level.min_months} months at the level below" if level.min_months else "",
        _outcome_words(level),
        "Granted by a manager (a person decides: the evidence makes one eligible)",
    ]
    return {
        "id": credentials.stable_id("autonomy", "level", level.id),
        "type": ["Achievement"],
        "achievementType": "ext:AutonomyLevel",
        "name": f"{level.track.name}, level {level.rank}: {level.name}",
        "humanCode": f"{level.track.code}-{level.rank}",
        "description": (
            f"Level {level.rank} of {current_app.config['CITY_NAME']}'s {level.track.name} "
            "autonomy track. It lets its holder act alone on: " + "; ".join(items) + "."
            if items
            else f"Level {level.rank} of the {level.track.name} autonomy track."
        ),
        "criteria": {"narrative": ". ".join(c for c in criteria if c) + "."},
        "creator": credentials.issuer(),
        "tag": [item.key for item in level.discretion],
        "alignment": [
            {
                "type": ["Alignment"],
                "targetType": "ceasn:Competency",
                "targetCode": r.competency.code,
                "targetName": r.competency.name,
                "targetDescription": f"At least level {level_name(r.min_level)}",
                "targetUrl": f"{credentials.base_url()}/competencies",
            }
            for r in level.requirements
        ],
    }


def _outcome_words(level: AutonomyLevel) -> str:
    if level.outcome_metric_id is None:
        return ""
    metric = level.outcome_metric
    side = "at least" if metric.higher_is_better else "at most"
    return (
        f"{metric.name} {side} {level.outcome_threshold:g}{metric.unit} on average over the "
        f"last {level.outcome_window_days} days"
    )


# --- the published list of levels no longer held -----------------------------------------------


def _revoked(index: int) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.exists().where(AutonomyGrant.id == index, AutonomyGrant.status.in_(ENDED)))
        )
    )


def _revoked_among(indexes) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(AutonomyGrant.id).where(
                AutonomyGrant.id.in_(list(indexes)), AutonomyGrant.status.in_(ENDED)
            )
        )
    )


def _revoked_indexes() -> list[int]:
    return list(
        db.session.scalars(sa.select(AutonomyGrant.id).where(AutonomyGrant.status.in_(ENDED)))
    )


def _highest_index() -> int:
    return db.session.scalar(sa.select(sa.func.max(AutonomyGrant.id))) or 0


# --- the learner record's levels held ----------------------------------------------------------


def record_items(employee: Employee) -> list[RecordItem]:
    """The level held now, as the credential its holder downloads on its own."""
    held = db.session.scalars(
        _grant_statement().where(
            AutonomyGrant.employee_id == employee.id, AutonomyGrant.status == GrantStatus.ACTIVE
        )
    ).unique()
    return [
        RecordItem(
            credential(grant),
            gettext(
                "%(track)s, level %(rank)s: %(level)s",
                track=grant.level.track.name,
                rank=grant.level.rank,
                level=grant.level.name,
            ),
            (gettext("Held since %(day)s", day=grant.effective_on.isoformat()),)
            + tuple(item.describe() for item in grant.level.discretion),
        )
        for grant in held
    ]


def register(app: Flask) -> None:
    """Publish the levels' status list: a grant's bit is its id, set once it is lowered or
    superseded; and put the level held in the learner record."""
    register_section(
        app, RecordSection("autonomy_levels", N_("Autonomy levels held"), 30, record_items)
    )
    credentials.register_status_list(
        app,
        credentials.StatusList(
            STATUS_LIST,
            "Autonomy levels no longer held",
            _revoked,
            _revoked_indexes,
            _highest_index,
            among=_revoked_among,
        ),
    )
