"""Employees apply through the same form as everyone else, blind to assessors, and nobody above
them in their reporting line assesses their application."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from civicladder import files as file_store
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Invalid
from civicladder.models import AuditEvent, Notification
from competencies.models import Competency
from hiring import files, services
from hiring.models import Application, ApplicationStatus, Assessment, RoundStatus
from tests.hiring.test_files import make_pdf

ANSWER = "I planned the winter salting routes with the crew."
SAMPLE = "A route sheet for twelve streets."


def _answers(hiring_round) -> dict[int, str]:
    return {q.id: ANSWER for q in hiring_round.questions}


def _applications(round_id):
    return db.session.scalars(
        sa.select(Application).where(Application.round_id == round_id).order_by(Application.id)
    ).all()


def test_an_employee_gets_the_same_form_starting_with_their_name_and_address(
    client, client_as, hiring, people
):
    hiring_round = hiring.round()
    employee, user = people.employee_user()
    page = client_as(user).get(f"/jobs/{hiring_round.id}").text
    public = client.get(f"/jobs/{hiring_round.id}").text
    fields = set(re.findall(r'name="([^"]+)"', page)) - {"csrf_token"}
    assert fields == set(re.findall(r'name="([^"]+)"', public)) - {"csrf_token"}
    assert {"work_sample", "upload", f"answer_{hiring_round.questions[0].id}"} <= fields
    assert f'value="{employee.full_name}"' in page and f'value="{employee.email}"' in page
    assert f'action="/jobs/{hiring_round.id}/apply-as-employee"' in page
    assert "Apply with one click" not in page


def test_an_employee_answers_the_questions_and_adds_a_file_like_everyone_else(
    app, client_as, hiring, people
):
    hiring_round = hiring.round()
    employee, user = people.employee_user()
    data = {"full_name": employee.full_name, "email": employee.email, "work_sample": SAMPLE}
    data |= {f"answer_{qid}": text for qid, text in _answers(hiring_round).items()}
    data["upload"] = FileStorage(io.BytesIO(make_pdf(metadata=True)), "my cv.pdf")
    boundary, body = encode_multipart(MultiDict(data))
    response = client_as(user).post(
        f"/jobs/{hiring_round.id}/apply-as-employee",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 302
    (application,) = _applications(hiring_round.id)
    assert application.employee_id == employee.id
    assert [a.text for a in application.answers] == [ANSWER]
    assert application.work_sample == SAMPLE
    assert application.file_type == files.PDF
    with app.app_context():
        assert b"Quill" not in file_store.read(application.file)


def test_an_employee_who_leaves_a_question_unanswered_is_told_and_nothing_is_written(
    app_ctx, client_as, hiring, people
):
    hiring_round = hiring.round()
    employee, user = people.employee_user()
    response = client_as(user).post(
        f"/jobs/{hiring_round.id}/apply-as-employee",
        data={"full_name": employee.full_name, "email": employee.email},
    )
    assert response.status_code == 422
    assert "Answer every question." in response.text
    assert _applications(hiring_round.id) == []
    with pytest.raises(Invalid, match="Answer every question"):
        services.apply_internal(user, hiring_round, answers={})


def _assessing(hiring, make_user, *applicants):
    """Close the round, screen everything in and start assessment; returns HR."""
    hr = make_user({Role.HR})
    hiring_round = applicants[0].round
    services.close_round(hr, hiring_round)
    for application in applicants:
        services.screen(hr, application, True)
    services.start_assessment(hr, hiring_round)
    return hr


def test_assessors_cannot_tell_an_internal_application_from_an_external_one(
    app_ctx, client_as, hiring, people, competencies, make_user
):
    hiring_round = hiring.round(assessors=2)
    employee, user = people.employee_user()
    for competency_id in hiring.rubric_ids(hiring_round):
        competencies.evidence(employee, db.session.get(Competency, competency_id), 5)
    internal, _ = services.apply_internal(
        user, hiring_round, answers=_answers(hiring_round), work_sample=SAMPLE
    )
    external, _ = services.submit_application(
        hiring_round,
        full_name="Robin Outside",
        email="robin@example.test",
        answers=_answers(hiring_round),
        work_sample=SAMPLE,
    )
    _assessing(hiring, make_user, internal, external)
    assessor = hiring.panel(hiring_round)[0]
    seen = client_as(assessor)
    pages = []
    for application in (internal, external):
        assessment = db.session.scalar(
            sa.select(Assessment).where(
                Assessment.application_id == application.id, Assessment.assessor_id == assessor.id
            )
        )
        page = seen.get(f"/assess/rounds/{hiring_round.id}/{assessment.id}").text
        assert ANSWER in page and SAMPLE in page
        pages.append(
            page.replace(application.candidate_code, "CODE").replace(
                f"/{hiring_round.id}/{assessment.id}", "/ROUND/ID"
            )
        )
    assert pages[0] == pages[1]
    assert employee.full_name not in pages[0] and "Expert" not in pages[0].split("Your scores")[0]


def test_hr_cannot_put_an_internal_applicants_manager_on_the_panel(
    app_ctx, hiring, people, make_user
):
    hiring_round = hiring.round()
    director, director_user = people.employee_user()
    manager, manager_user = people.employee_user(manager=director)
    _, applicant_user = people.employee_user(manager=manager)
    _, colleague_user = people.employee_user(manager=director)
    services.apply_internal(applicant_user, hiring_round, answers=_answers(hiring_round))
    hr = make_user({Role.HR})
    for above in (manager_user, director_user):
        with pytest.raises(Conflict, match="manages an internal applicant to this round"):
            services.add_panel_member(hr, hiring_round, above)
    # Someone beside the applicant, not above them, may sit on the panel.
    services.add_panel_member(hr, hiring_round, colleague_user)


def test_an_internal_application_under_a_panel_member_goes_in_and_they_never_assess_it(
    app_ctx, hiring, people, make_user
):
    hiring_round = hiring.round(assessors=2)
    creator = make_user({Role.HR})
    hiring_round.created_by_id = creator.id
    manager, manager_user = people.employee_user()
    hiring.panel_member(hiring_round, manager_user)
    _, applicant_user = people.employee_user(manager=manager)
    internal, _ = services.apply_internal(
        applicant_user, hiring_round, answers=_answers(hiring_round)
    )
    external, _ = services.submit_application(
        hiring_round, full_name="Ali Out", email="ali@example.test", answers=_answers(hiring_round)
    )
    assert internal.status == ApplicationStatus.SUBMITTED
    (notice,) = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == creator.id)
    ).all()
    assert internal.candidate_code in notice.subject
    assert "will not be assigned to this application" in notice.body
    assert applicant_user.full_name not in notice.subject + notice.body
    assert db.session.scalar(
        sa.select(AuditEvent.id).where(AuditEvent.action == "application.line_managers_excluded")
    )
    _assessing(hiring, make_user, internal, external)
    assessors = {
        application_id: set(
            db.session.scalars(
                sa.select(Assessment.assessor_id).where(Assessment.application_id == application_id)
            )
        )
        for application_id in (internal.id, external.id)
    }
    assert manager_user.id not in assessors[internal.id] and len(assessors[internal.id]) == 2
    assert hiring_round.status == RoundStatus.ASSESSING


def test_hr_cannot_add_the_applicants_manager_as_a_third_assessor(
    app_ctx, hiring, people, make_user
):
    from hiring import assessment as scoring

    hiring_round = hiring.round(RoundStatus.ASSESSING, assessors=2)
    first, second = hiring.panel(hiring_round)
    manager, manager_user = people.employee_user()
    hiring.panel_member(hiring_round, manager_user)
    applicant, _ = people.employee_user(manager=manager)
    application = hiring.application(
        hiring_round, ApplicationStatus.SCREENED_IN, employee_id=applicant.id
    )
    rubric = hiring.rubric_ids(hiring_round)
    hiring.assessment(application, first, {rubric[0]: 1, rubric[1]: 3})
    hiring.assessment(application, second, {rubric[0]: 4, rubric[1]: 3})
    with pytest.raises(Invalid, match="someone who reports to them"):
        scoring.add_third_assessor(make_user({Role.HR}), application, manager_user)


def test_each_assessor_is_told_how_many_applications_are_theirs(app_ctx, hiring, make_user):
    hiring_round = hiring.round(assessors=2)
    applicants = [hiring.application(hiring_round) for _ in range(3)]
    _assessing(hiring, make_user, *applicants)
    told = db.session.execute(
        sa.select(Notification.user_id, Notification.subject, Notification.link).where(
            Notification.link == f"/assess/rounds/{hiring_round.id}"
        )
    ).all()
    panel = {user.id for user in hiring.panel(hiring_round)}
    assert {user_id for user_id, _, _ in told} == panel  # one notice each
    assert all(
        subject == f"3 applications to assess for {hiring_round.title}" for _, subject, _ in told
    )
