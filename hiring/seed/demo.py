"""The hiring part of the demo city: a completed round, a round under assessment and an open
round, built through the services as HR, candidates and assessors would."""

from __future__ import annotations

import random
from datetime import time, timedelta

import sqlalchemy as sa

from civicladder import clock
from civicladder.db import db
from civicladder.models import User
from hiring import assessment as scoring
from hiring import offers, ranking, rules, services
from hiring.models import (
    DEFAULT_CLOSING_TIME,
    ETHNICITY_GROUPS,
    SEX_GROUPS,
    Application,
    ApplicationStatus,
    Assessment,
    WorkSchedule,
)
from hiring.offers import answers
from hiring.posting import PostingDetails
from people.models import Department, Employee

DEMO_SEED = 2026
# Each round: (job profile code, title, openings, candidates, what becomes of it).
ROUNDS = [
    (
        "PARKS-MW",
        "Parks Maintenance Worker (spring intake)",
        2,
        10,
        "completed",
    ),
    ("CSR-311", "311 Customer Service Representative", 3, 8, "assessing"),
    ("PARKS-MW", "Parks Maintenance Worker (autumn intake)", 2, 5, "open"),
]
QUESTIONS = [
    "Tell us about a time you kept yourself or others safe while doing physical work.",
    "Describe a time you explained something to a member of the public who was upset.",
]
FIRST = [
    "Amara",
    "Bo",
    "Carmen",
    "Dev",
    "Elif",
    "Femi",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Luis",
    "Mei",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tomas",
]
LAST = [
    "Achebe",
    "Berg",
    "Castillo",
    "Dao",
    "Eze",
    "Fischer",
    "Gupta",
    "Haddad",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lopez",
    "Mensah",
    "Novak",
    "Okafor",
    "Park",
    "Quispe",
]
REASONS = "The answers give no example of the required competencies at the minimum level."


def build(built: dict) -> None:
    rng = random.Random(DEMO_SEED)
    users = {label: db.session.get(User, uid) for label, uid in built["users"].items()}
    hr = (
        None  # HR's steps are the system's, as elsewhere in the demo; assessors score as themselves
    )
    panel = [users["manager"], users["employee"], users["union_rep"]]
    names = iter(rng.sample([(f, ln) for f in FIRST for ln in LAST], 40))
    for code, title, openings, candidates, fate in ROUNDS:
        hiring_round = _open_round(hr, panel, built["job_profiles"][code], title, openings, fate)
        for _ in range(candidates):
            first, last = next(names)
            _apply(rng, hiring_round, f"{first} {last}")
        if fate == "open":
            continue
        services.close_round(hr, hiring_round)
        _screen(hr, hiring_round)
        services.start_assessment(hr, hiring_round)
        _score(rng, hr, hiring_round, share=1.0 if fate == "completed" else 0.5)
        if fate == "completed":
            _finish(hr, hiring_round, built)


# Each job profile's posting in the demo: (agency, location, pay from and to in dollars a
# year, weekly hours, working conditions).
POSTINGS = {
    "PARKS-MW": (
        "Parks and Recreation",
        "Riverside Park depot, 100 River Road",
        41_500,
        48_900,
        40,
        "Outdoors in all weathers, lifting up to 25 kg; early starts in summer; uniform and "
        "safety gear provided.",
    ),
    "CSR-311": (
        "311 Customer Service",
        "311 Contact Center, 1 Civic Plaza",
        39_800,
        46_200,
        35,
        "Indoors at a workstation with a headset; day and evening shifts on a rota, some weekends.",
    ),
}


def _posting(code: str, fate: str) -> PostingDetails:
    agency, location, low, high, hours, conditions = POSTINGS[code]
    agency_id = db.session.scalar(sa.select(Department.id).where(Department.path == agency))
    return PostingDetails(
        agency_id=agency_id,
        work_location=location,
        schedule=WorkSchedule.FULL_TIME,
        weekly_hours=hours,
        pay_min_cents=low * 100,
        pay_max_cents=high * 100,
        working_conditions=conditions,
        process_weeks=6,
        # The rounds the demo closes take their applications on their closing day: they close
        # at the end of it.
        closing_time=time(17, 0) if fate == "open" else DEFAULT_CLOSING_TIME,
        accommodation_contact="hr-accommodations@example.org",
    )


def _open_round(hr, panel, profile_id, title, openings, fate):
    today = clock.today()
    code = next(c for c, t, *_ in ROUNDS if t == title)
    hiring_round = services.create_round(
        hr,
        job_profile_id=profile_id,
        title=title,
        openings=openings,
        opens_on=today - timedelta(days=45 if fate != "open" else 5),
        closes_on=today if fate != "open" else today + timedelta(days=30),
        description="Work outdoors keeping the city's parks safe, clean and welcoming."
        if "Parks" in title
        else "Answer residents' calls and messages and get their requests to the right team.",
        posting=_posting(code, fate),
    )
    for question in QUESTIONS:
        services.add_question(hr, hiring_round, question)
    for person in panel:
        services.add_panel_member(hr, hiring_round, person)
    return services.open_round(hr, hiring_round)


def _apply(rng, hiring_round, full_name: str) -> None:
    sex = rng.choice([None, *SEX_GROUPS])
    ethnicity = rng.choice([None, *ETHNICITY_GROUPS])
    services.submit_application(
        hiring_round,
        full_name=full_name,
        email=full_name.lower().replace(" ", ".") + "@example.org",
        answers={q.id: rng.choice(ANSWERS) for q in hiring_round.questions},
        work_sample=rng.choice(SAMPLES),
        sex=sex,
        ethnicity=ethnicity,
    )


ANSWERS = [
    "On a crew clearing storm damage I stopped work when a limb was hanging, roped off the "
    "path and waited for the chainsaw team. Nobody was hurt and the path reopened that day.",
    "A resident was angry about a closed playground. I listened, explained the repair and the "
    "date it would reopen, and showed her the nearest open one. She thanked me.",
    "I check my equipment every morning and log any fault before I start.",
    "I have not done this kind of work before, but I learn quickly.",
]
SAMPLES = [
    "A weekly checklist I wrote for a community garden's tools and safety gear.",
    "Notes from a neighbourhood clean-up I organised with twenty volunteers.",
    "",
]


def _screen(hr, hiring_round) -> None:
    for application in _applications(hiring_round.id):
        weak = all(a.text.startswith("I have not") for a in application.answers)
        if weak:
            services.screen(hr, application, False, REASONS)
        else:
            services.screen(hr, application, True)


def _applications(round_id, status=None):
    stmt = sa.select(Application).where(Application.round_id == round_id)
    if status is not None:
        stmt = stmt.where(Application.status == status)
    return list(db.session.scalars(stmt.order_by(Application.id)))


def _score(rng, hr, hiring_round, share: float) -> None:
    rubric = [item.competency_id for item in hiring_round.rubric]
    assessments = list(
        db.session.scalars(
            sa.select(Assessment)
            .where(Assessment.round_id == hiring_round.id)
            .order_by(Assessment.application_id, Assessment.id)
        )
    )
    strength = {}
    for assessment in assessments:
        if rng.random() > share:
            continue
        base = strength.setdefault(assessment.application_id, rng.choice([2, 3, 3, 4, 4, 5]))
        scores = {cid: max(1, min(5, base + rng.choice([-1, 0, 0, 1]))) for cid in rubric}
        assessor = db.session.get(User, assessment.assessor_id)
        scoring.submit_scores(assessor, assessment, scores, "Clear, specific examples.")
    for application in _applications(hiring_round.id, ApplicationStatus.SCREENED_IN):
        table, complete = scoring.score_table(application.id)
        if not complete:
            continue
        for competency_id in sorted(rules.flagged_competencies(table)):
            middle = round(sum(table[competency_id]) / len(table[competency_id]))
            scoring.record_consensus(
                hr,
                application,
                competency_id,
                middle,
                "Panel agreed after discussing the evidence.",
            )


def _finish(hr, hiring_round, built) -> None:
    offers.lock_ranking(hr, hiring_round)
    rows = ranking.ranked_list(hiring_round)
    for row in rows[:3]:
        offers.shortlist(hr, services.get_application(row.application_id))
    best = services.get_application(rows[0].application_id)
    offers.make_offer(hr, best)
    answers.accept(best)
    manager = db.session.get(Employee, built["demo_employees"]["manager"])
    offers.hire(
        hr,
        best,
        employee_number="E20001",
        department_path=manager.department.path,
        hire_date=clock.today() + timedelta(days=14),
        manager_number=manager.employee_number,
        bargaining_unit_id=manager.bargaining_unit_id,
    )
    runner_up = services.get_application(rows[1].application_id)
    offers.make_offer(hr, runner_up)
    offers.record_decline(hr, runner_up, "Accepted a job elsewhere.")
    offers.complete_round(hr, hiring_round)
