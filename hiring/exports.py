"""CSV exports of a round for HR: the ranked list and every application's decision.

Cells a spreadsheet would read as formulas are made inert by the shell's `exports.cell`.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from civicladder import exports
from civicladder.db import db
from hiring import posting, ranking, rules
from hiring.models import Application, HiringRound
from hiring.offers.models import Offer


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
    """Every application's decisions: screening, the offer's justification, and the offer made
    online with its terms and the candidate's answer."""
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
            Offer.grade,
            Offer.salary_cents,
            Offer.starts_on,
            Offer.respond_by,
            Offer.status,
            Offer.answered_at,
            Offer.decline_reason,
        )
        .outerjoin(Offer, Offer.application_id == Application.id)
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
        "offer_grade",
        "offer_salary",
        "offer_starts_on",
        "offer_answer_by",
        "offer_answer",
        "offer_answered_at",
        "offer_decline_reason",
    ]
    return to_csv(header, (_decision_row(row, revealed) for row in rows))


def _decision_row(row, revealed: bool) -> list:
    (code, name, employee_id, submitted, status, reason, justification) = row[:7]
    grade, salary, starts_on, answer_by, answer, answered_at, decline_reason = row[7:]
    return [
        code,
        name if revealed else "",
        "yes" if employee_id else "no",
        submitted.date().isoformat(),
        status.label,
        reason,
        justification or "",
        grade or "",
        posting.dollars(salary) if salary is not None else "",
        starts_on,
        answer_by,
        answer.label if answer is not None else "",
        answered_at,
        decline_reason or "",
    ]
