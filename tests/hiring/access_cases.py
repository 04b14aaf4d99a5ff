"""The hiring package's rows of the access matrix: public jobs, HR's rounds, assessors' queues.

Contextual column: "assessor_of_round", a person on the panel of a round under assessment,
with one application of it still to score.
"""

from __future__ import annotations

import pytest

from civicladder.db import db
from civicladder.models import User
from hiring import files
from hiring.models import ApplicationStatus, RoundStatus
from hiring.rules import Category
from tests.civicladder.access_cases import EVERYONE_SIGNED_IN, ROLES, Case, only, recorded
from tests.hiring.factories import hiring_factories, offer_form

STATUS_TOKEN = "matrix-status-token"
OFFER_TOKEN = "matrix-offer-token"
LIST_TOKEN = "matrix-list-token"


def world(kit, ids: dict) -> dict:
    hiring = hiring_factories(kit.make_user, kit.competencies)
    draft = hiring.round(RoundStatus.DRAFT)
    open_round = hiring.round(RoundStatus.OPEN)
    submitted = hiring.application(open_round, token=STATUS_TOKEN)
    submitted.file = hiring.stored_file(b"%PDF-1.4 matrix")
    submitted.file_name, submitted.file_type, submitted.file_size = "cv.pdf", files.PDF, 15
    assessing = hiring.round(RoundStatus.ASSESSING, assessors=0)
    first, second, assessor, spare = (hiring.panel_member(assessing) for _ in range(4))
    rubric = hiring.rubric_ids(assessing)
    spread = hiring.application(assessing, ApplicationStatus.SCREENED_IN)
    hiring.assessment(spread, first, {rubric[0]: 1, rubric[1]: 3})
    hiring.assessment(spread, second, {rubric[0]: 4, rubric[1]: 3})
    pending_application = hiring.application(assessing, ApplicationStatus.SCREENED_IN)
    pending_application.file = hiring.stored_file(b"%PDF-1.4 matrix sample")
    pending_application.file_type, pending_application.file_size = files.PDF, 22
    pending = hiring.assessment(pending_application, assessor)
    hiring.assessment(pending_application, first)
    ranked = hiring.round(RoundStatus.RANKED)
    judges = hiring.panel(ranked)
    marks = dict.fromkeys(hiring.rubric_ids(ranked), 4)
    assessed = hiring.application(ranked, ApplicationStatus.ASSESSED)
    offered = hiring.application(ranked, ApplicationStatus.OFFERED)
    for scored in (assessed, offered):
        for judge in judges:
            hiring.assessment(scored, judge, marks)
    # An offer made online, waiting for the candidate's answer through their status link.
    under_offer = hiring.application(
        hiring.round(RoundStatus.RANKED), ApplicationStatus.OFFERED, token=OFFER_TOKEN
    )
    hiring.offer(under_offer)
    # A completed round's eligible list, with a candidate still available on it.
    completed = hiring.round(RoundStatus.COMPLETED)
    listed_application = hiring.application(completed, ApplicationStatus.ASSESSED, token=LIST_TOKEN)
    for judge in hiring.panel(completed):
        hiring.assessment(listed_application, judge, dict.fromkeys(hiring.rubric_ids(completed), 4))
    eligible = hiring.eligible_list(completed, [(listed_application, Category.BEST)])
    return {
        "eligible_list": eligible.id,
        "listed_application": listed_application.id,
        "list_token": LIST_TOKEN,
        "offer_token": OFFER_TOKEN,
        "ranked_round": ranked.id,
        "assessed_application": assessed.id,
        "offered_application": offered.id,
        "draft_round": draft.id,
        "open_round": open_round.id,
        "open_question": open_round.questions[0].id,
        "submitted_application": submitted.id,
        "submitted_email": submitted.email,
        "status_token": STATUS_TOKEN,
        "assessing_round": assessing.id,
        "rubric": rubric,
        "spread_application": spread.id,
        "spread_competency": rubric[0],
        "spare_assessor": spare.id,
        "assessor_user": assessor.id,
        "pending_assessment": pending.id,
    }


@pytest.fixture
def assessor_of_round(world, client_as):
    return client_as(db.session.get(User, world["assessor_user"]))


ACTORS: tuple[str, ...] = ("assessor_of_round",)

EVERYONE = dict.fromkeys(ROLES, 200) | {"assessor_of_round": 200}
EVERYONE_REDIRECTED = dict.fromkeys(ROLES, 302) | {"assessor_of_round": 302}
ALL_COLUMNS = (*ROLES, "assessor_of_round")


def hr_only(status: int) -> dict:
    return only({"hr": status}) | {"assessor_of_round": 403}


def assessor_only(status: int) -> dict:
    return only({}) | {"assessor_of_round": status}


def _scores(ids: dict) -> dict:
    return {f"score_{cid}": "3" for cid in ids["rubric"]} | {"notes": "Clear examples."}


CASES = [
    Case("hiring.jobs", "GET", "/jobs", EVERYONE),
    Case("hiring.job", "GET", "/jobs/{open_round}", EVERYONE),
    Case(
        "hiring.job",
        "POST",
        "/jobs/{open_round}",
        EVERYONE_REDIRECTED,
        lambda ids: {
            "full_name": "Matrix Candidate",
            "email": "matrix.candidate@example.test",
            f"answer_{ids['open_question']}": "I led the spring clean-up.",
        },
        recorded("application.submitted", *ALL_COLUMNS),
    ),
    # Applying as an employee needs an employee record: HR, rep and admin accounts have none.
    Case(
        "hiring.apply_as_employee",
        "POST",
        "/jobs/{open_round}/apply-as-employee",
        only({"employee": 302, "manager": 302}) | {"assessor_of_round": 403},
        lambda ids: {
            "full_name": "Matrix Employee",
            "email": "matrix.employee@example.test",
            f"answer_{ids['open_question']}": "I ran the depot's safety checks.",
        },
        records=recorded("application.submitted", "employee", "manager"),
    ),
    Case(
        "hiring.status_links",
        "POST",
        "/jobs/status-links",
        EVERYONE_REDIRECTED,
        {"email": "{submitted_email}"},
        recorded("application.status_link_reissued", *ALL_COLUMNS),
    ),
    Case("hiring.status", "GET", "/jobs/status/{status_token}", EVERYONE),
    Case("hiring.withdraw", "GET", "/jobs/status/{status_token}/withdraw", EVERYONE),
    Case(
        "hiring.withdraw",
        "POST",
        "/jobs/status/{status_token}/withdraw",
        EVERYONE_REDIRECTED,
        records=recorded("application.withdrawn", *ALL_COLUMNS),
    ),
    Case("hiring.offer_letter", "GET", "/jobs/status/{offer_token}/offer.pdf", EVERYONE),
    Case("hiring.accept_offer", "GET", "/jobs/status/{offer_token}/offer/accept", EVERYONE),
    Case(
        "hiring.accept_offer",
        "POST",
        "/jobs/status/{offer_token}/offer/accept",
        EVERYONE_REDIRECTED,
        records=recorded("offer.accepted", *ALL_COLUMNS),
    ),
    Case("hiring.decline_offer", "GET", "/jobs/status/{offer_token}/offer/decline", EVERYONE),
    Case(
        "hiring.decline_offer",
        "POST",
        "/jobs/status/{offer_token}/offer/decline",
        EVERYONE_REDIRECTED,
        {"reason": "I took a job nearer home."},
        recorded("offer.declined", *ALL_COLUMNS),
    ),
    Case("hiring.rounds", "GET", "/hiring/rounds", hr_only(200)),
    Case("hiring.new_round", "GET", "/hiring/rounds/new", hr_only(200)),
    Case(
        "hiring.new_round",
        "POST",
        "/hiring/rounds/new",
        hr_only(302),
        {
            "job_profile_id": "{job_profile}",
            "title": "Matrix round",
            "openings": "2",
            "opens_on": "{today}",
            "closes_on": "2099-01-01",
            "best_qualified_from": "4.00",
            "well_qualified_from": "3.25",
            "qualified_from": "2.50",
        },
        recorded("hiring_round.created", "hr"),
    ),
    Case("hiring.round_page", "GET", "/hiring/rounds/{draft_round}", hr_only(200)),
    Case("hiring.edit_posting", "GET", "/hiring/rounds/{draft_round}/posting", hr_only(200)),
    Case(
        "hiring.edit_posting",
        "POST",
        "/hiring/rounds/{draft_round}/posting",
        hr_only(302),
        {"work_location": "Matrix depot", "pay_min": "40000", "pay_max": "45000"},
        recorded("hiring_round.posting_changed", "hr"),
    ),
    Case(
        "hiring.add_question",
        "POST",
        "/hiring/rounds/{draft_round}/questions",
        hr_only(302),
        {"prompt": "Describe a hard conversation with a resident.", "competency_id": "0"},
        recorded("hiring_round.question_added", "hr"),
    ),
    Case(
        "hiring.add_assessor",
        "POST",
        "/hiring/rounds/{draft_round}/panel",
        hr_only(302),
        {"email": "{target_email}"},
        recorded("hiring_round.assessor_added", "hr"),
    ),
    Case(
        "hiring.move_round",
        "POST",
        "/hiring/rounds/{draft_round}/move",
        hr_only(302),
        {"to": "open"},
        recorded("hiring_round.open", "hr"),
    ),
    Case(
        "hiring.application",
        "GET",
        "/hiring/applications/{submitted_application}",
        hr_only(200),
    ),
    Case(
        "hiring.application_file",
        "GET",
        "/hiring/applications/{submitted_application}/file",
        hr_only(200),
    ),
    Case(
        "hiring.screen",
        "POST",
        "/hiring/applications/{submitted_application}/screen",
        hr_only(302),
        {"decision": "in"},
        recorded("application.screened_in", "hr"),
    ),
    Case(
        "hiring.consensus",
        "POST",
        "/hiring/applications/{spread_application}/consensus",
        hr_only(302),
        {"competency_id": "{spread_competency}", "score": "3", "reason": "Agreed on review."},
        recorded("application.consensus_recorded", "hr"),
    ),
    Case(
        "hiring.add_application_assessor",
        "POST",
        "/hiring/applications/{spread_application}/assessors",
        hr_only(302),
        {"assessor_id": "{spare_assessor}"},
        recorded("application.assessor_added", "hr"),
    ),
    Case("hiring.ranked_list", "GET", "/hiring/rounds/{ranked_round}/ranking", hr_only(200)),
    Case(
        "hiring.ranked_list_csv", "GET", "/hiring/rounds/{ranked_round}/ranking.csv", hr_only(200)
    ),
    Case(
        "hiring.decisions_csv", "GET", "/hiring/rounds/{ranked_round}/decisions.csv", hr_only(200)
    ),
    Case(
        "hiring.adverse_impact", "GET", "/hiring/rounds/{ranked_round}/adverse-impact", hr_only(200)
    ),
    Case("hiring.round_record", "GET", "/hiring/rounds/{ranked_round}/record", hr_only(200)),
    Case(
        "hiring.download_round_record",
        "POST",
        "/hiring/rounds/{ranked_round}/record",
        hr_only(200),
        {},
        recorded("hiring_round.record_downloaded", "hr"),
    ),
    Case(
        "hiring.decide",
        "POST",
        "/hiring/applications/{assessed_application}/decision",
        hr_only(302),
        {"to": "shortlisted"},
        recorded("application.shortlisted", "hr"),
    ),
    Case("hiring.hire", "GET", "/hiring/applications/{offered_application}/hire", hr_only(200)),
    Case(
        "hiring.hire",
        "POST",
        "/hiring/applications/{offered_application}/hire",
        hr_only(302),
        {"employee_number": "H-MATRIX", "department": "Parks", "hire_date": "{today}"},
        recorded("application.hired", "hr"),
    ),
    Case("hiring.eligible_lists", "GET", "/hiring/eligible-lists", hr_only(200)),
    Case("hiring.eligible_list", "GET", "/hiring/eligible-lists/{eligible_list}", hr_only(200)),
    # The confirmed step, with the terms, makes the offer (the first step only asks).
    Case(
        "hiring.offer_from_list",
        "POST",
        "/hiring/eligible-lists/{eligible_list}/offer",
        hr_only(302),
        lambda ids: offer_form(application_id=str(ids["listed_application"]), vacancy="Depot 4"),
        recorded("offer.made", "hr"),
    ),
    # The confirmed step changes the list's last day (the first step only asks).
    Case(
        "hiring.change_list_expiry",
        "POST",
        "/hiring/eligible-lists/{eligible_list}/expiry",
        hr_only(302),
        {"months": "30", "reason": "Vacancies held back by a freeze.", "confirmed": "yes"},
        recorded("eligible_list.expiry_changed", "hr"),
    ),
    Case(
        "hiring.leave_eligible_list",
        "GET",
        "/jobs/status/{list_token}/eligible-list/leave",
        EVERYONE,
    ),
    Case(
        "hiring.leave_eligible_list",
        "POST",
        "/jobs/status/{list_token}/eligible-list/leave",
        EVERYONE_REDIRECTED,
        records=recorded("eligible_list.candidate_removed", *ALL_COLUMNS),
    ),
    Case("hiring.assess_rounds", "GET", "/assess", EVERYONE_SIGNED_IN | {"assessor_of_round": 200}),
    Case("hiring.queue", "GET", "/assess/rounds/{assessing_round}", assessor_only(200)),
    Case(
        "hiring.score",
        "GET",
        "/assess/rounds/{assessing_round}/{pending_assessment}",
        assessor_only(200),
    ),
    Case(
        "hiring.assessment_file",
        "GET",
        "/assess/rounds/{assessing_round}/{pending_assessment}/file",
        assessor_only(200),
    ),
    Case(
        "hiring.score",
        "POST",
        "/assess/rounds/{assessing_round}/{pending_assessment}",
        assessor_only(302),
        _scores,
        recorded("assessment.submitted", "assessor_of_round"),
    ),
]
