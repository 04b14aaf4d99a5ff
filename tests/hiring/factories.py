"""Factories for hiring: rounds in any state, applications, assignments and scores.

They write rows directly (and flush), so a test says only the state it needs; the services
are tested on their own.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa

from civicladder import clock
from civicladder import files as file_store
from civicladder.access import Role
from civicladder.db import db
from civicladder.files import StoredFile
from civicladder.security import token_hash
from hiring import files
from hiring.eligible.models import EligibleList, EligibleListEntry
from hiring.models import (
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
    Score,
)
from hiring.offers.models import Offer, OfferStatus
from hiring.offers.terms import OfferTerms

_sequence = itertools.count(1)


def offer_terms(**overrides) -> OfferTerms:
    """Terms an offer may be made on (rounds from these factories post no pay range)."""
    today = clock.today()
    values = {
        "grade": "Grade 7",
        "salary_cents": 5_200_000,
        "starts_on": today + timedelta(days=28),
        "answer_by": today + timedelta(days=7),
        "conditions": "A background check.",
    }
    return OfferTerms(**(values | overrides))


def offer_form(**overrides) -> dict:
    """HR's confirmed offer as posted from the confirmation step, with its terms."""
    terms = offer_terms()
    return {
        "to": "offered",
        "confirmed": "yes",
        "grade": terms.grade,
        "salary": "52000",
        "starts_on": terms.starts_on.isoformat(),
        "answer_by": terms.answer_by.isoformat(),
        "conditions": terms.conditions,
    } | overrides


def hiring_factories(make_user, competency_kit):
    def round_(
        status: RoundStatus = RoundStatus.OPEN,
        *,
        competencies=None,
        assessors: int = 2,
        questions: int = 1,
        **overrides,
    ) -> HiringRound:
        """A round with a job profile of two competencies (weights 3 and 1), copied as its
        rubric unless it is a draft, its questions and a panel of new users."""
        n = next(_sequence)
        chosen = competencies or [competency_kit.competency(), competency_kit.competency()]
        weights = [3, 1, 1, 1, 1][: len(chosen)]
        profile = competency_kit.job_profile(
            [(c, 2, w) for c, w in zip(chosen, weights, strict=True)]
        )
        today = clock.today()
        values = {
            "job_profile_id": profile.id,
            "title": f"Round {n}",
            "openings": 1,
            "opens_on": today - timedelta(days=7),
            "closes_on": today + timedelta(days=14),
        }
        values.update(overrides)
        hiring_round = HiringRound(status=status, **values)
        db.session.add(hiring_round)
        db.session.flush()
        for position in range(1, questions + 1):
            db.session.add(
                RoundQuestion(
                    round_id=hiring_round.id,
                    position=position,
                    prompt=f"Tell us about a time you showed skill {position}.",
                    competency_id=chosen[0].id,
                )
            )
        if status != RoundStatus.DRAFT:
            for position, (c, w) in enumerate(zip(chosen, weights, strict=True), start=1):
                db.session.add(
                    RubricItem(
                        round_id=hiring_round.id,
                        competency_id=c.id,
                        position=position,
                        min_level=2,
                        weight=w,
                    )
                )
        for _ in range(assessors):
            panel_member(hiring_round)
        db.session.flush()
        db.session.expire(hiring_round, ["questions", "rubric"])
        return hiring_round

    def panel_member(hiring_round: HiringRound, user=None):
        user = user or make_user({Role.EMPLOYEE})
        db.session.add(PanelMember(round_id=hiring_round.id, user_id=user.id))
        db.session.flush()
        return user

    def panel(hiring_round: HiringRound):
        from civicladder.models import User

        return list(
            db.session.scalars(
                sa.select(User)
                .join(PanelMember, PanelMember.user_id == User.id)
                .where(PanelMember.round_id == hiring_round.id)
                .order_by(User.id)
            )
        )

    def application(
        hiring_round: HiringRound,
        status: ApplicationStatus = ApplicationStatus.SUBMITTED,
        *,
        token: str | None = None,
        sex: str | None = None,
        ethnicity: str | None = None,
        **overrides,
    ) -> Application:
        n = next(_sequence)
        values = {
            "full_name": f"Candidate Person{n}",
            "email": f"candidate{n}@example.test",
            "candidate_code": f"T{n:07d}",
            "work_sample": f"Work sample {n}",
        }
        values.update(overrides)
        row = Application(
            round_id=hiring_round.id,
            status=status,
            status_token_hash=token_hash(token or f"token-{n}"),
            **values,
        )
        row.answers = [
            Answer(question_id=q.id, text=f"Answer {n} to {q.position}")
            for q in db.session.scalars(
                sa.select(RoundQuestion).where(RoundQuestion.round_id == hiring_round.id)
            )
        ]
        db.session.add(row)
        db.session.flush()
        if sex or ethnicity:
            db.session.add(
                DemographicResponse(
                    application_id=row.id, round_id=hiring_round.id, sex=sex, ethnicity=ethnicity
                )
            )
            db.session.flush()
        return row

    def stored_file(data: bytes, kind: str = files.PDF, name: str = "cv.pdf") -> StoredFile:
        """A candidate's file in the store (in an app context: the store reads its settings)."""
        return file_store.store(data, name=name, media_type=kind)

    def assessment(application: Application, assessor, scores: dict[int, int] | None = None):
        """An assignment; submitted with these scores when given."""
        row = Assessment(
            application_id=application.id,
            round_id=application.round_id,
            assessor_id=assessor.id,
            notes="",
        )
        if scores is not None:
            row.scores = [Score(competency_id=cid, score=s) for cid, s in scores.items()]
            row.submitted_at = clock.now()
        db.session.add(row)
        db.session.flush()
        return row

    def offer(application: Application, status: OfferStatus = OfferStatus.PENDING, **overrides):
        """The offer of an offered application, on `offer_terms()`, due in a week."""
        terms = offer_terms()
        values = {
            "grade": terms.grade,
            "salary_cents": terms.salary_cents,
            "starts_on": terms.starts_on,
            "conditions": terms.conditions,
            "respond_by": clock.now() + timedelta(days=7),
        }
        row = Offer(application_id=application.id, status=status, **(values | overrides))
        db.session.add(row)
        db.session.flush()
        return row

    def eligible_list(
        hiring_round: HiringRound, places, *, expires_on=None, preference=()
    ) -> EligibleList:
        """A list of the round's, holding these (application, category) pairs in order."""
        today = clock.today()
        listed = EligibleList(
            round_id=hiring_round.id,
            job_profile_id=hiring_round.job_profile_id,
            established_on=today - timedelta(days=1),
            expires_on=expires_on or today + timedelta(days=365),
        )
        db.session.add(listed)
        db.session.flush()
        for position, (application, category) in enumerate(places, start=1):
            db.session.add(
                EligibleListEntry(
                    list_id=listed.id,
                    application_id=application.id,
                    position=position,
                    category=category,
                    preference=application in preference,
                )
            )
        db.session.flush()
        return listed

    def rubric_ids(hiring_round: HiringRound) -> list[int]:
        return list(
            db.session.scalars(
                sa.select(RubricItem.competency_id)
                .where(RubricItem.round_id == hiring_round.id)
                .order_by(RubricItem.position)
            )
        )

    return SimpleNamespace(
        round=round_,
        stored_file=stored_file,
        panel_member=panel_member,
        panel=panel,
        application=application,
        assessment=assessment,
        eligible_list=eligible_list,
        rubric_ids=rubric_ids,
        offer=offer,
    )
