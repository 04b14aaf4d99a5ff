"""Hiring's read side: the public jobs list, HR's rounds and applications, assessors' queues.

What an assessor reads is built as `BlindApplication` from chosen columns only, so a
candidate's name, email, employee link and self-identification never reach their pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import aliased, selectinload

from civicladder import clock, querying
from civicladder.db import db
from civicladder.models import User
from competencies.models import Competency
from hiring import files, posting
from hiring.models import (
    Answer,
    Application,
    ApplicationStatus,
    Assessment,
    HiringRound,
    PanelMember,
    RoundQuestion,
    RoundStatus,
    RubricItem,
    WorkSchedule,
)
from people.models import Department, Employee


def _still_open() -> sa.ColumnElement[bool]:
    """Open rounds inside their dates whose closing time (the city's own) has not passed."""
    today = clock.today()
    local = clock.now().astimezone(querying.display_zone())
    return sa.and_(
        HiringRound.status == RoundStatus.OPEN,
        HiringRound.opens_on <= today,
        HiringRound.closes_on >= today,
        sa.or_(
            HiringRound.closes_on > local.date(),
            sa.and_(
                HiringRound.closes_on == local.date(),
                HiringRound.closing_time > local.time().replace(tzinfo=None),
            ),
        ),
    )


def open_rounds_statement() -> sa.Select:
    """Rounds taking applications now, closing soonest first."""
    return job_search_statement(JobSearch())


@dataclass(frozen=True)
class JobSearch:
    """The jobs page's search: words in the title or duties, filters, and an order."""

    text: str | None = None
    agency_id: int | None = None
    location: str | None = None
    schedule: WorkSchedule | None = None
    min_pay_cents: int | None = None
    closes_by: date | None = None
    sort: str = "closing"


JOB_SORTS = {
    "closing": (HiringRound.closes_on, HiringRound.closing_time, HiringRound.id),
    "newest": (HiringRound.opens_on.desc(), HiringRound.id.desc()),
    "pay": (
        HiringRound.pay_max_cents.is_(None),
        HiringRound.pay_max_cents.desc(),
        HiringRound.closes_on,
        HiringRound.id,
    ),
}


def job_search_statement(search: JobSearch) -> sa.Select:
    stmt = (
        sa.select(HiringRound)
        .options(selectinload(HiringRound.job_profile), selectinload(HiringRound.agency))
        .where(_still_open())
        .order_by(*JOB_SORTS.get(search.sort, JOB_SORTS["closing"]))
    )
    if text := querying.search_text(search.text):
        stmt = stmt.where(
            sa.or_(
                querying.contains(HiringRound.title, text),
                querying.contains(HiringRound.duties, text),
            )
        )
    if search.agency_id is not None:
        stmt = stmt.where(HiringRound.agency_id == search.agency_id)
    if search.location:
        stmt = stmt.where(HiringRound.work_location == search.location)
    if search.schedule is not None:
        stmt = stmt.where(HiringRound.schedule == search.schedule)
    if search.min_pay_cents is not None:
        stmt = stmt.where(HiringRound.pay_max_cents >= search.min_pay_cents)
    if search.closes_by is not None:
        stmt = stmt.where(HiringRound.closes_on <= search.closes_by)
    return stmt


def open_posting_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(HiringRound).where(_still_open())
    )


def job_filter_choices() -> tuple[list[tuple[int, str]], list[str]]:
    """The agencies and work locations that open postings name, for the jobs page's filters."""
    agencies = db.session.execute(
        sa.select(Department.id, Department.name)
        .where(Department.id.in_(sa.select(HiringRound.agency_id).where(_still_open())))
        .order_by(Department.name, Department.id)
    ).all()
    locations = db.session.scalars(
        sa.select(HiringRound.work_location)
        .where(_still_open(), HiringRound.work_location != "")
        .distinct()
        .order_by(HiringRound.work_location)
    ).all()
    return [tuple(row) for row in agencies], list(locations)


def is_taking_applications(hiring_round: HiringRound) -> bool:
    today = clock.today()
    return (
        hiring_round.status == RoundStatus.OPEN
        and hiring_round.opens_on <= today <= hiring_round.closes_on
        and clock.now() < closing_moment(hiring_round)
    )


def closing_moment(hiring_round: HiringRound) -> datetime:
    return posting.closes_at(
        hiring_round.closes_on, hiring_round.closing_time, querying.display_zone()
    )


def posting_defaults(job_profile_id: int) -> HiringRound | None:
    """The latest round for a job profile, whose posting a new round's form starts from."""
    return db.session.scalar(
        sa.select(HiringRound)
        .where(HiringRound.job_profile_id == job_profile_id)
        .order_by(HiringRound.created_at.desc(), HiringRound.id.desc())
        .limit(1)
    )


def rounds_statement(status: RoundStatus | None = None) -> sa.Select:
    """HR's list of rounds, newest first."""
    stmt = (
        sa.select(HiringRound)
        .options(selectinload(HiringRound.job_profile))
        .order_by(HiringRound.created_at.desc(), HiringRound.id.desc())
    )
    if status is not None:
        stmt = stmt.where(HiringRound.status == status)
    return stmt


def application_counts(round_ids: list[int]) -> dict[int, int]:
    if not round_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Application.round_id, sa.func.count())
            .where(Application.round_id.in_(round_ids))
            .group_by(Application.round_id)
        ).all()
    )


def round_with_details(round_id: int) -> HiringRound | None:
    return db.session.scalar(
        sa.select(HiringRound)
        .options(
            selectinload(HiringRound.job_profile),
            selectinload(HiringRound.agency),
            selectinload(HiringRound.questions).selectinload(RoundQuestion.competency),
            selectinload(HiringRound.rubric)
            .selectinload(RubricItem.competency)
            .selectinload(Competency.descriptors),
        )
        .where(HiringRound.id == round_id)
    )


def panel(round_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(PanelMember, PanelMember.user_id == User.id)
            .where(PanelMember.round_id == round_id)
            .order_by(User.full_name, User.id)
        )
    )


def line_conflicts(
    round_id: int, *, user_id: int | None = None, application_id: int | None = None
) -> set[tuple[int, int]]:
    """(application, assessor) pairs where the assessor manages the internal applicant, directly
    or anywhere up their reporting line: such an assessor never scores that application.

    The assessors are the round's panel, or the one person `user_id` (before they join it).
    """
    above = aliased(Employee)
    applicant = aliased(Employee)
    stmt = (
        sa.select(Application.id, above.user_id)
        .join(applicant, applicant.id == Application.employee_id)
        .join(
            above,
            sa.and_(
                above.id != applicant.id,
                # Line paths hold only digits and "/": nothing to escape in the pattern.
                applicant.line_path.startswith(above.line_path),
            ),
        )
        .where(Application.round_id == round_id)
    )
    if user_id is not None:
        stmt = stmt.where(above.user_id == user_id)
    else:
        stmt = stmt.join(
            PanelMember,
            sa.and_(PanelMember.user_id == above.user_id, PanelMember.round_id == round_id),
        )
    if application_id is not None:
        stmt = stmt.where(Application.id == application_id)
    return {(row[0], row[1]) for row in db.session.execute(stmt)}


def status_counts(round_id: int) -> dict[ApplicationStatus, int]:
    return dict(
        db.session.execute(
            sa.select(Application.status, sa.func.count())
            .where(Application.round_id == round_id)
            .group_by(Application.status)
        ).all()
    )


def applications_statement(
    round_id: int,
    status: ApplicationStatus | None = None,
    text: str | None = None,
    names_too: bool = False,
) -> sa.Select:
    """A round's applications in order of arrival, by status and by candidate code (or name,
    once names are shown to HR)."""
    stmt = (
        sa.select(Application)
        .where(Application.round_id == round_id)
        .order_by(Application.submitted_at, Application.id)
    )
    if status is not None:
        stmt = stmt.where(Application.status == status)
    if text := querying.search_text(text):
        match = querying.contains(Application.candidate_code, text)
        if names_too:
            match = sa.or_(match, querying.contains(Application.full_name, text))
        stmt = stmt.where(match)
    return stmt


@dataclass(frozen=True)
class Progress:
    assigned: int
    submitted: int


def assessment_progress(application_ids: list[int]) -> dict[int, Progress]:
    """How many assessors each application has, and how many have submitted: one query."""
    if not application_ids:
        return {}
    rows = db.session.execute(
        sa.select(
            Assessment.application_id,
            sa.func.count(Assessment.id),
            sa.func.count(Assessment.submitted_at),
        )
        .where(Assessment.application_id.in_(application_ids))
        .group_by(Assessment.application_id)
    ).all()
    return {app_id: Progress(assigned, submitted) for app_id, assigned, submitted in rows}


# --- assessors ---------------------------------------------------------------------------------


def is_assessor_of(user_id: int, round_id: int) -> bool:
    return db.session.get(PanelMember, (round_id, user_id)) is not None


@dataclass(frozen=True)
class PanelRound:
    round_id: int
    title: str
    status: RoundStatus
    to_score: int
    scored: int


def rounds_for_assessor(user_id: int) -> list[PanelRound]:
    """The rounds on whose panel the person sits, with their own scoring progress."""
    counts = (
        sa.select(
            Assessment.round_id,
            sa.func.count(Assessment.id).label("assigned"),
            sa.func.count(Assessment.submitted_at).label("scored"),
        )
        .where(Assessment.assessor_id == user_id)
        .group_by(Assessment.round_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            HiringRound.id,
            HiringRound.title,
            HiringRound.status,
            sa.func.coalesce(counts.c.assigned, 0),
            sa.func.coalesce(counts.c.scored, 0),
        )
        .join(PanelMember, PanelMember.round_id == HiringRound.id)
        .outerjoin(counts, counts.c.round_id == HiringRound.id)
        .where(PanelMember.user_id == user_id, HiringRound.status != RoundStatus.CANCELLED)
        .order_by(HiringRound.closes_on.desc(), HiringRound.id.desc())
    ).all()
    return [PanelRound(rid, title, status, a - s, s) for rid, title, status, a, s in rows]


@dataclass(frozen=True)
class QueueItem:
    assessment_id: int
    candidate_code: str
    submitted_at: datetime | None


def assessor_queue_statement(user_id: int, round_id: int) -> sa.Select:
    """The ids of the assessor's own assignments in a round, those still to score first."""
    return (
        sa.select(Assessment.id)
        .join(Application, Application.id == Assessment.application_id)
        .where(Assessment.assessor_id == user_id, Assessment.round_id == round_id)
        .order_by(Assessment.submitted_at.is_not(None), Application.candidate_code)
    )


def next_to_screen(round_id: int, besides: int | None = None) -> int | None:
    """The round's next application waiting for screening, oldest first (other than
    `besides`, the one on screen)."""
    stmt = (
        sa.select(Application.id)
        .where(Application.round_id == round_id, Application.status == ApplicationStatus.SUBMITTED)
        .order_by(Application.submitted_at, Application.id)
    )
    if besides is not None:
        stmt = stmt.where(Application.id != besides)
    return db.session.scalar(stmt.limit(1))


def next_to_score(user_id: int, round_id: int, besides: int | None = None) -> int | None:
    """The assessor's next assignment in the round still to score, in the queue's order
    (other than `besides`, the one on screen)."""
    stmt = assessor_queue_statement(user_id, round_id).where(Assessment.submitted_at.is_(None))
    if besides is not None:
        stmt = stmt.where(Assessment.id != besides)
    return db.session.scalar(stmt.limit(1))


def queue_items(assessment_ids: list[int]) -> list[QueueItem]:
    """The queue's rows by candidate code: nothing else about the candidate is selected."""
    if not assessment_ids:
        return []
    rows = db.session.execute(
        sa.select(Assessment.id, Application.candidate_code, Assessment.submitted_at)
        .join(Application, Application.id == Assessment.application_id)
        .where(Assessment.id.in_(assessment_ids))
    ).all()
    by_id = {row[0]: QueueItem(*row) for row in rows}
    return [by_id[i] for i in assessment_ids if i in by_id]


@dataclass(frozen=True)
class BlindAnswer:
    prompt: str
    competency: str | None
    text: str


@dataclass(frozen=True)
class BlindApplication:
    """What an assessor may read: the code, the answers, the work sample and the name its file
    goes by (the candidate code's: files.blind_name), when there is one."""

    candidate_code: str
    answers: list[BlindAnswer]
    work_sample: str
    file_name: str | None = None


def blind_application(application_id: int) -> BlindApplication:
    code, work_sample, file_id, file_type = db.session.execute(
        sa.select(
            Application.candidate_code,
            Application.work_sample,
            Application.file_id,
            Application.file_type,
        ).where(Application.id == application_id)
    ).one()
    rows = db.session.execute(
        sa.select(RoundQuestion.prompt, Competency.name, Answer.text)
        .join(Answer, Answer.question_id == RoundQuestion.id)
        .outerjoin(Competency, Competency.id == RoundQuestion.competency_id)
        .where(Answer.application_id == application_id)
        .order_by(RoundQuestion.position)
    ).all()
    file_name = files.blind_name(code, file_type) if file_id else None
    return BlindApplication(code, [BlindAnswer(*row) for row in rows], work_sample, file_name)


def own_scores(assessment_id: int) -> dict[int, int]:
    from hiring.models import Score

    return dict(
        db.session.execute(
            sa.select(Score.competency_id, Score.score).where(Score.assessment_id == assessment_id)
        ).all()
    )


def other_scores(assessment: Assessment) -> list[tuple[str, dict[int, int]]]:
    """The other assessors' submitted scores; shown to an assessor only after their own."""
    from hiring.models import Score

    if assessment.submitted_at is None:
        return []
    rows = db.session.execute(
        sa.select(Assessment.id, Score.competency_id, Score.score)
        .join(Score, Score.assessment_id == Assessment.id)
        .where(
            Assessment.application_id == assessment.application_id,
            Assessment.id != assessment.id,
            Assessment.submitted_at.is_not(None),
        )
        .order_by(Assessment.id)
    ).all()
    by_assessment: dict[int, dict[int, int]] = {}
    for assessment_id, competency_id, score in rows:
        by_assessment.setdefault(assessment_id, {})[competency_id] = score
    return [
        (gettext("Assessor %(num)s", num=n), scores)
        for n, scores in enumerate(by_assessment.values(), 1)
    ]
