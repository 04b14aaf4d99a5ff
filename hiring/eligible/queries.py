"""The read side of eligible lists: a job profile's lists with their counts, a list's places."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from civicladder.db import db
from civicladder.models import AuditEvent
from hiring.eligible.models import EligibleList, EligibleListEntry
from hiring.models import Application, ApplicationStatus
from hiring.offers.models import Offer
from hiring.rules import CATEGORY_ORDER, Category
from people.models import JobProfile

# The categories a list holds: nobody rated not qualified is put on one.
LISTED = tuple(c for c in CATEGORY_ORDER if c != Category.NOT)
# Still available for an offer: not offered, hired, declined or withdrawn since.
AVAILABLE = (ApplicationStatus.ASSESSED, ApplicationStatus.SHORTLISTED)


@dataclass(frozen=True)
class Place:
    """A candidate on a list, in the list's order, with where their application stands."""

    application_id: int
    position: int
    candidate_code: str
    full_name: str
    category: Category
    preference: bool
    status: ApplicationStatus
    removed_at: datetime | None
    removal_reason: str | None

    @property
    def available(self) -> bool:
        return self.removed_at is None and self.status in AVAILABLE


def places(list_id: int) -> list[Place]:
    """Every candidate on the list, in its order (one query)."""
    rows = db.session.execute(
        sa.select(
            EligibleListEntry.application_id,
            EligibleListEntry.position,
            Application.candidate_code,
            Application.full_name,
            EligibleListEntry.category,
            EligibleListEntry.preference,
            Application.status,
            EligibleListEntry.removed_at,
            EligibleListEntry.removal_reason,
        )
        .join(Application, Application.id == EligibleListEntry.application_id)
        .where(EligibleListEntry.list_id == list_id)
        .order_by(EligibleListEntry.position)
    ).all()
    return [Place(*row) for row in rows]


def get_list(list_id: int) -> EligibleList | None:
    return db.session.scalar(
        sa.select(EligibleList)
        .where(EligibleList.id == list_id)
        .options(joinedload(EligibleList.round), joinedload(EligibleList.job_profile))
    )


def entry_of(application_id: int) -> EligibleListEntry | None:
    """The application's place on a list, with its list, if it has one."""
    return db.session.scalar(
        sa.select(EligibleListEntry)
        .where(EligibleListEntry.application_id == application_id)
        .options(joinedload(EligibleListEntry.eligible_list))
    )


def lists_statement(job_profile_id: int | None = None, today: date | None = None) -> sa.Select:
    """Lists for HR's page, those still making offers first (by expiry), then expired ones
    (latest first); of one job profile when given."""
    stmt = sa.select(EligibleList).options(
        joinedload(EligibleList.round), joinedload(EligibleList.job_profile)
    )
    if job_profile_id is not None:
        stmt = stmt.where(EligibleList.job_profile_id == job_profile_id)
    active = EligibleList.expires_on >= (today or date.min)
    return stmt.order_by(
        sa.case((active, 0), else_=1),
        sa.case((active, EligibleList.expires_on), else_=None),
        EligibleList.expires_on.desc(),
        EligibleList.id.desc(),
    )


@dataclass(frozen=True)
class ListCounts:
    """How many candidates of each category a list still offers, and how many it holds."""

    available: dict[Category, int]
    total: int

    @property
    def available_total(self) -> int:
        return sum(self.available.values())


def counts(list_ids: list[int]) -> dict[int, ListCounts]:
    """Each list's candidates still available, by category, and all it holds (one query)."""
    if not list_ids:
        return {}
    available = sa.and_(EligibleListEntry.removed_at.is_(None), Application.status.in_(AVAILABLE))
    rows = db.session.execute(
        sa.select(
            EligibleListEntry.list_id,
            EligibleListEntry.category,
            sa.func.count(),
            sa.func.count(sa.case((available, 1))),
        )
        .join(Application, Application.id == EligibleListEntry.application_id)
        .where(EligibleListEntry.list_id.in_(list_ids))
        .group_by(EligibleListEntry.list_id, EligibleListEntry.category)
    ).all()
    available_of = {i: dict.fromkeys(LISTED, 0) for i in list_ids}
    held = dict.fromkeys(list_ids, 0)
    for list_id, category, total, free in rows:
        available_of[list_id][category] = free
        held[list_id] += total
    return {i: ListCounts(available_of[i], held[i]) for i in list_ids}


def job_profiles_with_lists() -> list[tuple[int, str]]:
    """(id, title) of every job profile that has had a list, for the page's filter."""
    return [
        (row.id, row.title)
        for row in db.session.execute(
            sa.select(JobProfile.id, JobProfile.title)
            .where(sa.exists().where(EligibleList.job_profile_id == JobProfile.id))
            .order_by(JobProfile.title)
        )
    ]


def round_list(round_id: int) -> EligibleList | None:
    return db.session.scalar(sa.select(EligibleList).where(EligibleList.round_id == round_id))


def offers_of(list_id: int) -> dict[int, Offer]:
    """The offers made from the list, by application (one query)."""
    return {
        offer.application_id: offer
        for offer in db.session.scalars(sa.select(Offer).where(Offer.eligible_list_id == list_id))
    }


@dataclass(frozen=True)
class ChangedExpiry:
    """A change HR made to a list's last day, as the audit log keeps it."""

    occurred_at: datetime
    actor_label: str
    old: date
    new: date
    reason: str


def expiry_changes(list_id: int) -> list[ChangedExpiry]:
    """The changes to the list's last day, oldest first (one query)."""
    rows = db.session.execute(
        sa.select(
            AuditEvent.occurred_at,
            AuditEvent.actor_label,
            AuditEvent.before,
            AuditEvent.after,
            AuditEvent.reason,
        )
        .where(
            AuditEvent.object_type == EligibleList.__name__,
            AuditEvent.object_id == str(list_id),
            AuditEvent.action == "eligible_list.expiry_changed",
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    return [
        ChangedExpiry(
            row.occurred_at,
            row.actor_label,
            date.fromisoformat(row.before["expires_on"]),
            date.fromisoformat(row.after["expires_on"]),
            row.reason or "",
        )
        for row in rows
    ]
