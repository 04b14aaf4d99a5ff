"""The round's record: one ZIP of what a public-records request or an appeal asks about a round.

In it: `summary.pdf` (the posting, the rubric and categories, the questions, the panel, the
applications by status, the time in each stage, the offers and hires, and the adverse-impact
tables) and the CSVs behind it: every decision, every score by candidate code, the ranked list,
the history of moves with who made each and why, and the adverse-impact tables.

Candidates are named by candidate code. Of personal data only the names of those hired are in
it, unless HR chooses to include every candidate's name and email address (an appeal may need
them); before the ranking is locked no name or address goes in, so scoring stays blind. Either
way the download is an audit event of its own.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext, pgettext

from civicladder import audit, clock
from civicladder.access import Role, require_role
from civicladder.db import db
from civicladder.languages import N_
from civicladder.models import AuditEvent, User
from competencies.models import Competency
from hiring import exports, queries, ranking, rules, stages
from hiring.models import Application, ApplicationStatus, Assessment, HiringRound, Score

S = ApplicationStatus
# What each file holds: marked here, translated where shown.
FILES = {
    "summary.pdf": N_("The round at a glance: posting, rubric, panel, stages, offers and hires."),
    "decisions.csv": N_("Every application: its status, screening reason and offer justification."),
    "scores.csv": N_("Every assessor's score for every competency, by candidate code."),
    "ranking.csv": N_("The ranked list: weighted mean, category and status."),
    "history.csv": N_("Every move of the round and its applications: when, who, and why."),
    "adverse_impact.csv": N_("Selection rates by group, bottom line first, then stage by stage."),
}


@dataclass(frozen=True)
class Record:
    filename: str
    data: bytes


def _named(status: ApplicationStatus, personal: bool) -> bool:
    return personal or status == S.HIRED


def scores_csv(hiring_round: HiringRound) -> str:
    rows = db.session.execute(
        sa.select(
            Application.candidate_code,
            User.full_name.label("assessor"),
            Competency.code,
            Competency.name,
            Score.score,
            Assessment.submitted_at,
        )
        .join(Assessment, Assessment.application_id == Application.id)
        .join(User, User.id == Assessment.assessor_id)
        .join(Score, Score.assessment_id == Assessment.id)
        .join(Competency, Competency.id == Score.competency_id)
        .where(Application.round_id == hiring_round.id)
        .order_by(Application.candidate_code, User.full_name, Assessment.id, Competency.code)
    ).all()
    header = [
        pgettext("CSV column", "candidate_code"),
        pgettext("CSV column", "assessor"),
        pgettext("CSV column", "competency"),
        pgettext("CSV column", "competency_name"),
        pgettext("CSV column", "score"),
        pgettext("CSV column", "submitted_at"),
    ]
    return exports.to_csv(
        header,
        (
            [
                row.candidate_code,
                row.assessor,
                row.code,
                row.name,
                row.score,
                row.submitted_at.isoformat() if row.submitted_at else "",
            ]
            for row in rows
        ),
    )


def history_csv(hiring_round: HiringRound) -> str:
    """The audit events of the round and of its applications, oldest first."""
    codes = dict(
        db.session.execute(
            sa.select(sa.cast(Application.id, sa.String), Application.candidate_code).where(
                Application.round_id == hiring_round.id
            )
        ).all()
    )
    ids = sa.select(sa.cast(Application.id, sa.String)).where(
        Application.round_id == hiring_round.id
    )
    events = db.session.execute(
        sa.select(
            AuditEvent.occurred_at,
            AuditEvent.actor_label,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.reason,
        )
        .where(
            sa.or_(
                sa.and_(
                    AuditEvent.object_type == HiringRound.__name__,
                    AuditEvent.object_id == str(hiring_round.id),
                ),
                sa.and_(
                    AuditEvent.object_type == Application.__name__, AuditEvent.object_id.in_(ids)
                ),
            )
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    return exports.to_csv(
        [
            pgettext("CSV column", "when"),
            pgettext("CSV column", "who"),
            pgettext("CSV column", "action"),
            pgettext("CSV column", "candidate_code"),
            pgettext("CSV column", "reason"),
        ],
        (
            [
                event.occurred_at.isoformat(),
                event.actor_label,
                event.action,
                codes.get(event.object_id, "") if event.object_type == "Application" else "",
                event.reason or "",
            ]
            for event in events
        ),
    )


def adverse_impact_csv(tables: list[ranking.ImpactTable]) -> str:
    header = [
        pgettext("CSV column", "dimension"),
        pgettext("CSV column", "stage"),
        pgettext("CSV column", "group"),
        pgettext("CSV column", "considered"),
        pgettext("CSV column", "selected"),
        pgettext("CSV column", "rate"),
        pgettext("CSV column", "ratio_to_highest"),
        pgettext("CSV column", "finding"),
    ]
    return exports.to_csv(
        header,
        (
            [
                gettext(table.dimension),
                gettext(table.stage),
                gettext(row.group),
                row.pool,
                row.selected,
                f"{float(row.rate):.4f}" if row.rate is not None else "",
                f"{float(row.ratio):.4f}" if row.ratio is not None else "",
                _finding(row),
            ]
            for table in tables
            for row in table.rows
        ),
    )


def _finding(row: rules.GroupRate) -> str:
    if row.too_small:
        return gettext("too few to judge")
    if not row.computable:
        return gettext("not computable: no group was selected")
    return gettext("below four-fifths") if row.flagged else gettext("no adverse impact shown")


def summary_pdf(hiring_round: HiringRound, tables: list[ranking.ImpactTable], personal: bool):
    from weasyprint import HTML

    hires = db.session.execute(
        sa.select(Application.candidate_code, Application.full_name, Application.status)
        .where(
            Application.round_id == hiring_round.id,
            Application.status.in_([S.OFFERED, S.HIRED, S.DECLINED]),
        )
        .order_by(Application.candidate_code)
    ).all()
    html = render_template(
        "hiring/record_pdf.html",
        round=hiring_round,
        panel=queries.panel(hiring_round.id),
        counts=queries.status_counts(hiring_round.id),
        statuses=list(ApplicationStatus),
        stage_waits=stages.round_waits(hiring_round.id),
        wait_words=stages.wait_words,
        offers=[(row, _named(row.status, personal)) for row in hires],
        tables=tables,
        files=FILES,
        personal=personal,
        made_at=clock.now(),
    )
    return HTML(string=html).write_pdf()


def round_record(actor: User | None, hiring_round: HiringRound, *, personal: bool) -> Record:
    """The ZIP, for HR; its download is recorded (with whether it holds personal data)."""
    require_role(actor, Role.HR)
    tables = ranking.adverse_impact_report(hiring_round.id)

    def named(status: ApplicationStatus) -> bool:
        return _named(status, personal)

    parts = {
        "summary.pdf": summary_pdf(hiring_round, tables, personal),
        # Before the ranking is locked no name or address goes in: scoring stays blind.
        "decisions.csv": exports.decisions_csv(
            hiring_round, named, emails=personal and ranking.names_revealed(hiring_round)
        ),
        "scores.csv": scores_csv(hiring_round),
        "ranking.csv": exports.ranked_csv(hiring_round, named),
        "history.csv": history_csv(hiring_round),
        "adverse_impact.csv": adverse_impact_csv(tables),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content if isinstance(content, bytes) else content.encode())
    audit.record(
        actor,
        "hiring_round.record_downloaded",
        hiring_round,
        after={"personal_data": personal, "files": list(parts)},
    )
    return Record(f"round-{hiring_round.id}-record.zip", buffer.getvalue())
