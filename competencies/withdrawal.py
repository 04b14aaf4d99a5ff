"""Withdrawing competency evidence: the evidence stays as recorded, a withdrawal record says it
no longer counts (a corrected course result, evidence recorded in error)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from civicladder import audit
from civicladder.db import db
from civicladder.errors import Invalid
from civicladder.models import User
from competencies import signals
from competencies.models import CompetencyEvidence, CompetencyEvidenceWithdrawal
from competencies.services import check_may_validate


def withdraw_evidence(
    actor: User | None,
    evidence: list[CompetencyEvidence],
    reason: str,
    *,
    authorised: bool = False,
) -> list[CompetencyEvidenceWithdrawal]:
    """Withdraw these evidence rows, with a reason; rows already withdrawn are left as they are.

    Whoever may record evidence for the person may withdraw it; a package that has checked its
    own rule first (the academy, for the instructor correcting a result) says `authorised`.
    """
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(gettext("Give a reason for withdrawing the evidence."), field="reason")
    if not authorised:
        for row in evidence:
            check_may_validate(actor, row.employee)
    ids = [row.id for row in evidence]
    already = set(
        db.session.scalars(
            sa.select(CompetencyEvidenceWithdrawal.evidence_id).where(
                CompetencyEvidenceWithdrawal.evidence_id.in_(ids or [0])
            )
        )
    )
    made = []
    for row in evidence:
        if row.id in already:
            continue
        withdrawal = CompetencyEvidenceWithdrawal(
            evidence_id=row.id, withdrawn_by_id=actor.id if actor else None, reason=reason
        )
        db.session.add(withdrawal)
        made.append((row, withdrawal))
    db.session.flush()
    for row, _ in made:
        audit.record(
            actor,
            "competency_evidence.withdrawn",
            row,
            before={"counts": True},
            after={"counts": False},
            reason=reason,
            label=f"{row.employee.full_name}: {row.competency.code} level {row.level}",
        )
    if made:
        signals.evidence_withdrawn.send(actor, evidence=[row for row, _ in made])
    return [w for _, w in made]
