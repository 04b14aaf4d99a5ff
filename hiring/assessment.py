"""Assessment: an assessor's scores, spreads settled by consensus or a third assessor, and the
application marked assessed once its scores are settled."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from civicladder import audit, clock, notify
from civicladder.access import Role, require_role
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, Forbidden, Invalid, NotFound
from civicladder.models import User
from hiring import queries, rules
from hiring.models import (
    Application,
    ApplicationStatus,
    Assessment,
    ConsensusScore,
    HiringRound,
    PanelMember,
    RoundStatus,
    Score,
)
from hiring.services import locked_round, move_application


def get_assessment_for(actor: User, round_id: int, assessment_id: int) -> Assessment:
    """The actor's own assessment in this round; anyone else's is not found."""
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or assessment.assessor_id != actor.id or assessment.round_id != round_id:
        raise NotFound("There is no such application in your queue.")
    return assessment


def submit_scores(
    actor: User, assessment: Assessment, scores: dict[int, int], notes: str = ""
) -> Assessment:
    """An assessor's scores, one per rubric competency, submitted once."""
    assessment = locked_get(Assessment, assessment.id)
    if assessment.assessor_id != actor.id:
        raise Forbidden("Only the assigned assessor can score this application.")
    if assessment.submitted_at is not None:
        raise Conflict("You have already submitted your scores for this application.")
    hiring_round = db.session.get(HiringRound, assessment.round_id)
    if hiring_round.status != RoundStatus.ASSESSING:
        raise Conflict("This round is not being assessed.")
    rubric = [item.competency_id for item in hiring_round.rubric]
    for competency_id in rubric:
        if scores.get(competency_id) not in rules.SCORES:
            raise Invalid("Score every competency from 1 to 5.", field=f"score_{competency_id}")
    assessment.scores = [Score(competency_id=cid, score=scores[cid]) for cid in rubric]
    assessment.notes = notes.strip()
    assessment.submitted_at = clock.now()
    db.session.flush()
    audit.record(
        actor,
        "assessment.submitted",
        assessment,
        after={"application": assessment.application.candidate_code, "scores": scores},
        label=f"Assessment of {assessment.application.candidate_code}",
    )
    _settle_if_complete(actor, assessment.application)
    return assessment


def score_table(application_id: int) -> tuple[dict[int, list[int]], bool]:
    """Submitted scores per competency, and whether every assigned assessor has submitted."""
    rows = db.session.execute(
        sa.select(Assessment.id, Assessment.submitted_at, Score.competency_id, Score.score)
        .outerjoin(Score, Score.assessment_id == Assessment.id)
        .where(Assessment.application_id == application_id)
    ).all()
    scores: dict[int, list[int]] = {}
    complete = True
    for _, submitted_at, competency_id, score in rows:
        if submitted_at is None:
            complete = False
            continue
        scores.setdefault(competency_id, []).append(score)
    return scores, complete and bool(rows)


def consensus_for(application_id: int) -> dict[int, int]:
    return dict(
        db.session.execute(
            sa.select(ConsensusScore.competency_id, ConsensusScore.score).where(
                ConsensusScore.application_id == application_id
            )
        ).all()
    )


def _settle_if_complete(actor: User | None, application: Application) -> None:
    """Mark the application assessed once every assessor has scored and no spread is open."""
    if application.status != ApplicationStatus.SCREENED_IN:
        return
    scores, complete = score_table(application.id)
    if not complete:
        return
    if rules.settled_scores(scores, consensus_for(application.id)) is None:
        return
    move_application(actor, application, ApplicationStatus.ASSESSED)


def record_consensus(
    actor: User | None, application: Application, competency_id: int, score: int, reason: str
) -> ConsensusScore:
    """HR settles a flagged spread with a consensus score and a reason."""
    require_role(actor, Role.HR)
    hiring_round = locked_round(application.round)
    if hiring_round.status != RoundStatus.ASSESSING:
        raise Conflict("Consensus scores are recorded while the round is being assessed.")
    scores, complete = score_table(application.id)
    if not complete:
        raise Conflict("Wait until every assessor has submitted before settling a score.")
    if competency_id not in rules.flagged_competencies(scores):
        raise Conflict("The assessors agree on this competency; no consensus score is needed.")
    if score not in rules.SCORES:
        raise Invalid("A consensus score is from 1 to 5.", field="score")
    reason = reason.strip()
    if not reason:
        raise Invalid("Give the reason for the consensus score.", field="reason")
    if db.session.get(ConsensusScore, (application.id, competency_id)) is not None:
        raise Conflict("A consensus score for this competency is already recorded.")
    row = ConsensusScore(
        application_id=application.id,
        competency_id=competency_id,
        score=score,
        reason=reason,
        recorded_by_id=actor.id if actor is not None else None,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "application.consensus_recorded",
        application,
        after={"competency_id": competency_id, "score": score},
        reason=reason,
    )
    _settle_if_complete(actor, application)
    return row


def add_third_assessor(actor: User | None, application: Application, user: User) -> Assessment:
    """HR adds another panel member to an application whose scores spread too far."""
    require_role(actor, Role.HR)
    hiring_round = locked_round(application.round)
    if hiring_round.status != RoundStatus.ASSESSING:
        raise Conflict("Assessors are added while the round is being assessed.")
    if db.session.get(PanelMember, (hiring_round.id, user.id)) is None:
        raise Invalid("Choose an assessor from the round's panel.", field="assessor_id")
    if application.employee is not None and application.employee.user_id == user.id:
        raise Invalid("Nobody assesses their own application.", field="assessor_id")
    if queries.line_conflicts(hiring_round.id, user_id=user.id, application_id=application.id):
        raise Invalid(
            "Nobody assesses an application from someone who reports to them. Choose another "
            "assessor.",
            field="assessor_id",
        )
    taken = db.session.scalar(
        sa.select(Assessment.id).where(
            Assessment.application_id == application.id, Assessment.assessor_id == user.id
        )
    )
    if taken is not None:
        raise Conflict(f"{user.full_name} already assesses this application.")
    scores, complete = score_table(application.id)
    if not complete or not rules.flagged_competencies(scores):
        raise Conflict("Another assessor is added only when submitted scores spread 2 or more.")
    assessment = Assessment(
        application_id=application.id, round_id=hiring_round.id, assessor_id=user.id, notes=""
    )
    db.session.add(assessment)
    db.session.flush()
    audit.record(
        actor,
        "application.assessor_added",
        application,
        after={"assessor": user.email},
    )
    notify.notify(
        user,
        _l(
            "An application to assess for %(title)s: %(code)s",
            title=hiring_round.title,
            code=application.candidate_code,
        ),
        _l(
            "The first two assessors' scores are 2 or more apart; a third opinion settles it. "
            "Score it against the rubric on your own."
        ),
        url_for("hiring.score", round_id=hiring_round.id, assessment_id=assessment.id),
    )
    return assessment
