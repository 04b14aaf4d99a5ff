"""Autonomy pages: tracks, a person's standing, the manager's queue, proposals and decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from autonomy import credentials, plans, queries, reviewing, services, supervision
from autonomy.forms import DeclineForm, KeepForm, LowerForm, ProposeForm
from autonomy.models import AutonomyGrant
from civicladder import clock
from civicladder import credentials as signed_credentials
from civicladder.access import SIGNED_IN, Role, requires
from civicladder.caching import kept_page
from civicladder.db import fetch
from civicladder.errors import DomainError, Forbidden, Invalid
from civicladder.exports import attachment
from civicladder.forms import attach_error
from civicladder.layout import Window, page_number, window
from civicladder.panels import Panel
from people import queries as people_queries
from people.models import Employee

bp = Blueprint("autonomy", __name__)


@bp.get("/autonomy/tracks")
@requires(SIGNED_IN)
@kept_page
def tracks():
    """Every track's ladder: anyone may read what each level lets a person do and asks of them."""
    catalogue = queries.ladders()
    return render_template(
        "autonomy/tracks.html",
        tracks=catalogue.tracks,
        competency_names=catalogue.competency_labels,
    )


# The queue says how many levels wait for review up to this many, then "more than".
REVIEWS_COUNTED = 500


@bp.get("/autonomy/queue")
@requires(Role.MANAGER, Role.HR)
@kept_page
def queue():
    """People in the viewer's line ready for the next level, and proposals awaiting them. The
    ready list pages without being counted whole: a line can hold tens of thousands."""
    scope = people_queries.scope_condition(current_user)
    page = window(queries.ready_statement(scope), current_app.config["PAGE_SIZE"])
    details = queries.eligibility_of([e.id for e in page.items])
    return render_template(
        "autonomy/queue.html",
        page=page,
        details=details,
        levels=queries.ladders().levels,
        waiting=queries.proposals_for(current_user),
        decline_form=DeclineForm(),
        to_review=reviewing.count_reviews(scope, up_to=REVIEWS_COUNTED),
        reviews_counted=REVIEWS_COUNTED,
        stored=queries.stored_eligibility(),
    )


@bp.route("/autonomy/people/<int:employee_id>", methods=["GET", "POST"])
@requires(SIGNED_IN)
@kept_page
def person(employee_id: int):
    """A person's standing on their track; their managers propose the next level here."""
    employee = people_queries.get_visible_employee(current_user, employee_id)
    standing = queries.standing(employee)
    form = ProposeForm()
    if form.is_submitted():
        services.check_may_propose(current_user, employee)
    if form.validate_on_submit():
        try:
            grant = services.propose_grant(
                current_user,
                employee,
                standing.next_level if standing else None,
                reason=form.reason.data or "",
                justification=form.justification.data or "",
            )
        except DomainError as error:
            if error.field is None:
                raise
            attach_error(form, error)
        else:
            flash(_proposal_message(grant), "success")
            return redirect(url_for("autonomy.person", employee_id=employee.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "autonomy/person.html",
        employee=employee,
        standing=standing,
        form=form,
        may_propose=services.may_propose(current_user, employee),
        pending=queries.pending_proposal(employee.id),
        review_on=_first_review(standing),
        plan=plans.learning_plan(standing),
    ), status


def _first_review(standing: queries.Standing | None):
    if standing is None or standing.next_level is None:
        return None
    return clock.today() + timedelta(days=standing.next_level.focused_review_days)


def _proposal_message(grant: AutonomyGrant) -> str:
    if grant.status == grant.status.ACTIVE:
        return gettext(
            "%(name)s now holds level %(rank)s: %(level)s.",
            name=grant.employee.full_name,
            rank=grant.level.rank,
            level=grant.level.name,
        )
    return gettext("Proposal sent for a second approval.")


@bp.get("/autonomy/grants/<int:grant_id>/credential.jwt")
@requires(SIGNED_IN)
def grant_credential(grant_id: int):
    """The level a person holds as a signed Open Badges 3.0 credential, for them (and HR)."""
    grant = credentials.own_grant(current_user, grant_id)
    return attachment(
        credentials.signed(grant), signed_credentials.MEDIA_TYPE, credentials.filename(grant)
    )


@bp.post("/autonomy/grants/<int:grant_id>/approve")
@requires(Role.MANAGER, Role.HR)
def approve(grant_id: int):
    grant = fetch(AutonomyGrant, grant_id, gettext("There is no such proposal."))
    services.approve_grant(current_user, grant)
    flash(
        gettext(
            "Approved: %(name)s now holds %(level)s.",
            name=grant.employee.full_name,
            level=grant.level.name,
        ),
        "success",
    )
    return redirect(url_for("autonomy.queue"))


@bp.post("/autonomy/grants/<int:grant_id>/decline")
@requires(Role.MANAGER, Role.HR)
def decline(grant_id: int):
    grant = fetch(AutonomyGrant, grant_id, gettext("There is no such proposal."))
    form = DeclineForm()
    if not form.validate_on_submit():
        return redirect(url_for("autonomy.queue"))
    services.decline_grant(current_user, grant, form.reason.data or "")
    flash(gettext("Declined the proposal for %(name)s.", name=grant.employee.full_name), "success")
    return redirect(url_for("autonomy.queue"))


@bp.get("/autonomy/reviews")
@requires(Role.MANAGER, Role.HR)
@kept_page
def reviews():
    """Held levels in the viewer's line flagged for review, with the reasons; oldest first."""
    per_page = current_app.config["PAGE_SIZE"]
    found, more = reviewing.reviews_page(
        people_queries.scope_condition(current_user), page_number(), per_page
    )
    page = Window(found, page_number(), more)
    return render_template("autonomy/reviews.html", page=page, form=KeepForm())


@bp.post("/autonomy/grants/<int:grant_id>/keep")
@requires(Role.MANAGER, Role.HR)
def keep(grant_id: int):
    grant = fetch(AutonomyGrant, grant_id, gettext("There is no such grant."))
    form = KeepForm()
    if not form.validate_on_submit():
        return redirect(url_for("autonomy.reviews"))
    services.keep_grant(current_user, grant, form.note.data or "")
    flash(
        gettext(
            "Kept: %(name)s keeps %(level)s.", name=grant.employee.full_name, level=grant.level.name
        ),
        "success",
    )
    return redirect(url_for("autonomy.reviews"))


@bp.route("/autonomy/grants/<int:grant_id>/lower", methods=["GET", "POST"])
@requires(Role.MANAGER, Role.HR)
def lower(grant_id: int):
    """Lowering a level is confirmed on a page of its own, with the reason the person reads."""
    grant = fetch(AutonomyGrant, grant_id, gettext("There is no such grant."))
    if not services.may_review(current_user, grant.employee):
        raise Forbidden(
            gettext("Only HR or a manager of this person's line can review their level.")
        )
    form = LowerForm()
    if form.validate_on_submit():
        try:
            services.lower_grant(current_user, grant, form.reason.data or "")
        except Invalid as error:
            form.reason.errors = [*form.reason.errors, error.message]
        else:
            flash(
                gettext(
                    "Lowered: %(name)s no longer holds %(level)s.",
                    name=grant.employee.full_name,
                    level=grant.level.name,
                )
            )
            return redirect(url_for("autonomy.reviews"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("autonomy/lower.html", grant=grant, form=form), status


@bp.get("/autonomy/supervision")
@requires(Role.MANAGER, Role.HR)
@kept_page
def supervision_page():
    """Each person in the viewer's line against their peers' outcomes, with flags; paged
    without counting the whole line."""
    page = window(
        supervision.line_statement(people_queries.scope_condition(current_user)),
        current_app.config["PAGE_SIZE"],
    )
    rows = supervision.supervised(page.items)
    return render_template(
        "autonomy/supervision.html",
        page=page,
        rows=[(row, supervision.bar(row)) for row in rows],
        window_days=supervision.WINDOW_DAYS,
    )


# --- panels --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandingPanel(Panel):
    template: ClassVar[str] = "autonomy/_standing_panel.html"
    standing: queries.Standing
    own: bool
    plan: list[plans.PlanStep]
    # The held level's signed credential: its holder's to carry, and HR's to hand over.
    may_download: bool = False


@dataclass(frozen=True)
class QueuePanel(Panel):
    template: ClassVar[str] = "autonomy/_queue_panel.html"
    waiting: int


def my_standing_panel(user) -> StandingPanel | None:
    employee = people_queries.own_employee(user)
    if employee is None:
        return None
    standing = queries.standing(employee)
    if standing is None:
        return None
    return StandingPanel(standing, own=True, plan=plans.learning_plan(standing), may_download=True)


def profile_standing_panel(user, employee: Employee) -> StandingPanel | None:
    standing = queries.standing(employee)
    if standing is None:
        return None
    own = people_queries.own_employee_id(user) == employee.id
    return StandingPanel(
        standing,
        own=own,
        plan=plans.learning_plan(standing),
        may_download=own or user.has_role(Role.HR),
    )


def queue_panel(user) -> QueuePanel | None:
    """A link to the queue, with the proposals waiting for this manager (a short, bounded
    list). Who is ready is counted on the queue page itself: across a line of tens of
    thousands it is the set-based computation, too slow to run on every home page view."""
    if not user.has_role(Role.MANAGER) or people_queries.own_employee(user) is None:
        return None
    return QueuePanel(waiting=len(queries.proposals_for(user)))


@dataclass(frozen=True)
class CoursePathPanel(Panel):
    template: ClassVar[str] = "autonomy/_course_path_panel.html"
    standing: queries.Standing
    closes: list[int]


def course_path_panel(user, course) -> CoursePathPanel | None:
    """On a course's page: which of the viewer's gaps to their next level the course closes."""
    employee = people_queries.own_employee(user)
    standing = queries.standing(employee) if employee is not None else None
    if standing is None or standing.gap is None or not standing.gap.missing:
        return None
    needed = {cid: level for cid, level, _ in standing.gap.missing}
    closes = [
        o.competency_id
        for o in course.outcomes
        if o.competency_id in needed and o.level >= needed[o.competency_id]
    ]
    return CoursePathPanel(standing, closes) if closes else None
