"""Every change to autonomy grants: propose, approve, decline; each checked, locked and audited.

A manager proposes the next level for someone in their reporting line. Where the level needs
no second approver, the proposal is granted at once; otherwise it waits for the proposer's own
manager or HR. A proposal the evidence does not support needs a written justification and is
marked as above the evidence, for the reports. Nobody proposes or approves for themselves, and
the approver of a proposal is never its proposer.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString

from autonomy import eligibility, queries, reviewing, signals
from autonomy.models import GRANT, AutonomyGrant, AutonomyLevel, GrantStatus
from civicladder import audit, clock, notify
from civicladder.access import Role, require_role
from civicladder.db import db, locked, locked_get
from civicladder.errors import Conflict, Forbidden, Invalid
from civicladder.languages import written_in
from civicladder.lifecycle import move
from civicladder.models import User, UserRole
from people import queries as people_queries
from people.models import Employee


def may_propose(actor: User, employee: Employee) -> bool:
    """A manager may propose for the people in their reporting line, never for themselves."""
    if employee.user_id is not None and employee.user_id == actor.id:
        return False
    return actor.has_role(Role.MANAGER) and people_queries.may_view(actor, employee)


def check_may_propose(actor: User, employee: Employee) -> None:
    if employee.user_id is not None and employee.user_id == actor.id:
        raise Forbidden("Nobody can propose more autonomy for themselves.")
    if not may_propose(actor, employee):
        raise Forbidden("Only a manager of this person's reporting line can propose a level.")


def propose_grant(
    actor: User,
    employee: Employee,
    level: AutonomyLevel | None,
    *,
    reason: str = "",
    justification: str = "",
) -> AutonomyGrant:
    """Propose the level above the one the person holds; grant it at once where the level needs
    no second approver."""
    check_may_propose(actor, employee)
    locked_get(Employee, employee.id)  # one proposal at a time per person
    standing = queries.standing(employee)
    if level is None:
        raise Conflict("There is no higher level on this person's track to propose.")
    if standing is None or level.track_id != standing.track.id:
        raise Invalid("That level is not on this person's autonomy track.", field="level")
    if standing.next_level is None or level.id != standing.next_level.id:
        raise Conflict(
            "Only the next level up can be proposed, and it may have changed: reload the page."
        )
    if _pending(employee.id) is not None:
        raise Conflict("A proposal for this person is already waiting for a decision.")
    above = not standing.gap.ready
    justification = justification.strip()
    if above and not justification:
        raise Invalid(
            "The evidence does not yet support this level: write why you propose it anyway.",
            field="justification",
        )
    today = clock.today()
    grant = AutonomyGrant(
        employee_id=employee.id,
        level_id=level.id,
        status=GrantStatus.PROPOSED,
        proposed_by_id=actor.id,
        reason=reason.strip(),
        above_evidence=above,
        justification=justification if above else "",
        effective_on=today,
        review_on=today + timedelta(days=level.focused_review_days),
    )
    db.session.add(grant)
    db.session.flush()
    audit.record(
        actor,
        "autonomy_grant.proposed",
        grant,
        after={"level": str(level), "above_evidence": above},
        reason=justification or grant.reason or None,
        label=_label(employee, level),
    )
    if level.second_approval:
        for approver in _second_approvers(actor):
            notify.notify(
                approver,
                _l(
                    "A level %(rank)s autonomy proposal for %(name)s needs approval",
                    rank=level.rank,
                    name=employee.full_name,
                ),
                _l("%(name)s proposed %(level)s.", name=actor.full_name, level=level.name),
                url_for("autonomy.queue"),
            )
        return grant
    return _activate(actor, grant, standing.held)


def approve_grant(actor: User, grant: AutonomyGrant) -> AutonomyGrant:
    """The second approver confirms a waiting proposal; the person holds the level from today."""
    grant = _locked_proposal(grant)
    _check_may_decide(actor, grant)
    return _activate(actor, grant, queries.held_grant(grant.employee_id))


def decline_grant(actor: User, grant: AutonomyGrant, reason: str) -> AutonomyGrant:
    """The second approver declines, with a reason the person and the proposer will read."""
    grant = _locked_proposal(grant)
    _check_may_decide(actor, grant)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Write the reason for declining: the employee will read it.", field="reason")
    grant.reason = reason
    grant.approved_by_id = actor.id
    grant.decided_at = clock.now()
    move(GRANT, grant, GrantStatus.DECLINED, actor, reason=reason)
    _tell_employee(grant, _l("A proposed autonomy level was declined: %(reason)s", reason=reason))
    return grant


def _activate(actor: User, grant: AutonomyGrant, held: AutonomyGrant | None) -> AutonomyGrant:
    if held is not None:
        move(GRANT, held, GrantStatus.SUPERSEDED, actor)
    today = clock.today()
    grant.approved_by_id = actor.id
    grant.decided_at = clock.now()
    grant.effective_on = today
    grant.review_on = today + timedelta(days=grant.level.focused_review_days)
    move(GRANT, grant, GrantStatus.ACTIVE, actor)
    signals.level_granted.send(actor, grant=grant, previous=held)
    eligibility.refresh_if_stored([grant.employee_id])
    _tell_employee(
        grant,
        _l(
            "You now hold autonomy level %(rank)s: %(level)s",
            rank=grant.level.rank,
            level=grant.level.name,
        ),
    )
    return grant


def _locked_proposal(grant: AutonomyGrant) -> AutonomyGrant:
    found = db.session.scalar(locked(sa.select(AutonomyGrant).where(AutonomyGrant.id == grant.id)))
    if found is None or found.status != GrantStatus.PROPOSED:
        raise Conflict("This proposal has already been decided. Reload the page to see how.")
    return found


def _check_may_decide(actor: User, grant: AutonomyGrant) -> None:
    if grant.proposed_by_id == actor.id:
        raise Forbidden("The second approver must be someone other than the proposer.")
    employee = grant.employee
    if employee.user_id is not None and employee.user_id == actor.id:
        raise Forbidden("Nobody can approve autonomy for themselves.")
    if actor.has_role(Role.HR):
        return
    if not (actor.has_role(Role.MANAGER) and _manages_proposer(actor, grant)):
        raise Forbidden("Only the proposer's own manager or HR can decide this proposal.")


def _manages_proposer(actor: User, grant: AutonomyGrant) -> bool:
    proposer = grant.proposed_by
    proposer_employee = people_queries.own_employee(proposer) if proposer else None
    return proposer_employee is not None and people_queries.may_view(actor, proposer_employee)


def _second_approvers(proposer: User) -> list[User]:
    """Who is told a proposal waits: the proposer's manager's account, else HR's accounts."""
    own = people_queries.own_employee(proposer)
    manager = own.manager if own is not None else None
    if manager is not None and manager.user_id is not None:
        user = db.session.get(User, manager.user_id)
        if user is not None and user.active:
            return [user]
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.active.is_(True), User.role_rows.any(UserRole.role == Role.HR))
            .order_by(User.id)
            .limit(20)
        )
    )


def _pending(employee_id: int) -> AutonomyGrant | None:
    return db.session.scalar(
        sa.select(AutonomyGrant).where(
            AutonomyGrant.employee_id == employee_id, AutonomyGrant.status == GrantStatus.PROPOSED
        )
    )


def _tell_employee(grant: AutonomyGrant, subject: LazyString) -> None:
    """Tell the employee, in their language (the notice writes `subject` in it)."""
    user_id = grant.employee.user_id
    user = db.session.get(User, user_id) if user_id else None
    if user is not None and user.active:
        notify.notify(user, subject, link=url_for("home.index"))


def _label(employee: Employee, level: AutonomyLevel) -> str:
    return f"{employee.full_name}: {level.track.name}, level {level.rank} {level.name}"


# --- reviews of held grants ---------------------------------------------------------------------

ONGOING_REVIEW = timedelta(days=365)  # every held level is looked at again at least this often


def may_review(actor: User, employee: Employee) -> bool:
    """HR, or a manager of the person's line; never the person themselves."""
    if employee.user_id is not None and employee.user_id == actor.id:
        return False
    if actor.has_role(Role.HR):
        return True
    return actor.has_role(Role.MANAGER) and people_queries.may_view(actor, employee)


def _held_for_review(actor: User, grant: AutonomyGrant) -> AutonomyGrant:
    found = db.session.scalar(locked(sa.select(AutonomyGrant).where(AutonomyGrant.id == grant.id)))
    if found is None or found.status != GrantStatus.ACTIVE:
        raise Conflict("This level is no longer held as it was. Reload the page to see why.")
    if not may_review(actor, found.employee):
        raise Forbidden("Only HR or a manager of this person's line can review their level.")
    return found


def keep_grant(actor: User, grant: AutonomyGrant, note: str = "") -> AutonomyGrant:
    """The reviewer keeps the level as it is: the review (the focused one, the first time) is
    closed today and the next, ongoing review falls a year from today."""
    grant = _held_for_review(actor, grant)
    before = {"review_on": grant.review_on, "reviewed_on": grant.reviewed_on}
    grant.reviewed_on = clock.today()
    grant.review_noticed_on = None  # flagged again later, the manager is told again
    grant.review_on = grant.reviewed_on + ONGOING_REVIEW
    db.session.flush()
    audit.record(
        actor,
        "autonomy_grant.reviewed",
        grant,
        before=before,
        after={
            "review_on": grant.review_on,
            "reviewed_on": grant.reviewed_on,
            "kept": True,
            "focused": before["reviewed_on"] is None,
        },
        reason=note.strip() or None,
        label=_label(grant.employee, grant.level),
    )
    return grant


def lower_grant(actor: User, grant: AutonomyGrant, reason: str) -> AutonomyGrant | None:
    """The reviewer lowers the person one level, with a reason they will read; returns the
    grant of the level below (None when they held the first level)."""
    grant = _held_for_review(actor, grant)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Write the reason for lowering the level: the employee will read it.")
    grant.decided_at = clock.now()
    move(GRANT, grant, GrantStatus.REVOKED, actor, reason=reason)
    below = next(
        (
            level
            for level in queries.ladders().levels.values()
            if level.track_id == grant.level.track_id and level.rank == grant.level.rank - 1
        ),
        None,
    )
    lowered = None
    if below is not None:
        today = clock.today()
        lowered = AutonomyGrant(
            employee_id=grant.employee_id,
            level_id=below.id,
            status=GrantStatus.ACTIVE,
            proposed_by_id=actor.id,
            approved_by_id=actor.id,
            decided_at=clock.now(),
            reason=reason,
            effective_on=today,
            review_on=today + timedelta(days=below.focused_review_days),
        )
        db.session.add(lowered)
        db.session.flush()
        audit.record(
            actor,
            "autonomy_grant.active",
            lowered,
            after={"level": str(below), "lowered_from": str(grant.level)},
            reason=reason,
            label=_label(grant.employee, below),
        )
    signals.level_lowered.send(actor, grant=grant, lowered_to=lowered)
    eligibility.refresh_if_stored([grant.employee_id])
    _tell_employee(grant, _l("Your autonomy level was lowered: %(reason)s", reason=reason))
    return lowered


NOTICE_NAMES = 10  # people named in one notice; the reviews page lists them all
NOTICE_CHUNK = 5_000


def notify_reviews(actor: User | None = None) -> tuple[int, int]:
    """Tell each manager (by in-app notice and email) of the held levels in their direct team
    newly flagged for review: evidence lapsed, outcomes below the floor, or the review date
    come. A level is told once, until it is reviewed; a person with no manager account is left
    to HR's list. For a scheduler: running it twice tells nobody twice. Returns (managers told,
    levels told)."""
    require_role(actor, Role.HR)
    today = clock.today()
    manager = sa.orm.aliased(Employee)
    flagged = reviewing.reviews_statement(None).subquery("to_review")
    claimed = db.session.scalars(
        sa.update(AutonomyGrant)
        .where(
            AutonomyGrant.id.in_(sa.select(flagged.c.grant_id)),
            AutonomyGrant.review_noticed_on.is_(None),
            AutonomyGrant.employee_id.in_(
                sa.select(Employee.id)
                .join(manager, manager.id == Employee.manager_id)
                .join(User, User.id == manager.user_id)
                .where(User.active.is_(True))
            ),
        )
        .values(review_noticed_on=today)
        .returning(AutonomyGrant.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed:
        return 0, 0
    named = (
        sa.select(
            AutonomyGrant.id,
            Employee.first_name,
            Employee.last_name,
            AutonomyLevel.name,
            manager.user_id,
        )
        .join(Employee, Employee.id == AutonomyGrant.employee_id)
        .join(manager, manager.id == Employee.manager_id)
        .join(AutonomyLevel, AutonomyLevel.id == AutonomyGrant.level_id)
    )
    rows = sorted(
        (
            row
            # In chunks: a city's first run claims tens of thousands, past a statement's limit.
            for start in range(0, len(claimed), NOTICE_CHUNK)
            for row in db.session.execute(
                named.where(AutonomyGrant.id.in_(claimed[start : start + NOTICE_CHUNK]))
            )
        ),
        key=lambda row: (row.user_id, row.last_name, row.first_name, row.id),
    )
    by_manager: dict[int, list[str]] = {}
    for _, first, last, level, user_id in rows:
        by_manager.setdefault(user_id, []).append(f"{first} {last} ({level})")
    users = db.session.scalars(sa.select(User).where(User.id.in_(by_manager)))
    for user in users:
        names = by_manager[user.id]
        more = len(names) - NOTICE_NAMES
        count = len(names)
        with written_in(user.locale):
            listed = "; ".join(names[:NOTICE_NAMES])
            body = (
                ngettext(
                    "%(names)s; and %(num)d more.",
                    "%(names)s; and %(num)d more.",
                    more,
                    names=listed,
                )
                if more > 0
                else f"{listed}."
            )
            notify.notify(
                user,
                ngettext(
                    "%(num)d autonomy level in your team to review",
                    "%(num)d autonomy levels in your team to review",
                    count,
                ),
                body,
                link=url_for("autonomy.reviews"),
            )
    audit.record_many(
        actor,
        "autonomy_grant.review_noticed",
        (
            audit.Recorded(
                "AutonomyGrant",
                grant_id,
                f"{first} {last}: {level}",
                after={"review_noticed_on": today, "manager_user_id": user_id},
            )
            for grant_id, first, last, level, user_id in rows
        ),
    )
    return len(by_manager), len(rows)
