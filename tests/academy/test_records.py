"""Completion and what follows: certificates (page, PDF, public check), the training record,
evidence running out, calendar files, the CSV for HR, and ratings with the small-group rule."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from academy import completion, rules
from academy.certificates import session_days
from academy.models import Certificate
from academy.models import EnrollmentStatus as S
from civicladder import clock
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Forbidden
from competencies.models import CompetencyEvidence


@pytest.fixture
def completed(app, people, academy, competencies):
    """Rosa completed a two-competency course; the certificate lasts as long as the shorter."""
    writing = competencies.competency(name="Plain writing")
    safety = competencies.competency(name="Site safety")
    course = academy.course([(writing, 3, None), (safety, 2, 12)], title="Writing safely")
    session = academy.session(course, days=-1)
    person, user = people.employee_user(first_name="Rosa", last_name="Diaz")
    enrollment = academy.enrollment(session, person)
    with app.test_request_context():  # not held: view tests must not keep an app context
        completion.record_result(None, enrollment, S.COMPLETED, 91)
    certificate = db.session.scalar(
        sa.select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    )
    return locals()


def test_completion_writes_evidence_per_outcome_and_one_certificate(app_ctx, completed):
    rows = db.session.scalars(
        sa.select(CompetencyEvidence)
        .where(CompetencyEvidence.employee_id == completed["person"].id)
        .order_by(CompetencyEvidence.level)
    ).all()
    last_day = session_days(completed["session"])[1]
    assert [(r.level, r.observed_on, r.expires_on) for r in rows] == [
        (2, last_day, rules.add_months(last_day, 12)),
        (3, last_day, None),
    ]
    certificate = completed["certificate"]
    assert certificate.expires_on == rules.add_months(last_day, 12)
    assert len(certificate.code) == 14 and certificate.code.count("-") == 2


def test_a_failure_grants_nothing(app_ctx, people, academy):
    enrollment = academy.enrollment(academy.session(days=-1), people.employee())
    completion.record_result(None, enrollment, S.FAILED)
    assert db.session.scalar(sa.select(sa.func.count(CompetencyEvidence.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 0


def test_certificate_pdf_carries_name_course_and_code(client_as, completed):
    client = client_as(completed["user"])
    response = client.get(f"/academy/certificates/{completed['certificate'].id}/pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Rosa Diaz" in text
    assert "Writing safely" in text
    assert completed["certificate"].code in text


def test_verification_confirms_a_code_and_says_so_for_an_unknown_one(client, completed):
    code = completed["certificate"].code
    found = client.get(f"/verify?code={code.lower().replace('-', '')}")
    assert found.status_code == 200
    assert "This certificate is genuine" in found.text and "Rosa Diaz" in found.text
    assert "Plain writing" in found.text
    assert completed["person"].employee_number not in found.text  # nothing beyond the paper

    unknown = client.get("/verify?code=AAAA-BBBB-CCCC")
    assert unknown.status_code == 404
    assert "No certificate has this code" in unknown.text


def test_someone_else_cannot_open_a_certificate(client_as, people, completed):
    _, stranger = people.employee_user()
    url = f"/academy/certificates/{completed['certificate'].id}"
    assert client_as(stranger).get(url).status_code == 404
    assert client_as(completed["user"]).get(url).status_code == 200


def test_training_record_shows_history_upcoming_certificates_and_expiring_evidence(
    client_as, people, academy, competencies, completed
):
    person, user = completed["person"], completed["user"]
    upcoming = academy.session(academy.course(title="Next steps"), days=10)
    academy.enrollment(upcoming, person)
    lapsing = competencies.competency(name="Chainsaw handling")
    competencies.evidence(
        person,
        lapsing,
        2,
        expires_on=clock.today() + timedelta(days=20),
        observed_on=date(2024, 1, 1),
    )
    academy.course([(lapsing, 2, 24)], title="Chainsaw refresher")

    page = client_as(user).get("/academy/my-training").text

    assert "Next steps" in page and "add to calendar" in page
    assert completed["certificate"].code in page
    assert "Chainsaw handling" in page and "Renew it with" in page
    assert "Chainsaw refresher" in page
    assert "Rate this session" in page


def test_hr_export_neutralises_formulas(client_as, people, academy):
    person = people.employee(last_name="=HYPERLINK(1)", first_name="@SUM")
    academy.enrollment(academy.session(), person)
    hr = client_as("hr")
    asked = hr.post("/academy/export")
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/admin/jobs/")
    job_page = hr.get(asked.headers["Location"]).text
    assert "Finished." in job_page and "Download training-records.csv (" in job_page
    response = hr.get(asked.headers["Location"] + "/file")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][0] == "employee_number"
    mine = [row for row in rows if row[0] == person.employee_number]
    assert mine[0][1:3] == ["'=HYPERLINK(1)", "'@SUM"]


def test_ratings_show_only_once_five_have_answered(client_as, people, academy, app):
    teacher, teacher_user = people.employee_user()
    session = academy.session(days=-2, instructor=teacher)
    raters = []
    for _ in range(5):
        person, user = people.employee_user()
        enrollment = academy.enrollment(session, person, S.COMPLETED)
        raters.append((user, enrollment))
    for user, enrollment in raters[:4]:
        with app.test_request_context():
            completion.rate(user, enrollment, 4, "Clear and practical")
    client = client_as(teacher_user)
    roster = client.get(f"/academy/sessions/{session.id}/roster").text
    assert "4 rated so far" in roster and "Clear and practical" not in roster

    with app.test_request_context():
        completion.rate(*raters[4], 2)
    roster = client.get(f"/academy/sessions/{session.id}/roster").text
    assert "Average 3.6 of 5 from 5 participants" in roster
    assert "Clear and practical" in roster


def test_a_session_is_rated_once_and_only_after_completing(app_ctx, people, academy):
    session = academy.session(days=-2)
    person, user = people.employee_user()
    enrolled = academy.enrollment(session, person)
    with pytest.raises(Conflict, match="after you have completed"):
        completion.rate(user, enrolled, 5)
    enrolled.status = S.COMPLETED
    completion.rate(user, enrolled, 5)
    with pytest.raises(Conflict, match="already rated"):
        completion.rate(user, enrolled, 4)


def test_the_instructor_cannot_record_a_result_for_another_session(app_ctx, people, academy):
    teacher, teacher_user = people.employee_user()
    other = academy.session(days=-1)
    enrollment = academy.enrollment(other, people.employee())
    with pytest.raises(Forbidden):
        completion.record_result(teacher_user, enrollment, S.COMPLETED)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
    ],
)
def test_validity_months_land_on_the_same_day_or_the_month_end(start, months, expected):
    assert rules.add_months(start, months) == expected


def test_home_shows_the_manager_requests_waiting_and_the_team_evidence_running_out(
    client_as, people, academy, competencies
):
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    worker = people.employee(manager=boss, first_name="Olu")
    session = academy.session(academy.course(needs_manager_approval=True))
    academy.enrollment(session, worker, S.REQUESTED)
    skill = competencies.competency(name="Confined spaces")
    competencies.evidence(worker, skill, 2, expires_on=clock.today() + timedelta(days=30))
    academy.course([(skill, 3, 12)], title="Confined spaces refresher")
    mine = academy.session(academy.course(title="Budgeting basics"))
    academy.enrollment(mine, boss)

    page = client_as(boss_user).get("/").text

    assert "1 training request waiting for your decision" in page
    assert "Olu" in page and "Confined spaces refresher" in page
    assert "Budgeting basics" in page


def test_the_profile_shows_an_employee_training_to_their_manager(client_as, people, academy):
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    worker = people.employee(manager=boss)
    academy.enrollment(academy.session(academy.course(title="Tree climbing")), worker)
    page = client_as(boss_user).get(f"/people/{worker.id}").text
    assert "Tree climbing" in page


def test_attendance_first_then_the_result(app_ctx, people, academy, competencies):
    skill = competencies.competency()
    session = academy.session(academy.course([(skill, 2, None)]), days=-1)
    enrollment = academy.enrollment(session, people.employee())

    completion.record_result(None, enrollment, S.ATTENDED)
    assert enrollment.status == S.ATTENDED
    assert db.session.scalar(sa.select(sa.func.count(CompetencyEvidence.id))) == 0

    completion.record_result(None, enrollment, S.COMPLETED, 80)
    assert db.session.scalar(sa.select(sa.func.count(CompetencyEvidence.id))) == 1
    with pytest.raises(Conflict):
        completion.record_result(None, enrollment, S.NO_SHOW)


def test_an_export_is_for_whoever_asked_and_is_removed_after_its_time(
    client_as, people, academy, make_user, app
):
    from datetime import timedelta

    from civicladder import clock, export_jobs, files
    from civicladder.db import db
    from civicladder.models import JobRun

    academy.enrollment(academy.session(), people.employee())
    asker, other = make_user({Role.HR}), make_user({Role.HR})
    mine = client_as(asker)
    location = mine.post("/academy/export").headers["Location"]
    refused = client_as(other).get(location + "/file")
    assert refused.status_code == 403
    downloaded = mine.get(location + "/file")
    assert downloaded.status_code == 200 and downloaded.data.startswith(b"employee_number,")
    with app.app_context():
        run = db.session.get(JobRun, int(location.rsplit("/", 1)[1]))
        file_id = run.result["file_id"]
        keep = timedelta(hours=app.config["EXPORT_KEEP_HOURS"], minutes=1)
        run.ended_at = clock.now() - keep
        assert export_jobs.sweep() == {"removed": 1}
        assert db.session.get(files.StoredFile, file_id) is None
        db.session.commit()
    gone = mine.get(location + "/file")
    assert gone.status_code == 404
    assert "ask for the export again" in mine.get(location).text
    with app.app_context():
        assert export_jobs.sweep() == {"removed": 0}
