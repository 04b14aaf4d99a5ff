"""CSV exports of a round for HR: the ranked list and every application's decision.

Cells a spreadsheet would read as formulas are made inert by the shell's `exports.cell`.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from civicladder import exports
from civicladder.db import db
from hiring import ranking, rules
from hiring.models import Application, HiringRound


def to_csv(header: list[str], rows: Iterable[Iterable]) -> str:
    return "".join(exports.rows_as_csv(header, rows))


def ranked_csv(hiring_round: HiringRound) -> str:
    revealed = ranking.names_revealed(hiring_round)
    header = ["rank", "candidate_code", "name", "internal", "weighted_mean", "category", "status"]
    return to_csv(
        header,
        (
            [
                row.position,
                row.ranked.candidate_code,
                row.full_name if revealed else "",
                "yes" if row.internal else "no",
                rules.format_score(row.ranked.mean),
                row.ranked.category.label,
                row.status.label,
            ]
            for row in ranking.ranked_list(hiring_round)
        ),
    )


def decisions_csv(hiring_round: HiringRound) -> str:
    revealed = ranking.names_revealed(hiring_round)
    rows = db.session.execute(
        sa.select(
            Application.candidate_code,
            Application.full_name,
            Application.employee_id,
            Application.submitted_at,
            Application.status,
            Application.screen_reason,
            Application.offer_justification,
        )
        .where(Application.round_id == hiring_round.id)
        .order_by(Application.submitted_at, Application.id)
    )
    header = [
        "candidate_code",
        "name",
        "internal",
        "submitted_on",
        "status",
        "screening_reason",
        "offer_justification",
    ]
    return to_csv(
        header,
        (
            [
                code,
                name if revealed else "",
                "yes" if employee_id else "no",
                submitted.date().isoformat(),
                status.label,
                reason,
                justification or "",
            ]
            for code, name, employee_id, submitted, status, reason, justification in rows
        ),
    )
