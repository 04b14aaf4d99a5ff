"""CSV exports of a round for HR: the ranked list and every application's decision, with
their headers and words in the language of the person downloading them.

Cells a spreadsheet would read as formulas are made inert by the shell's `exports.cell`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa
from flask_babel import gettext, pgettext

from civicladder import exports
from civicladder.db import db
from hiring import posting, ranking, rules
from hiring.models import Application, HiringRound
from hiring.offers.models import Offer


def to_csv(header: list[str], rows: Iterable[Iterable]) -> str:
    return "".join(exports.rows_as_csv(header, rows))


def _yes_no(value) -> str:
    return pgettext("CSV value", "yes") if value else pgettext("CSV value", "no")


def _names(hiring_round: HiringRound, named: Callable | None) -> Callable:
    """Whether a row's name goes in: by default every name once the ranking reveals them;
    `named(status)` narrows that (the round's record names only those hired)."""
    revealed = ranking.names_revealed(hiring_round)
    return lambda status: revealed and (named is None or named(status))


def ranked_csv(hiring_round: HiringRound, named: Callable | None = None) -> str:
    shown = _names(hiring_round, named)
    header = [
        pgettext("CSV column", "rank"),
        pgettext("CSV column", "candidate_code"),
        pgettext("CSV column", "name"),
        pgettext("CSV column", "internal"),
        pgettext("CSV column", "weighted_mean"),
        pgettext("CSV column", "category"),
        pgettext("CSV column", "status"),
    ]
    return to_csv(
        header,
        (
            [
                row.position,
                row.ranked.candidate_code,
                row.full_name if shown(row.status) else "",
                _yes_no(row.internal),
                rules.format_score(row.ranked.mean),
                gettext(row.ranked.category.label),
                gettext(row.status.label),
            ]
            for row in ranking.ranked_list(hiring_round)
        ),
    )


def decisions_csv(
    hiring_round: HiringRound, named: Callable | None = None, emails: bool = False
) -> str:
    """Every application's decisions: screening, the offer's justification, and the offer made
    online with its terms and the candidate's answer (and its vacancy, for an offer from the
    eligible list); with `emails`, the candidates' addresses too."""
    shown = _names(hiring_round, named)
    rows = db.session.execute(
        sa.select(
            Application.candidate_code,
            Application.full_name,
            Application.email,
            Application.employee_id,
            Application.submitted_at,
            Application.status,
            Application.screen_reason,
            Application.offer_justification,
            Offer.grade,
            Offer.salary_cents,
            Offer.starts_on,
            Offer.respond_by,
            Offer.status.label("offer_status"),
            Offer.answered_at,
            Offer.decline_reason,
            Offer.vacancy,
        )
        .outerjoin(Offer, Offer.application_id == Application.id)
        .where(Application.round_id == hiring_round.id)
        .order_by(Application.submitted_at, Application.id)
    )
    header = [pgettext("CSV column", "candidate_code"), pgettext("CSV column", "name")]
    header += [pgettext("CSV column", "email")] if emails else []
    header += [
        pgettext("CSV column", "internal"),
        pgettext("CSV column", "submitted_on"),
        pgettext("CSV column", "status"),
        pgettext("CSV column", "screening_reason"),
        pgettext("CSV column", "offer_justification"),
        pgettext("CSV column", "offer_grade"),
        pgettext("CSV column", "offer_salary"),
        pgettext("CSV column", "offer_starts_on"),
        pgettext("CSV column", "offer_answer_by"),
        pgettext("CSV column", "offer_answer"),
        pgettext("CSV column", "offer_answered_at"),
        pgettext("CSV column", "offer_decline_reason"),
    ]
    # An offer made from the round's eligible list after it completed names its vacancy.
    header += [pgettext("CSV column", "offer_from_eligible_list_for")]
    return to_csv(header, (_decision_row(row, shown, emails) for row in rows))


def _decision_row(row, shown: Callable, emails: bool) -> list:
    return [
        row.candidate_code,
        row.full_name if shown(row.status) else "",
        *([row.email] if emails else []),
        _yes_no(row.employee_id),
        row.submitted_at.date().isoformat(),
        gettext(row.status.label),
        row.screen_reason,
        row.offer_justification or "",
        row.grade or "",
        posting.dollars(row.salary_cents) if row.salary_cents is not None else "",
        row.starts_on or "",
        row.respond_by or "",
        gettext(row.offer_status.label) if row.offer_status is not None else "",
        row.answered_at or "",
        row.decline_reason or "",
        row.vacancy or "",
    ]
