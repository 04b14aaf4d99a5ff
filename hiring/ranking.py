"""The ranked list of a round and its adverse-impact report: read side, a constant few queries.

Scores are gathered for the whole round at once and settled in Python by `hiring.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext

from civicladder.db import db
from civicladder.languages import N_
from hiring import rules
from hiring.models import (
    ETHNICITY_GROUPS,
    SEX_GROUPS,
    Application,
    ApplicationStatus,
    Assessment,
    ConsensusScore,
    DemographicResponse,
    HiringRound,
    RoundStatus,
    Score,
)

S = ApplicationStatus
# Applications whose assessment is settled, whatever happened to them after ranking.
RANKABLE = (S.ASSESSED, S.SHORTLISTED, S.OFFERED, S.HIRED, S.DECLINED)
# Still in the running for an offer: not yet offered the job (a hire was), declined or withdrawn.
IN_RUNNING = (S.ASSESSED, S.SHORTLISTED)


def names_revealed(hiring_round: HiringRound) -> bool:
    """HR reads candidates' names only once the ranking is locked."""
    return hiring_round.status in (RoundStatus.RANKED, RoundStatus.COMPLETED)


@dataclass(frozen=True)
class RankedRow:
    position: int
    ranked: rules.Ranked
    application_id: int
    full_name: str
    email: str
    status: ApplicationStatus
    internal: bool
    offer_justification: str | None = None


def round_scores(round_id: int) -> dict[int, dict[int, list[int]]]:
    """Submitted scores of every application of a round: {application: {competency: [..]}}."""
    rows = db.session.execute(
        sa.select(Assessment.application_id, Score.competency_id, Score.score)
        .join(Score, Score.assessment_id == Assessment.id)
        .where(Assessment.round_id == round_id, Assessment.submitted_at.is_not(None))
    ).all()
    scores: dict[int, dict[int, list[int]]] = {}
    for application_id, competency_id, score in rows:
        scores.setdefault(application_id, {}).setdefault(competency_id, []).append(score)
    return scores


def round_consensus(round_id: int) -> dict[int, dict[int, int]]:
    rows = db.session.execute(
        sa.select(ConsensusScore.application_id, ConsensusScore.competency_id, ConsensusScore.score)
        .join(Application, Application.id == ConsensusScore.application_id)
        .where(Application.round_id == round_id)
    ).all()
    consensus: dict[int, dict[int, int]] = {}
    for application_id, competency_id, score in rows:
        consensus.setdefault(application_id, {})[competency_id] = score
    return consensus


@dataclass(frozen=True)
class Waiting:
    """An application under assessment that the provisional ranking cannot place yet, and why."""

    application_id: int
    candidate_code: str
    status: ApplicationStatus
    reason: str


def waiting(hiring_round: HiringRound) -> list[Waiting]:
    """The round's applications under assessment without settled scores, in order of arrival:
    assessors still to score, or a spread of 2 or more awaiting HR's consensus or a third
    assessor. The ranked list shows them instead of leaving them out (three queries)."""
    names = {item.competency_id: item.competency.name for item in hiring_round.rubric}
    scores = round_scores(hiring_round.id)
    consensus = round_consensus(hiring_round.id)
    rows = db.session.execute(
        sa.select(
            Application.id,
            Application.candidate_code,
            Application.status,
            sa.func.count(Assessment.id),
            sa.func.count(Assessment.submitted_at),
        )
        .outerjoin(Assessment, Assessment.application_id == Application.id)
        .where(
            Application.round_id == hiring_round.id,
            Application.status.in_((S.SCREENED_IN, S.ASSESSED)),
        )
        .group_by(Application.id, Application.candidate_code, Application.status)
        .order_by(Application.submitted_at, Application.id)
    ).all()
    found = []
    for application_id, code, status, assigned, scored in rows:
        table, agreed = scores.get(application_id, {}), consensus.get(application_id, {})
        if scored == assigned and scored and rules.settled_scores(table, agreed) is not None:
            continue
        spread = [
            names.get(cid, str(cid))
            for cid, values in sorted(table.items())
            if cid not in agreed and len(values) < 3 and rules.spread(values) >= rules.SPREAD_FLAG
        ]
        if spread:
            reason = gettext(
                "A consensus score or a third assessor on %(competencies)s: the assessors' "
                "scores are 2 or more apart",
                competencies=rules.listed(spread),
            )
        else:
            reason = gettext(
                "Its assessors' scores: %(done)s of %(all)s in", done=scored, all=assigned
            )
        found.append(Waiting(application_id, code, status, reason))
    return found


def settled_by_application(hiring_round: HiringRound) -> dict[int, dict[int, int]]:
    """Each settled application's score per rubric competency, in hundredths."""
    scores = round_scores(hiring_round.id)
    consensus = round_consensus(hiring_round.id)
    settled = {}
    for application_id, table in scores.items():
        result = rules.settled_scores(table, consensus.get(application_id, {}))
        if result is not None:
            settled[application_id] = result
    return settled


def ranked_list(hiring_round: HiringRound) -> list[RankedRow]:
    """The round's settled applications in the documented order (rules.TIE_RULE)."""
    weights = {item.competency_id: item.weight for item in hiring_round.rubric}
    top = hiring_round.rubric[0].competency_id if hiring_round.rubric else None
    thresholds = rules.Thresholds(
        hiring_round.best_qualified_from,
        hiring_round.well_qualified_from,
        hiring_round.qualified_from,
    )
    applications = db.session.execute(
        sa.select(
            Application.id,
            Application.candidate_code,
            Application.full_name,
            Application.email,
            Application.status,
            Application.employee_id,
            Application.preference_eligible,
            Application.offer_justification,
        )
        .where(Application.round_id == hiring_round.id, Application.status.in_(RANKABLE))
        .order_by(Application.submitted_at, Application.id)
    ).all()
    settled = settled_by_application(hiring_round)
    items, details = [], {}
    preference_applies = hiring_round.veterans_preference
    for order, (app_id, code, name, email, status, employee_id, eligible, why) in enumerate(
        applications
    ):
        if app_id not in settled:
            continue
        mean = rules.weighted_mean(settled[app_id], weights)
        items.append(
            rules.Ranked(
                application_id=app_id,
                candidate_code=code,
                mean=mean,
                category=rules.category(mean, thresholds),
                top_weight_score=settled[app_id].get(top, 0),
                submitted_order=order,
                preference=preference_applies and eligible,
            )
        )
        details[app_id] = (name, email, status, employee_id is not None, why)
    return [
        RankedRow(position, item, item.application_id, *details[item.application_id])
        for position, item in enumerate(rules.rank(items), start=1)
    ]


def offer_checks(rows: list[RankedRow]) -> dict[int, rules.OfferCheck]:
    """What category rating says about offering the job to each candidate of the ranked list."""
    in_running = {row.application_id for row in rows if row.status in IN_RUNNING}
    return rules.offer_checks((row.ranked for row in rows), in_running)


# --- adverse impact ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    name: str
    pool: frozenset  # statuses of the applications that went through the stage
    selected: frozenset  # of those, the statuses of the ones it selected


_AFTER_SHORTLIST = {S.SHORTLISTED, S.OFFERED, S.HIRED, S.DECLINED}
# The bottom line: everyone who applied (and did not withdraw) against those hired.
BOTTOM_LINE = Stage(
    N_("All applicants to hires"), frozenset(set(S) - {S.WITHDRAWN}), frozenset({S.HIRED})
)
STAGES = (
    Stage(
        N_("Screening"),
        frozenset({S.SCREENED_IN, S.SCREENED_OUT, *RANKABLE}),
        frozenset({S.SCREENED_IN, *RANKABLE}),
    ),
    Stage(N_("Ranking (shortlist)"), frozenset(RANKABLE), frozenset(_AFTER_SHORTLIST)),
    Stage(
        N_("Offer"),
        frozenset(_AFTER_SHORTLIST),
        frozenset({S.OFFERED, S.HIRED, S.DECLINED}),
    ),
)
DIMENSIONS = (
    (N_("Sex"), DemographicResponse.sex, SEX_GROUPS),
    (
        N_("Race or ethnicity"),
        DemographicResponse.ethnicity,
        ETHNICITY_GROUPS,
    ),
)
# Marked here, translated where it is shown (with num=rules.SMALLEST_GROUP).
NOTE = N_(
    "Withdrawn applications and candidates who chose not to answer are left out. A group's "
    "rate is compared with the highest rate among groups of at least %(num)s; "
    "a ratio under four-fifths (0.80) is flagged, and a ratio of exactly 0.80 is not. Where "
    "no group was selected at all there is no rate to compare with: not computable."
)


@dataclass(frozen=True)
class ImpactTable:
    dimension: str
    stage: str
    rows: list[rules.GroupRate]
    bottom_line: bool = False


def adverse_impact_report(round_id: int) -> list[ImpactTable]:
    """Each group's selection rate against the highest group's: first the bottom line (all
    applicants to hires) for each dimension, then each dimension stage by stage."""
    bottom, tables = [], []
    for dimension, column, labels in DIMENSIONS:
        counts = db.session.execute(
            sa.select(column, Application.status, sa.func.count())
            .join(Application, Application.id == DemographicResponse.application_id)
            .where(DemographicResponse.round_id == round_id, column.is_not(None))
            .group_by(column, Application.status)
        ).all()
        bottom.append(
            ImpactTable(dimension, BOTTOM_LINE.name, _stage_rows(counts, labels, BOTTOM_LINE), True)
        )
        for stage in STAGES:
            tables.append(ImpactTable(dimension, stage.name, _stage_rows(counts, labels, stage)))
    return bottom + tables


def _stage_rows(counts, labels, stage: Stage) -> list[rules.GroupRate]:
    by_group: dict[str, list[int]] = {}
    for group, status, count in counts:
        if status in stage.pool:
            pool_selected = by_group.setdefault(labels.get(group, group), [0, 0])
            pool_selected[0] += count
            if status in stage.selected:
                pool_selected[1] += count
    return rules.adverse_impact({g: (p, s) for g, (p, s) in by_group.items()})
