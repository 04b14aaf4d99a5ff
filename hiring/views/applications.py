"""HR's view of one application: screening, the file, consensus and a third assessor."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from civicladder.access import Role, requires
from civicladder.db import db
from civicladder.errors import DomainError, Invalid
from civicladder.forms import attach_error
from civicladder.models import User
from competencies import queries as competency_queries
from hiring import assessment as scoring
from hiring import files, queries, ranking, rules, services
from hiring.forms import (
    ConsensusForm,
    ScreenForm,
    ThirdAssessorForm,
)
from hiring.models import ApplicationStatus
from hiring.views.base import bp, file_response

# --- HR: one application ------------------------------------------------------------------------


def _application_page(application, status_code=200, **forms):
    hiring_round = queries.round_with_details(application.round_id)
    scores, complete = scoring.score_table(application.id)
    flagged = rules.flagged_competencies(scores) if complete else set()
    levels = []
    if application.employee_id is not None:
        levels = competency_queries.current_levels(application.employee_id)
    third = forms.get("third_form") or ThirdAssessorForm(formdata=None)
    third.assessor_id.choices = [(u.id, u.full_name) for u in queries.panel(hiring_round.id)]
    revealed = ranking.names_revealed(hiring_round)
    page = render_template(
        "hiring/application.html",
        application=application,
        round=hiring_round,
        answers=sorted(application.answers, key=lambda a: a.question.position),
        scores=scores,
        complete=complete,
        flagged=flagged,
        consensus=scoring.consensus_for(application.id),
        levels=levels,
        screen_form=forms.get("screen_form") or ScreenForm(formdata=None),
        consensus_form=ConsensusForm(formdata=None),
        third_form=third,
        revealed=revealed,
        file_name=files.download_name(application, revealed) if application.file_id else None,
        can_screen=hiring_round.status in services.SCREENING
        and application.status
        in {
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.SCREENED_IN,
            ApplicationStatus.SCREENED_OUT,
        },
        more_to_screen=queries.next_to_screen(hiring_round.id, besides=application.id) is not None,
    )
    return page, status_code


@bp.get("/hiring/applications/<int:application_id>")
@requires(Role.HR)
def application(application_id: int):
    return _application_page(services.get_application(application_id))


@bp.get("/hiring/applications/<int:application_id>/file")
@requires(Role.HR)
def application_file(application_id: int):
    application = services.get_application(application_id)
    return file_response(application, revealed=ranking.names_revealed(application.round))


@bp.post("/hiring/applications/<int:application_id>/screen")
@requires(Role.HR)
def screen(application_id: int):
    application = services.get_application(application_id)
    form = ScreenForm()
    if form.validate_on_submit():
        try:
            services.screen(
                current_user, application, form.decision.data == "in", form.reason.data or ""
            )
        except DomainError as error:
            if isinstance(error, Invalid):
                attach_error(form, error)
            else:
                raise
        else:
            flash(
                gettext(
                    "%(code)s: %(status)s.",
                    code=application.candidate_code,
                    status=gettext(application.status.label).lower(),
                ),
                "success",
            )
            following = queries.next_to_screen(application.round_id)
            if request.form.get("then") == "next" and following is not None:
                return redirect(url_for("hiring.application", application_id=following))
            return redirect(url_for("hiring.round_page", round_id=application.round_id))
    return _application_page(application, 422, screen_form=form)


@bp.post("/hiring/applications/<int:application_id>/consensus")
@requires(Role.HR)
def consensus(application_id: int):
    application = services.get_application(application_id)
    form = ConsensusForm()
    if not form.validate_on_submit():
        raise Invalid(gettext("Choose a consensus score and give the reason."))
    try:
        competency_id = int(form.competency_id.data)
    except ValueError:
        raise Invalid(gettext("Choose a competency of the rubric.")) from None
    scoring.record_consensus(
        current_user, application, competency_id, int(form.score.data), form.reason.data
    )
    flash(gettext("Consensus score recorded."), "success")
    return redirect(url_for("hiring.application", application_id=application_id))


@bp.post("/hiring/applications/<int:application_id>/assessors")
@requires(Role.HR)
def add_application_assessor(application_id: int):
    application = services.get_application(application_id)
    form = ThirdAssessorForm()
    form.assessor_id.choices = [(u.id, u.full_name) for u in queries.panel(application.round_id)]
    if not form.validate_on_submit():
        raise Invalid(gettext("Choose an assessor from the round's panel."))
    user = db.session.get(User, form.assessor_id.data)
    scoring.add_third_assessor(current_user, application, user)
    flash(
        gettext(
            "%(name)s will also assess %(code)s.",
            name=user.full_name,
            code=application.candidate_code,
        ),
        "success",
    )
    return redirect(url_for("hiring.application", application_id=application_id))
