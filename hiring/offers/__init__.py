"""After assessment: locking the ranking, shortlisting, offers, declines, hires, completion.

An offer carries its terms (hiring.offers.terms) and is answered online by the candidate
(hiring.offers.answers); HR records the hire of a candidate who accepted.

A hire creates the Employee (people's service) and a User for a candidate from outside, and
records the settled assessment scores as competency evidence (competencies' service, source:
hiring assessment) on the employee.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext, ngettext

from civicladder import audit, clock, notify
from civicladder import services as shell_services
from civicladder.access import Role, require_role
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, Invalid
from civicladder.languages import N_, written_in
from civicladder.layout import format_date
from civicladder.lifecycle import move
from civicladder.models import User
from competencies import services as competency_services
from competencies.models import Competency, EvidenceSource
from hiring import ranking, rules
from hiring.eligible import services as eligible_services
from hiring.eligible.models import EligibleList, EligibleListEntry
from hiring.models import (
    APPLICATION,
    ROUND,
    Application,
    ApplicationStatus,
    HiringRound,
    RoundStatus,
)
from hiring.offers import answers
from hiring.offers import terms as offer_terms
from hiring.offers.models import Offer, OfferStatus
from hiring.offers.terms import OfferTerms
from hiring.services import move_application
from people import services as people_services
from people.models import BargainingUnit, Department, Employee

S = ApplicationStatus


def _locked_round(round_id: int) -> HiringRound:
    return locked_get(HiringRound, round_id, "There is no such hiring round.")


def _count(round_id: int, statuses) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Application)
        .where(Application.round_id == round_id, Application.status.in_(list(statuses)))
    )


def lock_ranking(actor: User | None, hiring_round: HiringRound) -> HiringRound:
    """Move an assessed round to ranked: refused while any assessment is missing or unsettled."""
    require_role(actor, Role.HR)
    hiring_round = _locked_round(hiring_round.id)
    if hiring_round.status != RoundStatus.ASSESSING:
        raise Conflict(gettext("Only a round under assessment can be ranked."))
    waiting = _count(hiring_round.id, [S.SCREENED_IN])
    if waiting:
        raise Conflict(
            gettext(
                "%(num)s application(s) still wait for scores or a consensus on a spread. "
                "Rank once every application is assessed.",
                num=waiting,
            )
        )
    if not _count(hiring_round.id, [S.ASSESSED]):
        raise Conflict(gettext("There are no assessed applications to rank."))
    return move(ROUND, hiring_round, RoundStatus.RANKED, actor)


def _check_ranked(application: Application) -> HiringRound:
    hiring_round = _locked_round(application.round_id)
    if hiring_round.status != RoundStatus.RANKED:
        raise Conflict(gettext("Shortlists, offers and hires are made once the ranking is locked."))
    return hiring_round


def _check_decidable(application: Application) -> HiringRound:
    """A hire or a decline is recorded in a ranked round, or after it completed on an offer
    made from its eligible list."""
    hiring_round = _locked_round(application.round_id)
    if hiring_round.status == RoundStatus.COMPLETED:
        offer = offer_of(application)
        if offer is not None and offer.eligible_list_id is not None:
            return hiring_round
    if hiring_round.status != RoundStatus.RANKED:
        raise Conflict(gettext("Shortlists, offers and hires are made once the ranking is locked."))
    return hiring_round


def shortlist(actor: User | None, application: Application) -> Application:
    require_role(actor, Role.HR)
    _check_ranked(application)
    return move_application(actor, application, S.SHORTLISTED)


JUSTIFICATION_MAX = 2000


def make_offer(
    actor: User | None,
    application: Application,
    justification: str = "",
    terms: OfferTerms | None = None,
) -> Offer:
    """Offer the job, by category rating, and never beyond the round's openings, on these
    terms (by default those HR's confirmation step starts from).

    The offer goes to the highest category that still has candidates in the running; within
    it, passing over a preference-eligible candidate needs a written justification, which is
    kept with the offer and in its audit event. The candidate is emailed; they answer on
    their status page by the deadline.
    """
    justification = check_offer(actor, application, justification)
    return record_offer(actor, application, justification, terms)


def record_offer(
    actor: User | None,
    application: Application,
    justification: str,
    terms: OfferTerms | None,
    *,
    eligible_list_id: int | None = None,
    vacancy: str | None = None,
) -> Offer:
    """Write an offer its rules allowed (checked by the caller, for a round or an eligible
    list): the application moves to offered, the offer keeps its terms, the candidate is told."""
    hiring_round = application.round
    terms = offer_terms.checked(
        hiring_round, terms if terms is not None else offer_terms.defaults(hiring_round)
    )
    application.offer_justification = justification or None
    move_application(actor, application, S.OFFERED, justification or None)
    offer = Offer(
        application_id=application.id,
        grade=terms.grade,
        salary_cents=terms.salary_cents,
        starts_on=terms.starts_on,
        conditions=terms.conditions,
        respond_by=offer_terms.answer_due(terms.answer_by),
        status=OfferStatus.PENDING,
        made_by_id=actor.id if actor is not None else None,
        made_at=clock.now(),
        eligible_list_id=eligible_list_id,
        vacancy=vacancy,
    )
    db.session.add(offer)
    db.session.flush()
    after = {
        "grade": offer.grade,
        "salary_cents": offer.salary_cents,
        "starts_on": offer.starts_on,
        "conditions": offer.conditions,
        "respond_by": offer.respond_by,
    }
    if eligible_list_id is not None:
        after |= {"eligible_list_id": eligible_list_id, "vacancy": vacancy}
    audit.record(actor, "offer.made", offer, after=after)
    answers.tell_candidate_of_offer(offer)
    return offer


def offer_of(application: Application) -> Offer | None:
    """The offer made to this application, if one was made online."""
    return db.session.scalar(sa.select(Offer).where(Offer.application_id == application.id))


def check_offer(actor: User | None, application: Application, justification: str = "") -> str:
    """Every rule an offer must meet (raising the first it breaks), without making it: the
    confirmation page asks only about an offer that can be made. Returns the justification
    as it will be kept."""
    require_role(actor, Role.HR)
    hiring_round = _check_ranked(application)  # the lock makes the counts and checks hold
    justification = (justification or "").strip()
    if len(justification) > JUSTIFICATION_MAX:
        raise Invalid(
            gettext("Keep the justification under %(num)s characters.", num=JUSTIFICATION_MAX),
            field="justification",
        )
    if not APPLICATION.can_move(application.status, S.OFFERED):
        raise Conflict(gettext("Only a shortlisted candidate can be offered the job."))
    taken = _count(hiring_round.id, [S.OFFERED, S.HIRED])
    if taken >= hiring_round.openings:
        raise Conflict(
            gettext(
                "All %(num)s opening(s) are taken by offers or hires. Record a decline first.",
                num=hiring_round.openings,
            )
        )
    check = ranking.offer_checks(ranking.ranked_list(hiring_round)).get(application.id)
    if check is None:
        raise Conflict(gettext("This application has no settled scores."))
    check_category_rating(check)
    if check.needs_justification and not justification:
        raise Invalid(passed_over_words(check), field="justification")
    return justification


def passed_over_words(check: rules.OfferCheck) -> str:
    return ngettext(
        "%(codes)s in the same category has veterans' preference and no offer yet. Write why "
        "you pass over them; the justification is kept with the offer.",
        "%(codes)s in the same category have veterans' preference and no offer yet. Write why "
        "you pass over them; the justification is kept with the offer.",
        len(check.passed_over),
        codes=rules.listed(check.passed_over),
    )


def check_category_rating(check: rules.OfferCheck) -> None:
    if not check.qualified:
        raise Conflict(gettext("A candidate rated not qualified cannot be offered the job."))
    if check.higher is not None:
        raise Conflict(
            gettext(
                "%(higher)s candidates are still in the running (%(codes)s). Category rating "
                "offers the job to the highest category first: offer it to them, or record "
                "their decline, before offering it to a candidate rated %(category)s.",
                higher=gettext(check.higher.label),
                codes=rules.listed(check.waiting),
                category=gettext(check.category.label).lower(),
            )
        )


def record_decline(actor: User | None, application: Application, reason: str = "") -> Application:
    """HR records that the candidate turned the offer down (by phone, by letter, or after
    accepting online); an offer still open online is closed with the same reason."""
    require_role(actor, Role.HR)
    _check_decidable(application)
    answers.close(actor, application, reason or "Declined, as recorded by HR.")
    return move_application(actor, application, S.DECLINED, reason or None)


def hire(
    actor: User | None,
    application: Application,
    *,
    employee_number: str,
    department_path: str,
    hire_date: date,
    manager_number: str = "",
    bargaining_unit_id: int | None = None,
) -> Employee:
    """Record the hire of an offered candidate and return their employee record."""
    require_role(actor, Role.HR)
    hiring_round = _check_decidable(application)
    if application.status != S.OFFERED:
        raise Conflict(gettext("Only a candidate who was offered the job can be hired."))
    check_accepted(application)
    settled = ranking.settled_by_application(hiring_round).get(application.id)
    if settled is None:
        raise Conflict(gettext("This application has no settled scores."))
    if application.employee_id is not None:
        employee = db.session.get(Employee, application.employee_id)
    else:
        employee = _new_employee(
            actor,
            application,
            hiring_round,
            employee_number=employee_number,
            department_path=department_path,
            hire_date=hire_date,
            manager_number=manager_number,
            bargaining_unit_id=bargaining_unit_id,
        )
    _record_evidence(actor, employee, settled, hiring_round)
    move_application(actor, application, S.HIRED)
    audit.record(
        actor,
        "application.hired_as",
        application,
        after={"employee_id": employee.id, "employee_number": employee.employee_number},
    )
    return employee


def check_accepted(application: Application) -> None:
    """An offer made online is hired on only once the candidate has accepted it."""
    offer = offer_of(application)
    if offer is not None and offer.status != OfferStatus.ACCEPTED:
        raise Conflict(
            gettext(
                "The candidate has not accepted the offer. They answer it on their status page; "
                "record the hire once they accept."
            )
        )


def _new_employee(
    actor,
    application,
    hiring_round,
    *,
    employee_number,
    department_path,
    hire_date,
    manager_number,
    bargaining_unit_id,
) -> Employee:
    if not employee_number.strip():
        raise Invalid(gettext("Enter the new employee's number."), field="employee_number")
    department = db.session.scalar(
        sa.select(Department).where(Department.path == department_path.strip())
    )
    if department is None:
        raise Invalid(
            gettext("Choose an existing department, like 'Parks > Forestry'."), field="department"
        )
    manager = None
    if manager_number.strip():
        manager = db.session.scalar(
            sa.select(Employee).where(Employee.employee_number == manager_number.strip())
        )
        if manager is None:
            raise Invalid(gettext("There is no employee with that number."), field="manager_number")
    unit = None
    if bargaining_unit_id:
        unit = db.session.get(BargainingUnit, bargaining_unit_id)
        if unit is None:
            raise Invalid(
                gettext("Choose a bargaining unit from the list."), field="bargaining_unit_id"
            )
    if db.session.scalar(sa.select(Employee.id).where(Employee.email == application.email)):
        raise Conflict(
            gettext("An employee record already uses %(email)s.", email=application.email)
        )
    first, _, last = application.full_name.partition(" ")
    employee = people_services.create_employee(
        actor,
        employee_number=employee_number,
        first_name=first,
        last_name=last or first,
        department=department,
        hire_date=hire_date,
        email=application.email,
        manager=manager,
        bargaining_unit=unit,
        job_profile_id=hiring_round.job_profile_id,
    )
    # The account is made by the system on HR's behalf: only administrators make accounts
    # by hand, and a hire brings one with it. It starts without a password; an administrator
    # issues the new employee a password link.
    user = shell_services.create_user(
        None, email=application.email, full_name=application.full_name, roles={Role.EMPLOYEE}
    )
    employee.user_id = user.id
    db.session.flush()
    return employee


def _record_evidence(actor, employee: Employee, settled: dict[int, int], hiring_round) -> None:
    competencies = {
        c.id: c for c in db.session.scalars(sa.select(Competency).where(Competency.id.in_(settled)))
    }
    for competency_id, score in settled.items():
        competency_services.record_evidence(
            actor,
            employee,
            competencies[competency_id],
            level=rules.evidence_level(score),
            observed_on=clock.today(),
            source=EvidenceSource.HIRING_ASSESSMENT,
            note=f"Hiring round {hiring_round.title}: settled score {rules.format_score(score)}.",
        )


def complete_round(actor: User | None, hiring_round: HiringRound) -> HiringRound:
    """Complete a ranked round: its remaining qualified candidates go on an eligible list for
    the job profile (hiring.eligible), and everyone still in the running is told."""
    require_role(actor, Role.HR)
    hiring_round = _locked_round(hiring_round.id)
    outstanding = _count(hiring_round.id, [S.OFFERED])
    if outstanding:
        raise Conflict(
            gettext("%(num)s offer(s) still wait for an answer or a hire.", num=outstanding)
        )
    move(ROUND, hiring_round, RoundStatus.COMPLETED, actor)
    listed = eligible_services.establish(actor, hiring_round)
    _tell_the_rest(actor, hiring_round, listed)
    return hiring_round


def unfilled(hiring_round: HiringRound) -> int:
    """Openings of the round nobody was hired into."""
    return max(0, hiring_round.openings - _count(hiring_round.id, [S.HIRED]))


# Told to every candidate still in the running when the round completes without them.
NOT_THIS_TIME = (
    N_("The hiring round for %(title)s is complete"),
    N_(
        "The round is complete. Your application (%(code)s) was not offered a job in this "
        "round. Thank you for applying: the city's other open jobs are on its jobs page."
    ),
)
# Told instead to those the round leaves on its eligible list.
ON_THE_LIST = (
    N_("The hiring round for %(title)s is complete: you are on its eligible list"),
    N_(
        "The round is complete. Your application (%(code)s) was not offered a job in this "
        "round, but you are on its eligible list until %(expires)s: if a job like it opens "
        "before then, the city may offer it to you without a new application, in the order of "
        "the ranking. Keep your status link: offers are answered there, and there you can ask "
        "to be taken off the list if you no longer want to be considered."
    ),
)


def _tell_the_rest(
    actor: User | None, hiring_round: HiringRound, listed: EligibleList | None
) -> None:
    """Every candidate assessed or shortlisted and not hired hears the outcome (one statement
    for them all), in the language they applied in, those on the eligible list that they are;
    those screened out, withdrawn, hired or who declined were told already."""
    rows = db.session.execute(
        sa.select(
            Application.email,
            Application.candidate_code,
            Application.locale,
            EligibleListEntry.list_id,
        )
        .outerjoin(EligibleListEntry, EligibleListEntry.application_id == Application.id)
        .where(
            Application.round_id == hiring_round.id,
            Application.status.in_([S.ASSESSED, S.SHORTLISTED]),
        )
    ).all()
    jobs_page = url_for("hiring.jobs")
    messages = []
    for email, code, locale, list_id in rows:
        subject, body = ON_THE_LIST if list_id is not None else NOT_THIS_TIME
        with written_in(locale):
            expires = format_date(listed.expires_on) if listed is not None else ""
            words = {"title": hiring_round.title, "code": code, "expires": expires}
            text = notify.email_body(gettext(body, **words), jobs_page)
            messages.append((email, gettext(subject, **words), text))
    told = notify.email_many(messages)
    audit.record(actor, "hiring_round.candidates_told", hiring_round, after={"told": told})


def is_open_to(application: Application, status: ApplicationStatus) -> bool:
    return APPLICATION.can_move(application.status, status)
