"""Hiring state changes: rounds and their panel, applications and screening.

Scoring is in hiring.assessment; offers and hires in hiring.offers.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext, ngettext

from civicladder import audit, clock, languages, notify
from civicladder.access import Role, require_role
from civicladder.db import db, fetch, locked_get
from civicladder.errors import Conflict, Forbidden, Invalid, NotFound
from civicladder.languages import N_, written_in
from civicladder.lifecycle import move
from civicladder.models import User
from civicladder.security import new_token, token_hash
from competencies.models import Competency, JobProfileRequirement
from hiring import files, line_conflicts, queries, rules
from hiring.models import (
    APPLICATION,
    ETHNICITY_GROUPS,
    ROUND,
    SEX_GROUPS,
    Answer,
    Application,
    ApplicationStatus,
    Assessment,
    DemographicResponse,
    HiringRound,
    PanelMember,
    RoundQuestion,
    RoundStatus,
    RubricItem,
)
from hiring.posting import PostingDetails, details_of
from people import queries as people_queries
from people.models import Department, DepartmentKind, Employee, JobProfile

ROUND_FIELDS = [
    "title",
    "job_profile_id",
    "openings",
    "opens_on",
    "closes_on",
    "best_qualified_from",
    "well_qualified_from",
    "qualified_from",
    "veterans_preference",
    "eligible_months",
]
# Until a round is being assessed, its panel may change.
PANEL_EDITABLE = {RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.CLOSED}
SCREENING = {RoundStatus.OPEN, RoundStatus.CLOSED}


# --- rounds ------------------------------------------------------------------------------------


def _check_round_fields(openings: int, opens_on: date, closes_on: date, thresholds) -> None:
    if openings < 1:
        raise Invalid("A round has at least one opening.", field="openings")
    if closes_on < opens_on:
        raise Invalid("The closing date must be on or after the opening date.", field="closes_on")
    best, well, qualified = thresholds
    if not 100 <= qualified <= well <= best <= 500:
        raise Invalid(
            "Category thresholds go from 1.00 to 5.00, with best qualified at or above well "
            "qualified, and well qualified at or above qualified.",
            field="best_qualified_from",
        )


def create_round(
    actor: User | None,
    *,
    job_profile_id: int,
    title: str,
    openings: int,
    opens_on: date,
    closes_on: date,
    description: str = "",
    thresholds: tuple[int, int, int] = (400, 325, 250),
    veterans_preference: bool = False,
    eligible_months: int = 12,
    form_token: str | None = None,
    posting: PostingDetails | None = None,
) -> HiringRound:
    """A draft round for a job profile; the rubric is copied from the profile when it opens.

    `posting` states what job seekers read first (pay, agency, location, schedule, duties...).

    `form_token` is the one-time token of the form that asked for it: the same token again
    (a double-submitted form, even two requests at the same moment) returns the round the
    first made and writes nothing.
    """
    require_role(actor, Role.HR)
    key = token_hash(form_token) if form_token else None
    if (existing := _round_by_form_key(key)) is not None:
        return existing
    profile = db.session.get(JobProfile, job_profile_id)
    if profile is None:
        raise Invalid("Choose a job profile from the list.", field="job_profile_id")
    _check_round_fields(openings, opens_on, closes_on, thresholds)
    if not 1 <= eligible_months <= 48:
        raise Invalid("An eligible list lasts between 1 and 48 months.", field="eligible_months")
    posting = _checked_posting(posting or PostingDetails())
    if not posting.duties:
        # The job profile supplies the duties HR left out.
        posting = dataclasses.replace(posting, duties=profile.description.strip())
    best, well, qualified = thresholds
    hiring_round = HiringRound(
        **vars(posting),
        job_profile_id=job_profile_id,
        title=title.strip(),
        description=description.strip(),
        openings=openings,
        opens_on=opens_on,
        closes_on=closes_on,
        best_qualified_from=best,
        well_qualified_from=well,
        qualified_from=qualified,
        veterans_preference=veterans_preference,
        eligible_months=eligible_months,
        status=RoundStatus.DRAFT,
        created_by_id=actor.id if actor is not None else None,
        form_key=key,
    )
    try:
        # The unique form key decides between two requests at the same moment: the loser's
        # insert waits for the winner's commit, fails, and finds the winner's round.
        with db.session.begin_nested():
            db.session.add(hiring_round)
            db.session.flush()
    except sa.exc.IntegrityError:
        if (existing := _round_by_form_key(key)) is None:
            raise
        return existing
    audit.record(
        actor,
        "hiring_round.created",
        hiring_round,
        after=audit.snapshot(hiring_round, ROUND_FIELDS) | posting.audit_values(),
    )
    return hiring_round


# The posting may be corrected until the round closes to applications.
POSTING_EDITABLE = {RoundStatus.DRAFT, RoundStatus.OPEN}


def update_posting(
    actor: User | None, hiring_round: HiringRound, posting: PostingDetails
) -> HiringRound:
    """HR corrects or completes a round's posting while it is a draft or open; the audit event
    keeps what changed, before and after."""
    require_role(actor, Role.HR)
    hiring_round = locked_round(hiring_round)
    if hiring_round.status not in POSTING_EDITABLE:
        raise Conflict("The posting can be changed only until the round closes to applications.")
    posting = _checked_posting(posting)
    before = details_of(hiring_round).audit_values()
    for name, value in vars(posting).items():
        setattr(hiring_round, name, value)
    db.session.flush()
    before, after = audit.changed(before, posting.audit_values())
    if after:
        audit.record(
            actor, "hiring_round.posting_changed", hiring_round, before=before, after=after
        )
    return hiring_round


def _checked_posting(posting: PostingDetails) -> PostingDetails:
    posting = posting.cleaned()
    if posting.agency_id is not None:
        agency = db.session.get(Department, posting.agency_id)
        if agency is None or agency.kind != DepartmentKind.AGENCY:
            raise Invalid("Choose an agency from the list.", field="agency_id")
    return posting


def _round_by_form_key(key: str | None) -> HiringRound | None:
    if key is None:
        return None
    return db.session.scalar(sa.select(HiringRound).where(HiringRound.form_key == key))


def round_created_by_form(form_token: str | None) -> HiringRound | None:
    """The round a copy of the new-round form already created, if it did."""
    return _round_by_form_key(token_hash(form_token) if form_token else None)


def get_round(round_id: int) -> HiringRound:
    return fetch(HiringRound, round_id, "There is no such hiring round.")


def locked_round(hiring_round: HiringRound) -> HiringRound:
    return locked_get(HiringRound, hiring_round.id, "There is no such hiring round.")


def add_question(
    actor: User | None, hiring_round: HiringRound, prompt: str, competency_id: int | None = None
) -> RoundQuestion:
    require_role(actor, Role.HR)
    hiring_round = locked_round(hiring_round)
    if hiring_round.status != RoundStatus.DRAFT:
        raise Conflict("Questions can be changed only while the round is a draft.")
    prompt = prompt.strip()
    if not prompt:
        raise Invalid("Write the question.", field="prompt")
    if competency_id is not None and db.session.get(Competency, competency_id) is None:
        raise Invalid("Choose a competency from the list.", field="competency_id")
    position = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(RoundQuestion.position), 0)).where(
            RoundQuestion.round_id == hiring_round.id
        )
    )
    question = RoundQuestion(
        round_id=hiring_round.id, position=position + 1, prompt=prompt, competency_id=competency_id
    )
    db.session.add(question)
    db.session.flush()
    audit.record(
        actor,
        "hiring_round.question_added",
        hiring_round,
        after={"question": prompt, "competency_id": competency_id},
    )
    return question


def add_panel_member(actor: User | None, hiring_round: HiringRound, user: User) -> PanelMember:
    require_role(actor, Role.HR)
    hiring_round = locked_round(hiring_round)
    if hiring_round.status not in PANEL_EDITABLE:
        raise Conflict("The panel cannot change once assessment has started.")
    if not user.active:
        raise Invalid("That account is not active.", field="email")
    if db.session.get(PanelMember, (hiring_round.id, user.id)) is not None:
        raise Conflict(f"{user.full_name} is already on the panel.", field="email")
    line_conflicts.check_panel_member(hiring_round, user)
    member = PanelMember(round_id=hiring_round.id, user_id=user.id)
    db.session.add(member)
    db.session.flush()
    audit.record(actor, "hiring_round.assessor_added", hiring_round, after={"assessor": user.email})
    return member


def panel_size(round_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(PanelMember).where(PanelMember.round_id == round_id)
    )


def open_round(actor: User | None, hiring_round: HiringRound) -> HiringRound:
    """Open a draft round: copy the job profile's requirements as the rubric, then open.

    Refused without a rubric, a question, a panel of at least two, or a closing date to come.
    """
    require_role(actor, Role.HR)
    hiring_round = locked_round(hiring_round)
    if hiring_round.status != RoundStatus.DRAFT:
        raise Conflict("Only a draft round can be opened.")
    requirements = list(
        db.session.scalars(
            sa.select(JobProfileRequirement)
            .where(JobProfileRequirement.job_profile_id == hiring_round.job_profile_id)
            .order_by(JobProfileRequirement.weight.desc(), JobProfileRequirement.competency_id)
        )
    )
    if not requirements:
        raise Conflict(
            "The job profile names no competencies, so the round would have no rubric. "
            "Add requirements to the job profile first."
        )
    if not hiring_round.questions:
        raise Conflict("Add at least one question for candidates before opening the round.")
    if panel_size(hiring_round.id) < rules.MIN_ASSESSORS:
        raise Conflict(
            f"A round needs at least {rules.MIN_ASSESSORS} assessors on its panel before it opens."
        )
    if hiring_round.closes_on < clock.today():
        raise Conflict("The closing date has passed. Set a later closing date first.")
    db.session.add_all(
        RubricItem(
            round_id=hiring_round.id,
            competency_id=r.competency_id,
            position=position,
            min_level=r.min_level,
            weight=r.weight,
        )
        for position, r in enumerate(requirements, start=1)
    )
    db.session.flush()
    move(ROUND, hiring_round, RoundStatus.OPEN, actor)
    return hiring_round


def close_round(actor: User | None, hiring_round: HiringRound) -> HiringRound:
    require_role(actor, Role.HR)
    return move(ROUND, locked_round(hiring_round), RoundStatus.CLOSED, actor)


def cancel_round(actor: User | None, hiring_round: HiringRound, reason: str) -> HiringRound:
    """Cancel the round for good, with a reason; the offers still open in it (waiting for an
    answer, or accepted and not yet hired on) are withdrawn in the same transaction, and their
    candidates told."""
    require_role(actor, Role.HR)
    hiring_round = move(
        ROUND, locked_round(hiring_round), RoundStatus.CANCELLED, actor, reason=reason
    )
    # Offers sit above rounds (hiring.offers uses this module): imported here.
    from hiring.offers import answers

    answers.withdraw_for_cancelled_round(actor, hiring_round, reason)
    return hiring_round


def _count(stmt) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))


def start_assessment(actor: User | None, hiring_round: HiringRound) -> HiringRound:
    """Move a closed round to assessment and give each screened-in application two assessors.

    Refused while an application waits for screening. Assessors are taken from the panel in
    turn, least loaded first; nobody assesses their own application.
    """
    require_role(actor, Role.HR)
    hiring_round = locked_round(hiring_round)
    if hiring_round.status != RoundStatus.CLOSED:
        raise Conflict("Assessment starts once the round is closed to applications.")
    waiting = _count(
        sa.select(Application.id).where(
            Application.round_id == hiring_round.id,
            Application.status == ApplicationStatus.SUBMITTED,
        )
    )
    if waiting:
        raise Conflict(f"Screen every application first ({waiting} still to screen).")
    move(ROUND, hiring_round, RoundStatus.ASSESSING, actor)
    _assign_panel(actor, hiring_round)
    return hiring_round


def _assign_panel(actor: User | None, hiring_round: HiringRound) -> None:
    panel = list(
        db.session.scalars(
            sa.select(PanelMember.user_id)
            .where(PanelMember.round_id == hiring_round.id)
            .order_by(PanelMember.user_id)
        )
    )
    rows = db.session.execute(
        sa.select(Application.id, Employee.user_id)
        .outerjoin(Application.employee)
        .where(
            Application.round_id == hiring_round.id,
            Application.status == ApplicationStatus.SCREENED_IN,
        )
        .order_by(Application.id)
    ).all()
    # Nobody assesses their own application, nor that of someone in their reporting line.
    barred = queries.line_conflicts(hiring_round.id)
    load = dict.fromkeys(panel, 0)
    assignments = []
    for application_id, own_user_id in rows:
        eligible = [u for u in panel if u != own_user_id and (application_id, u) not in barred]
        if len(eligible) < rules.MIN_ASSESSORS:
            raise Conflict(
                "The panel is too small to give every application two assessors (nobody "
                "assesses their own application or one from their reporting line). Add "
                "assessors to the panel first."
            )
        chosen = sorted(eligible, key=lambda u: (load[u], (u - application_id) % len(panel)))
        for user_id in chosen[: rules.MIN_ASSESSORS]:
            load[user_id] += 1
            assignments.append(
                {
                    "application_id": application_id,
                    "round_id": hiring_round.id,
                    "assessor_id": user_id,
                }
            )
    if assignments:
        now = clock.now()
        db.session.execute(
            sa.insert(Assessment), [a | {"assigned_at": now, "notes": ""} for a in assignments]
        )
    audit.record(
        actor,
        "hiring_round.assessors_assigned",
        hiring_round,
        after={"applications": len(rows), "assessments": len(assignments)},
    )
    _tell_assessors(hiring_round, {u: n for u, n in load.items() if n})


def _tell_assessors(hiring_round: HiringRound, counts: dict[int, int]) -> None:
    """Each assessor hears how many applications of the round are theirs to score (one notice
    each, with the email it sends), with the link to their queue."""
    if not counts:
        return
    queue = url_for("hiring.queue", round_id=hiring_round.id)
    for user in db.session.scalars(sa.select(User).where(User.id.in_(list(counts)))):
        n = counts[user.id]
        with written_in(user.locale):
            notify.notify(
                user,
                ngettext(
                    "%(num)d application to assess for %(title)s",
                    "%(num)d applications to assess for %(title)s",
                    n,
                    title=hiring_round.title,
                ),
                gettext(
                    "You are on the panel of this hiring round. The applications are anonymous "
                    "(a candidate code each); score each against the rubric on its own, without "
                    "conferring, by the deadline the hiring office gives."
                ),
                queue,
            )


# --- applications ------------------------------------------------------------------------------

# What a candidate is told at each change they should know about: (subject, body). An offer
# and its answer are told by hiring.offers, with the offer's terms.
CANDIDATE_NEWS = {
    ApplicationStatus.SCREENED_IN: (
        N_("Your application for %(title)s goes on to assessment"),
        N_(
            "Your application (%(code)s) meets the minimum qualifications and goes on to a panel "
            "of trained assessors."
        ),
    ),
    ApplicationStatus.SCREENED_OUT: (
        N_("Your application for %(title)s"),
        N_("Your application (%(code)s) does not go further in this round. The reason: %(reason)s"),
    ),
    ApplicationStatus.SHORTLISTED: (
        N_("You are on the shortlist for %(title)s"),
        N_(
            "Your application (%(code)s) is on the shortlist. HR will be in touch about next steps."
        ),
    ),
    ApplicationStatus.HIRED: (
        N_("Welcome to the city: %(title)s"),
        N_("Your hire is recorded. HR will send you everything you need for your first day."),
    ),
    ApplicationStatus.WITHDRAWN: (
        N_("Your application for %(title)s is withdrawn"),
        N_("Your application (%(code)s) is withdrawn, as you asked. Thank you for your interest."),
    ),
}


def move_application(
    actor: User | None, application: Application, to: ApplicationStatus, reason: str | None = None
) -> Application:
    """Move an application through its lifecycle and tell the candidate, when they should know."""
    move(APPLICATION, application, to, actor, reason=reason)
    if to in CANDIDATE_NEWS:
        subject, body = CANDIDATE_NEWS[to]
        words = {
            "title": application.round.title,
            "code": application.candidate_code,
            "reason": (reason or "").strip(),
        }
        with written_in(application.locale):
            notify.email(application.email, gettext(subject, **words), gettext(body, **words))
    return application


def _tell_submitted(application: Application, token: str) -> None:
    with written_in(application.locale):
        notify.email(
            application.email,
            gettext("We received your application for %(title)s", title=application.round.title),
            gettext(
                "Thank you for applying. Your candidate code is %(code)s. Follow your "
                "application, or withdraw it, through your private status link below; keep it "
                "to yourself.",
                code=application.candidate_code,
            ),
            link=url_for("hiring.status", token=token),
        )


DUPLICATE = (
    "An application from this email address is already in for this round. You can follow it "
    "through the status link you were given when you applied."
)


def _check_open_for_applications(hiring_round: HiringRound) -> None:
    if not queries.is_taking_applications(hiring_round):
        raise Conflict("This round is not taking applications.")


def submit_application(
    hiring_round: HiringRound,
    *,
    full_name: str,
    email: str,
    answers: dict[int, str],
    work_sample: str = "",
    sex: str | None = None,
    ethnicity: str | None = None,
    employee_id: int | None = None,
    actor: User | None = None,
    upload: files.Upload | None = None,
    preference_eligible: bool = False,
) -> tuple[Application, str]:
    """A candidate's application; returns it with the status token (only its hash is kept)."""
    _check_open_for_applications(hiring_round)
    email = email.strip().lower()
    full_name = full_name.strip()
    if not full_name:
        raise Invalid(gettext("Enter your name."), field="full_name")
    if not email or "@" not in email:
        raise Invalid(gettext("Enter an email address we can reach you at."), field="email")
    cleaned = {}
    for question in hiring_round.questions:
        text = (answers.get(question.id) or "").strip()
        if not text:
            raise Invalid(gettext("Answer every question."), field=f"answer_{question.id}")
        cleaned[question.id] = text
    if sex and sex not in SEX_GROUPS:
        raise Invalid("Choose an answer from the list, or leave it.", field="sex")
    if ethnicity and ethnicity not in ETHNICITY_GROUPS:
        raise Invalid("Choose an answer from the list, or leave it.", field="ethnicity")
    cleaned_file = files.clean(upload) if upload is not None else None
    clash = sa.select(Application.id).where(
        Application.round_id == hiring_round.id, Application.email == email
    )
    if db.session.scalar(clash) is not None:
        raise Conflict(DUPLICATE, field="email")
    if cleaned_file is not None:
        _check_round_upload_room(hiring_round, len(cleaned_file.data))
    token = new_token()
    application = Application(
        round_id=hiring_round.id,
        candidate_code=_free_code(),
        full_name=full_name,
        email=email,
        employee_id=employee_id,
        work_sample=work_sample.strip(),
        status=ApplicationStatus.SUBMITTED,
        status_token_hash=token_hash(token),
        preference_eligible=preference_eligible and hiring_round.veterans_preference,
        locale=languages.current(),
    )
    application.answers = [Answer(question_id=qid, text=text) for qid, text in cleaned.items()]
    db.session.add(application)
    db.session.flush()
    if cleaned_file is not None:
        # Stored in this transaction: a later rollback leaves no file behind. The name it came
        # with is kept for after the ranking locks; until then it goes by the candidate code
        # (files.blind_name).
        application.file_name = files.display_name(upload.filename, cleaned_file.kind)
        application.file_type = cleaned_file.kind
        application.file_size = len(cleaned_file.data)
        application.file = files.store(cleaned_file, application.file_name)
    if sex or ethnicity:
        db.session.add(
            DemographicResponse(
                application_id=application.id,
                round_id=hiring_round.id,
                sex=sex or None,
                ethnicity=ethnicity or None,
            )
        )
    audit.record(
        actor,
        "application.submitted",
        application,
        after={
            "round_id": hiring_round.id,
            "internal": employee_id is not None,
            "file": application.file_type,
        },
    )
    _tell_submitted(application, token)
    if employee_id is not None:
        line_conflicts.keep_line_managers_off(actor, application)
    return application, token


def round_upload_limit() -> int:
    """Bytes of files one round may hold in all (ROUND_UPLOAD_LIMIT_MB)."""
    return current_app.config["ROUND_UPLOAD_LIMIT_MB"] * 1024 * 1024


def _check_round_upload_room(hiring_round: HiringRound, size: int) -> None:
    """Refuse a file that would take the round's stored files past their limit.

    The round is locked first, so two files at the same moment cannot both take the last room.
    """
    locked_round(hiring_round)
    stored = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Application.file_size), 0)).where(
            Application.round_id == hiring_round.id
        )
    )
    if stored + size > round_upload_limit():
        raise Invalid(
            "This job opening cannot take any more files. Send your application without the "
            "file: put your work sample in the text box instead.",
            field="upload",
        )


def _free_code() -> str:
    while True:
        code = rules.new_candidate_code()
        if db.session.scalar(sa.select(Application.id).where(Application.candidate_code == code)):
            continue
        return code


def apply_internal(
    actor: User,
    hiring_round: HiringRound,
    *,
    answers: dict[int, str],
    work_sample: str = "",
    upload: files.Upload | None = None,
    full_name: str | None = None,
    email: str | None = None,
    sex: str | None = None,
    ethnicity: str | None = None,
    preference_eligible: bool = False,
) -> tuple[Application, str]:
    """A signed-in employee applies: the same questions, work sample and file as anyone else.

    Only the name and address start from their record. Nothing from their record (verified
    competencies included) reaches the assessors, who cannot tell the application is internal.
    """
    employee = people_queries.own_employee(actor)
    if employee is None:
        raise Forbidden("Only employees with a record in the city's workforce can apply this way.")
    return submit_application(
        hiring_round,
        full_name=full_name if full_name is not None else employee.full_name,
        email=email if email is not None else (employee.email or actor.email),
        answers=answers,
        work_sample=work_sample,
        sex=sex,
        ethnicity=ethnicity,
        employee_id=employee.id,
        actor=actor,
        upload=upload,
        preference_eligible=preference_eligible,
    )


def application_by_token(token: str) -> Application:
    application = db.session.scalar(
        sa.select(Application).where(Application.status_token_hash == token_hash(token or ""))
    )
    if application is None:
        raise NotFound(
            "This status link is not valid. Check that you copied the whole link from the "
            "page you saw when you applied."
        )
    return application


def resend_status_links(email: str) -> int:
    """Email a fresh status link for each application still under way from this address.

    Only a hash of a link is kept, so the old link cannot be sent again: each application
    gets a new one, which replaces the old (audited). Returns how many were sent; the page
    says the same whatever the number, so nobody learns whether an address applied.
    """
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise Invalid("Enter the email address you applied with.", field="email")
    found = db.session.scalars(
        sa.select(Application)
        .where(Application.email == email, Application.anonymised_at.is_(None))
        .order_by(Application.id)
        .with_for_update()
    ).all()
    sent = 0
    for application in found:
        if APPLICATION.is_final(application.status):
            continue
        token = new_token()
        application.status_token_hash = token_hash(token)
        db.session.flush()
        audit.record(None, "application.status_link_reissued", application)
        with written_in(application.locale):
            notify.email(
                application.email,
                gettext("Your status link for %(title)s", title=application.round.title),
                gettext(
                    "You asked for the link to follow your application (%(code)s). Here is a new "
                    "one; any link you had before no longer works. Keep it to yourself.",
                    code=application.candidate_code,
                ),
                link=url_for("hiring.status", token=token),
            )
        sent += 1
    return sent


def withdraw(token: str) -> Application:
    application = application_by_token(token)
    if APPLICATION.is_final(application.status) or not APPLICATION.can_move(
        application.status, ApplicationStatus.WITHDRAWN
    ):
        raise Conflict("This application can no longer be withdrawn.")
    if application.status == ApplicationStatus.OFFERED:
        # Offers sit above applications (hiring.offers uses this module): imported here.
        from hiring.offers import answers

        answers.withdrawn(application)
    return move_application(None, application, ApplicationStatus.WITHDRAWN)


def get_application(application_id: int) -> Application:
    return fetch(Application, application_id, "There is no such application.")


def screen(
    actor: User | None, application: Application, screen_in: bool, reason: str = ""
) -> Application:
    """HR screens an application in or out against the round's minimum qualifications."""
    require_role(actor, Role.HR)
    hiring_round = locked_round(application.round)
    if hiring_round.status not in SCREENING:
        raise Conflict("Applications are screened while the round is open or closed.")
    target = ApplicationStatus.SCREENED_IN if screen_in else ApplicationStatus.SCREENED_OUT
    move_application(actor, application, target, reason)
    application.screen_reason = "" if screen_in else reason.strip()
    return application
