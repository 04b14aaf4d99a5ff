"""Certificates as issued: what they keep whatever happens to the course, the day they are
dated, revocation, corrected results, what the public verification page says, and links."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from academy import certificates, completion, rules
from academy.certificates import session_days
from academy.models import Certificate
from academy.models import EnrollmentStatus as S
from civicladder import clock, layout
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Forbidden, Invalid
from civicladder.models import AuditEvent, Notification
from competencies.models import (
    CompetencyEvidence,
    CompetencyEvidenceWithdrawal,
    EvidenceSource,
)
from competencies.queries import current_levels_statement


@pytest.fixture
def issued(app, people, academy, competencies, make_user):
    """Rosa completed "Chainsaw safety" (6 hours, taught by Lee Park) in a session that ended
    ten days ago; the instructor typed the result in today."""
    chainsaw = competencies.competency(name="Chainsaw handling", code="OPS-SAW")
    course = academy.course([(chainsaw, 3, 12)], title="Chainsaw safety", hours=6, code="SAW-1")
    instructor, instructor_user = people.employee_user(first_name="Lee", last_name="Park")
    session = academy.session(course, days=-10, instructor=instructor)
    person, user = people.employee_user(first_name="Rosa", last_name="Diaz")
    enrollment = academy.enrollment(session, person)
    hr = make_user({Role.HR})
    with app.test_request_context():  # not held: view tests must not keep an app context
        completion.record_result(instructor_user, enrollment, S.COMPLETED, 88)
        last_day = session_days(session)[1]
    certificate = db.session.scalar(
        sa.select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    )
    return locals()


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def _levels(employee_id: int) -> dict[int, int]:
    stmt = current_levels_statement(clock.today()).where(
        CompetencyEvidence.employee_id == employee_id
    )
    return {row.competency_id: row.level for row in db.session.execute(stmt)}


# --- what a certificate keeps ------------------------------------------------------------------


def test_certificate_shows_what_it_certified_after_the_course_and_session_change(
    app, client_as, client, people, competencies, issued
):
    with app.app_context():
        course, session = issued["course"], issued["session"]
        course.title, course.hours, course.code = "Tree work, renamed", 40, "TREE-9"
        course.outcomes[0].level = 5
        course.outcomes[0].competency.name = "Arboriculture"
        session.starts_at -= timedelta(days=30)
        session.instructor_id = people.employee(first_name="Other", last_name="Teacher").id
        db.session.flush()
    code = issued["certificate"].code
    holder = client_as(issued["user"])

    page = holder.get(f"/academy/certificates/{issued['certificate'].id}").text
    pdf = _pdf_text(holder.get(f"/academy/certificates/{issued['certificate'].id}/pdf"))
    public = client.get(f"/verify?code={code}").text

    for text in (page, pdf, public):
        assert "Chainsaw safety" in text and "SAW-1" in text and "6 hours" in text
        assert "Chainsaw handling" in text and "3 Practitioner" in text
        assert "Lee Park" in text
        assert "Tree work" not in text and "40 hours" not in text and "Arboriculture" not in text
        assert "Other Teacher" not in text and "5 Expert" not in text


def test_certificate_keeps_course_session_instructor_and_levels_at_issue(app_ctx, issued):
    certificate, session = issued["certificate"], issued["session"]
    first_day, last_day = session_days(session)
    assert (certificate.course_code, certificate.course_title, certificate.hours) == (
        "SAW-1",
        "Chainsaw safety",
        6,
    )
    assert (certificate.first_day, certificate.last_day) == (first_day, last_day)
    assert certificate.instructor_name == "Lee Park"
    [granted] = certificate.granted
    assert (granted.code, granted.name, granted.level) == ("OPS-SAW", "Chainsaw handling", 3)
    assert granted.expires_on == rules.add_months(last_day, 12)


# --- dated the session's last day --------------------------------------------------------------


def test_result_typed_in_days_later_dates_evidence_and_certificate_on_the_sessions_last_day(
    app_ctx, issued
):
    last_day = issued["last_day"]
    assert last_day <= clock.today() - timedelta(days=9)
    evidence = db.session.scalar(
        sa.select(CompetencyEvidence).where(CompetencyEvidence.employee_id == issued["person"].id)
    )
    certificate = issued["certificate"]
    assert evidence.observed_on == last_day
    assert evidence.expires_on == rules.add_months(last_day, 12)
    assert certificate.issued_on == last_day
    assert certificate.expires_on == rules.add_months(last_day, 12)
    assert issued["enrollment"].result_on == clock.today()  # when it was typed in, kept apart


# --- revocation --------------------------------------------------------------------------------


def test_hr_revokes_a_certificate_with_a_reason_and_the_holder_is_told(app_ctx, issued):
    hr, certificate = issued["hr"], issued["certificate"]

    certificates.revoke(hr, certificate, "Issued for the wrong person.")

    assert certificate.revoked_at is not None and certificate.revoked_by_id == hr.id
    assert certificate.revocation_reason == "Issued for the wrong person."
    assert certificates.state(certificate) == certificates.REVOKED
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "certificate.revoked")
    )
    assert event.object_id == str(certificate.id) and event.reason == "Issued for the wrong person."
    told = db.session.scalars(
        sa.select(Notification.body).where(Notification.user_id == issued["user"].id)
    ).all()
    assert any("revoked" in body and "wrong person" in body for body in told)


def test_a_certificate_is_revoked_once(app_ctx, issued):
    certificates.revoke(issued["hr"], issued["certificate"], "Issued in error.")
    with pytest.raises(Conflict, match="already revoked"):
        certificates.revoke(issued["hr"], issued["certificate"], "Issued in error.")
    events = sa.select(sa.func.count()).where(AuditEvent.action == "certificate.revoked")
    assert db.session.scalar(events) == 1


def test_only_hr_revokes_and_always_with_a_reason(app_ctx, make_user, issued):
    with pytest.raises(Forbidden):
        certificates.revoke(make_user({Role.MANAGER}), issued["certificate"], "No.")
    with pytest.raises(Invalid):
        certificates.revoke(issued["hr"], issued["certificate"], "   ")
    assert not issued["certificate"].revoked


def test_revocation_asks_first_then_revokes(client_as, issued):
    hr = client_as(issued["hr"])
    url = f"/academy/certificates/{issued['certificate'].id}/revoke"

    asked = hr.get(url)
    assert asked.status_code == 200 and "Revoke Rosa Diaz" in asked.text
    assert not db.session.get(Certificate, issued["certificate"].id).revoked

    missing = hr.post(url, data={"reason": ""})
    assert missing.status_code == 422 and "Give a reason" in missing.text

    done = hr.post(url, data={"reason": "Issued in error."})
    assert done.status_code == 302
    assert db.session.get(Certificate, issued["certificate"].id).revoked


# --- what the pages say ------------------------------------------------------------------------


def test_verification_says_revoked_on_the_day_and_never_genuine(client, app, issued):
    with app.app_context():
        certificates.revoke(issued["hr"], issued["certificate"], "Found to be copied work.")
    page = client.get(f"/verify?code={issued['certificate'].code}").text

    # The day of the revocation where the city is (at 00:30 UTC it is still yesterday there).
    with app.app_context():
        revoked_on = layout.format_date(issued["certificate"].revoked_at)
    assert revoked_on in (_day(clock.today()), _day(clock.today() - timedelta(days=1)))
    assert f"Revoked on {revoked_on}" in page
    assert "genuine" not in page and "valid" not in page.split("Revoked on", 1)[0]
    assert "copied work" not in page  # the reason is for the holder, not the public


def test_verification_says_expired_on_the_day_and_not_valid(client, app, academy, people):
    with app.app_context():
        enrollment = academy.enrollment(academy.session(days=-400), people.employee(), S.COMPLETED)
        certificate = academy.certificate(enrollment, expires_on=clock.today() - timedelta(days=5))
    page = client.get(f"/verify?code={certificate.code}").text

    assert "Expired on" in page and _day(clock.today() - timedelta(days=5)) in page
    assert "genuine and valid" not in page


def test_holders_page_and_pdf_show_the_revocation(client_as, app, issued):
    with app.app_context():
        certificates.revoke(issued["hr"], issued["certificate"], "Issued in error.")
    holder = client_as(issued["user"])
    page = holder.get(f"/academy/certificates/{issued['certificate'].id}").text
    pdf = _pdf_text(holder.get(f"/academy/certificates/{issued['certificate'].id}/pdf"))

    assert "Revoked on" in page and "Issued in error." in page
    assert "Revoked on" in pdf


def _day(value) -> str:
    return f"{value.day} {value:%b %Y}"


# --- links -------------------------------------------------------------------------------------


def test_certificate_links_point_to_the_address_the_page_was_asked_from(app, client_as, issued):
    holder = client_as(issued["user"])
    name = app.config["SESSION_COOKIE_NAME"]
    holder.set_cookie(name, holder.get_cookie(name).value, domain="training.city.test")
    base = "http://training.city.test:5001"
    ident = issued["certificate"].id
    expected = f"{base}/verify?code={issued['certificate'].code}"

    page = holder.get(f"/academy/certificates/{ident}", base_url=base).text
    pdf = _pdf_text(holder.get(f"/academy/certificates/{ident}/pdf", base_url=base))

    assert f'href="{expected}"' in page
    assert "training.city.test:5001/verify" in pdf.replace("\n", "")
    assert "127.0.0.1:5000" not in page


# --- corrected results -------------------------------------------------------------------------


def test_correcting_a_completion_revokes_the_certificate_and_withdraws_its_evidence(
    app_ctx, issued
):
    person, chainsaw = issued["person"], issued["chainsaw"]
    assert _levels(person.id) == {chainsaw.id: 3}

    completion.correct_result(
        issued["instructor_user"], issued["enrollment"], S.FAILED, "Practical test not passed."
    )

    assert issued["enrollment"].status == S.FAILED
    certificate = db.session.get(Certificate, issued["certificate"].id)
    assert certificate.revoked and "Practical test not passed." in certificate.revocation_reason
    assert certificate.revoked_by_id == issued["instructor_user"].id
    # The evidence stays as recorded; a withdrawal record says it no longer counts.
    evidence = db.session.scalars(
        sa.select(CompetencyEvidence).where(CompetencyEvidence.employee_id == person.id)
    ).all()
    assert len(evidence) == 1
    withdrawal = db.session.get(CompetencyEvidenceWithdrawal, evidence[0].id)
    assert withdrawal.withdrawn_by_id == issued["instructor_user"].id
    assert _levels(person.id) == {}
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"enrollment.corrected.failed", "certificate.revoked"} <= actions
    assert "competency_evidence.withdrawn" in actions
    told = db.session.scalars(
        sa.select(Notification.subject).where(Notification.user_id == issued["user"].id)
    ).all()
    assert any(subject.startswith("Result corrected") for subject in told)


def test_correcting_a_failure_to_a_completion_issues_the_certificate(app_ctx, academy, people):
    instructor, instructor_user = people.employee_user()
    session = academy.session(days=-3, instructor=instructor)
    enrollment = academy.enrollment(session, people.employee(), S.FAILED)

    completion.correct_result(instructor_user, enrollment, S.COMPLETED, "Score was misread.", 75)

    certificate = certificates.certificate_of(enrollment)
    assert certificate is not None and not certificate.revoked
    assert certificate.issued_on == session_days(session)[1]
    assert enrollment.score == 75


def test_a_correction_needs_a_reason_a_recorded_result_and_the_sessions_instructor(
    app_ctx, academy, people, issued
):
    with pytest.raises(Invalid, match="reason"):
        completion.correct_result(issued["hr"], issued["enrollment"], S.FAILED, "")
    _, other_instructor = people.employee_user()
    with pytest.raises(Forbidden):
        completion.correct_result(other_instructor, issued["enrollment"], S.FAILED, "Wrong.")
    waiting = academy.enrollment(issued["session"], people.employee())
    with pytest.raises(Conflict, match="no result to correct"):
        completion.correct_result(issued["hr"], waiting, S.FAILED, "Wrong.")
    assert issued["enrollment"].status == S.COMPLETED
    assert not issued["certificate"].revoked


def test_withdrawal_records_cannot_be_changed(app_ctx, issued):
    completion.correct_result(issued["hr"], issued["enrollment"], S.NO_SHOW, "Was not there.")
    withdrawal = db.session.scalar(sa.select(CompetencyEvidenceWithdrawal))
    withdrawal.reason = "Something else"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_correction_page_asks_for_the_result_and_a_reason(client_as, issued):
    instructor = client_as(issued["instructor_user"])
    url = f"/academy/sessions/{issued['session'].id}/enrollments/{issued['enrollment'].id}/correct"

    asked = instructor.get(url)
    assert asked.status_code == 200 and "revokes the certificate" in asked.text

    refused = instructor.post(url, data={"result": "failed", "reason": ""})
    assert refused.status_code == 422 and "Say why" in refused.text

    done = instructor.post(url, data={"result": "failed", "reason": "Test not passed."})
    assert done.status_code == 302
    assert db.session.get(Certificate, issued["certificate"].id).revoked


def test_correcting_a_completion_whose_certificate_hr_revoked_still_withdraws_its_evidence(
    app_ctx, issued
):
    certificates.revoke(issued["hr"], issued["certificate"], "Issued in error.")

    completion.correct_result(issued["hr"], issued["enrollment"], S.FAILED, "Not passed.")

    assert db.session.get(Certificate, issued["certificate"].id).revocation_reason == (
        "Issued in error."
    )
    assert _levels(issued["person"].id) == {}


def test_correcting_an_older_certificate_finds_its_evidence_by_holder_competency_and_day(
    app_ctx, academy, people, competencies
):
    """Certificates from before they kept their evidence ids (filled by the migration)."""
    skill, other = competencies.competency(), competencies.competency()
    session = academy.session(academy.course([(skill, 2, None)]), days=-20)
    person = people.employee()
    enrollment = academy.enrollment(session, person, S.COMPLETED)
    certificate = academy.certificate(enrollment)
    source = EvidenceSource.COURSE_COMPLETION
    own = competencies.evidence(person, skill, 2, observed_on=certificate.last_day, source=source)
    unrelated = competencies.evidence(person, other, 2, observed_on=certificate.last_day)
    assert "evidence_id" not in certificate.outcomes[0]

    completion.correct_result(None, enrollment, S.FAILED, "Recorded against the wrong course.")

    withdrawn = set(db.session.scalars(sa.select(CompetencyEvidenceWithdrawal.evidence_id)))
    assert withdrawn == {own.id}
    assert unrelated.id not in withdrawn
