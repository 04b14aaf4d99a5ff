"""Anonymising the applications of candidates who were not hired, once the retention period
after their round closed has passed (and, for a candidate on an eligible list, once the list
has expired: the city may still offer them a job until then).

What goes: name, email, employee link, answers, work sample, screening reason, the uploaded
file, assessors' notes and the status link. What stays: the candidate code, the status, the
scores and the voluntary self-identification, which are all the adverse-impact report and the
round's history need and name nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from civicladder import audit, clock
from civicladder import files as file_store
from civicladder.db import db
from civicladder.models import User
from civicladder.security import token_hash
from hiring import files
from hiring.eligible.models import EligibleList, EligibleListEntry
from hiring.models import (
    Answer,
    Application,
    ApplicationStatus,
    Assessment,
    HiringRound,
    RoundStatus,
)
from hiring.offers.models import Offer

BATCH = 1000
FINISHED = (RoundStatus.COMPLETED, RoundStatus.CANCELLED)


@dataclass(frozen=True)
class Outcome:
    applications: int
    files: int  # stored files deleted with the change
    disk_files: list[str]  # keys of files from before the store, to delete once it commits


def due_statement(retention_days: int) -> sa.Select:
    """Ids of applications due for anonymising, oldest first."""
    today = clock.today()
    cutoff = today - timedelta(days=retention_days)
    on_a_list = (
        sa.select(EligibleListEntry.application_id)
        .join(EligibleList, EligibleList.id == EligibleListEntry.list_id)
        .where(
            EligibleListEntry.application_id == Application.id,
            EligibleListEntry.removed_at.is_(None),
            EligibleList.expires_on >= today,
        )
        .exists()
    )
    return (
        sa.select(Application.id)
        .join(HiringRound, HiringRound.id == Application.round_id)
        .where(
            HiringRound.status.in_(FINISHED),
            HiringRound.closes_on < cutoff,
            # An offer still open (from an eligible list) names its candidate too.
            Application.status.not_in([ApplicationStatus.HIRED, ApplicationStatus.OFFERED]),
            Application.anonymised_at.is_(None),
            ~on_a_list,
        )
        .order_by(Application.id)
    )


def count_due(retention_days: int) -> int:
    stmt = due_statement(retention_days).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt))


def anonymise_due(
    actor: User | None,
    retention_days: int,
    on_progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Anonymise every due application, in batches, deleting their stored files with them;
    files still on disk from before the store go after the commit (`delete_disk_files`)."""
    ids = list(db.session.scalars(due_statement(retention_days)))
    keys: list[str] = []
    deleted = 0
    now = clock.now()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        held = db.session.execute(
            sa.select(Application.file_id, Application.file_key).where(
                Application.id.in_(batch),
                sa.or_(Application.file_id.is_not(None), Application.file_key.is_not(None)),
            )
        ).all()
        keys += [key for _, key in held if key is not None]
        db.session.execute(sa.delete(Answer).where(Answer.application_id.in_(batch)))
        db.session.execute(
            sa.update(Assessment).where(Assessment.application_id.in_(batch)).values(notes="")
        )
        # The candidate's own words on declining an offer go with the rest of what they wrote.
        db.session.execute(
            sa.update(Offer).where(Offer.application_id.in_(batch)).values(decline_reason=None)
        )
        for application_id in batch:
            # Unique per row, and the old status link stops working.
            db.session.execute(
                sa.update(Application)
                .where(Application.id == application_id)
                .values(
                    full_name="",
                    email=f"anonymised-{application_id}",
                    status_token_hash=token_hash(f"anonymised:{application_id}:{now}"),
                )
            )
        db.session.execute(
            sa.update(Application)
            .where(Application.id.in_(batch))
            .values(
                employee_id=None,
                work_sample="",
                screen_reason="",
                file_id=None,
                file_key=None,
                file_name=None,
                file_type=None,
                file_size=None,
                anonymised_at=now,
            )
        )
        deleted += file_store.delete(file_id for file_id, _ in held if file_id is not None)
        if on_progress is not None:
            on_progress(len(batch))
    audit.record(
        actor,
        "hiring.applications_anonymised",
        None,
        after={
            "applications": len(ids),
            "files": deleted + len(keys),
            "retention_days": retention_days,
        },
        label=f"{len(ids)} applications past retention",
    )
    return Outcome(len(ids), deleted, keys)


def delete_disk_files(keys: list[str]) -> None:
    for key in keys:
        files.delete_from_disk(key)
