"""Assessors' pages: their panels, their queue by candidate code, blind scoring, home panel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from civicladder.access import SIGNED_IN, requires
from civicladder.caching import kept_page
from civicladder.db import db
from civicladder.errors import Invalid
from civicladder.layout import page_number
from civicladder.panels import Panel
from hiring import assessment as scoring
from hiring import queries, services
from hiring.views.base import assessor_of_round, bp, file_response

# --- assessors ----------------------------------------------------------------------------------


@bp.get("/assess")
@requires(SIGNED_IN)
def assess_rounds():
    return render_template(
        "hiring/assess_rounds.html", rounds=queries.rounds_for_assessor(current_user.id)
    )


@bp.get("/assess/rounds/<int:round_id>")
@requires(assessor_of_round)
@kept_page
def queue(round_id: int):
    hiring_round = services.get_round(round_id)
    page = db.paginate(
        queries.assessor_queue_statement(current_user.id, round_id),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "hiring/queue.html", round=hiring_round, page=page, items=queries.queue_items(page.items)
    )


@bp.route("/assess/rounds/<int:round_id>/<int:assessment_id>", methods=["GET", "POST"])
@requires(assessor_of_round)
def score(round_id: int, assessment_id: int):
    assessment = scoring.get_assessment_for(current_user, round_id, assessment_id)
    hiring_round = queries.round_with_details(round_id)
    errors: list[str] = []
    entered: dict[int, int] = {}
    notes = ""
    if request.method == "POST":
        for item in hiring_round.rubric:
            entered[item.competency_id] = request.form.get(f"score_{item.competency_id}", type=int)
        notes = (request.form.get("notes") or "")[:8000]
        try:
            scoring.submit_scores(current_user, assessment, entered, notes)
        except Invalid as error:
            errors.append(error.message)
        else:
            flash(
                gettext(
                    "Scores for %(code)s submitted.", code=assessment.application.candidate_code
                ),
                "success",
            )
            following = queries.next_to_score(current_user.id, round_id)
            if request.form.get("then") == "next" and following is not None:
                return redirect(url_for("hiring.score", round_id=round_id, assessment_id=following))
            return redirect(url_for("hiring.queue", round_id=round_id))
    page = render_template(
        "hiring/score.html",
        round=hiring_round,
        assessment=assessment,
        blind=queries.blind_application(assessment.application_id),
        own=queries.own_scores(assessment.id) if assessment.submitted_at else entered,
        others=queries.other_scores(assessment),
        errors=errors,
        notes=notes or assessment.notes,
        more_to_score=queries.next_to_score(current_user.id, round_id, besides=assessment.id)
        is not None,
    )
    return page, (422 if errors else 200)


@bp.get("/assess/rounds/<int:round_id>/<int:assessment_id>/file")
@requires(assessor_of_round)
def assessment_file(round_id: int, assessment_id: int):
    """The file of an application in the assessor's queue: always under the candidate code."""
    assessment = scoring.get_assessment_for(current_user, round_id, assessment_id)
    return file_response(assessment.application, revealed=False)


# --- panels -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessorPanel(Panel):
    template: ClassVar[str] = "hiring/_assessor_panel.html"
    rounds: list


def assessor_panel(user) -> AssessorPanel | None:
    rounds = [r for r in queries.rounds_for_assessor(user.id) if r.to_score]
    return AssessorPanel(rounds=rounds) if rounds else None
