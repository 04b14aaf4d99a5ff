"""A person's learner record (CLR 2.0): a signed ClrCredential holding the same credentials
their certificates and level held are signed as, and their competency levels with the evidence
behind them; checked with PyJWT, tampered with, read on the public check page, downloaded as a
PDF, and refused to anyone but the person and HR."""

from __future__ import annotations

import io
from datetime import date, timedelta

import jwt
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from academy import credentials as certificate_credentials
from academy.models import EnrollmentStatus
from autonomy import credentials as level_credentials
from civicladder import clock, credential_checks
from civicladder import credentials as signing
from civicladder.access import Role
from civicladder.db import db
from civicladder.models import AuditEvent
from competencies.models import CompetencyEvidence, EvidenceSource
from people.models import EmployeeStatus
from tests.academy.factories import academy_factories
from tests.civicladder.standards import schema_errors

CLR_TYPES = ["VerifiableCredential", "ClrCredential"]


@pytest.fixture
def recorded(app, people, competencies, autonomy):
    """Ana Reyes completed "Chainsaw safety" (chainsaw handling at level 3), which gave her a
    certificate; a second certificate was revoked. Her manager Maya validated her plan reading
    at level 3, and she holds level 1 of "Permit review", which rests on it."""
    academy = academy_factories(competencies)
    saw = competencies.competency(name="Chainsaw handling", code="OPS-SAW")
    reading = competencies.competency(name="Plan reading", code="PRM-READ")
    profile = competencies.job_profile([(reading, 2, 1)])
    track = autonomy.track(
        [profile],
        [
            {
                "requirements": [(reading, 3)],
                "name": "Independent",
                "discretion": [("approve-permit", "May approve a standard permit alone")],
            }
        ],
        code="PRM",
        name="Permit review",
    )
    manager, manager_user = people.employee_user({Role.MANAGER}, first_name="Maya")
    person, user = people.employee_user(
        manager=manager, job_profile=profile, first_name="Ana", last_name="Reyes"
    )
    course = academy.course([(saw, 3, 12)], title="Chainsaw safety", hours=6, code="SAW-1")
    session = academy.session(course, days=-10)
    other = academy.course([(saw, 2, None)], title="Hedge trimming", code="HDG-1")
    hedges = academy.enrollment(
        academy.session(other, days=-20), person, EnrollmentStatus.COMPLETED
    )
    with app.app_context():  # not held: view tests must not keep an app context
        certificate = academy.certificate(
            academy.enrollment(session, person, EnrollmentStatus.COMPLETED)
        )
        revoked = academy.certificate(hedges)
    revoked.revoked_at = clock.now()
    competencies.evidence(
        person,
        saw,
        3,
        observed_on=date.today() - timedelta(days=10),
        expires_on=date.today() + timedelta(days=355),
        source=EvidenceSource.COURSE_COMPLETION,
    )
    db.session.add(
        CompetencyEvidence(
            employee_id=person.id,
            competency_id=reading.id,
            level=3,
            source=EvidenceSource.MANAGER_VALIDATION,
            observed_on=date(2026, 2, 3),
            verified_by_id=manager_user.id,
            note="",
        )
    )
    (level,) = track.levels
    grant = autonomy.grant(person, level, effective_on=date(2026, 3, 2))
    db.session.flush()
    return {
        "person": person,
        "user": user,
        "manager": manager_user,
        "certificate": certificate,
        "revoked": revoked,
        "grant": grant,
        "academy": academy,
        "saw": saw,
    }


def _issue(client, person, form="jwt"):
    return client.post(f"/people/{person.id}/learner-record", data={"format": form})


def _key(client):
    return jwt.PyJWK(client.get("/credentials/keys").get_json()["keys"][0]).key


def _issued_events(person):
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == "learner_record.issued", AuditEvent.object_id == str(person.id)
            )
        )
    )


def test_the_person_downloads_one_signed_record_of_what_was_verified_that_pyjwt_checks(
    app, recorded, client_as
):
    client = client_as(recorded["user"])
    response = _issue(client, recorded["person"])
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    assert response.headers["Cache-Control"] == "no-store"
    assert "learner-record-" in response.headers["Content-Disposition"]
    token = response.get_data(as_text=True)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA"
    assert header["kid"].startswith(app.config["PUBLIC_URL"] + "/credentials/keys/")
    record = jwt.decode(
        token,
        _key(client),
        algorithms=["EdDSA"],
        options={"require": ["iss", "jti", "sub", "nbf"]},
    )
    assert record["type"] == CLR_TYPES
    assert signing.CLR_CONTEXT in record["@context"]
    assert record["iss"] == record["issuer"]["id"] and record["jti"] == record["id"]
    subject = record["credentialSubject"]
    assert subject["type"] == ["ClrSubject"] and record["sub"] == subject["id"]
    assert subject["identifier"][0]["identityHash"] == "Ana Reyes"

    held = subject["verifiableCredential"]
    assert [c["name"] for c in held] == [
        "Certificate: Chainsaw safety",  # the revoked one is left out
        "Chainsaw handling: level 3 Practitioner",
        "Plan reading: level 3 Practitioner",
        "Autonomy level 1: Independent (Permit review)",
    ]
    assert [a["name"] for a in subject["achievement"]] == [
        c["credentialSubject"]["achievement"]["name"] for c in held
    ]
    # The same credentials the certificate and the level are signed as on their own.
    with app.test_request_context():
        assert held[0] == certificate_credentials.credential(recorded["certificate"])
        assert held[3] == level_credentials.credential(recorded["grant"])
    for credential in held:
        assert schema_errors(credential) == [], credential["name"]
    reading = held[2]
    assert reading["evidence"][0]["name"] == "Manager validation"
    assert "level 3 Practitioner on 2026-02-03, verified by" in reading["evidence"][0]["narrative"]
    assert "validUntil" not in reading  # validated evidence does not lapse
    assert held[1]["validUntil"].startswith(str(date.today() + timedelta(days=355)))

    (event,) = _issued_events(recorded["person"])
    assert event.after["form"] == "jwt" and event.after["certificates"] == 1
    assert event.actor_id == recorded["user"].id and not event.reason


def test_a_changed_record_fails_and_the_check_page_reads_a_genuine_one(
    app, recorded, client_as, client
):
    token = _issue(client_as(recorded["user"]), recorded["person"]).get_data(as_text=True)
    head, body, signature = token.split(".")
    changed = body[:40] + ("A" if body[40] != "A" else "B") + body[41:]
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(f"{head}.{changed}.{signature}", _key(client), algorithms=["EdDSA"])
    with app.test_request_context():
        assert not credential_checks.verify(f"{head}.{changed}.{signature}").genuine

    page = client.post("/verify/credential", data={"token": token})
    assert page.status_code == 200
    assert "This credential is genuine and valid" in page.text
    assert "It holds 4 credentials; none" in page.text
    assert "Certificate: Chainsaw safety" in page.text and "Plan reading" in page.text

    recorded["certificate"].revoked_at = clock.now()
    db.session.flush()
    page = client.post("/verify/credential", data={"token": token})
    assert "Genuine, but it does not count now" in page.text
    assert "revoked what it holds of: Certificate: Chainsaw safety." in page.text


def test_only_the_person_and_hr_may_have_the_record(app, recorded, client_as, people):
    person = recorded["person"]
    url = f"/people/{person.id}/learner-record"
    stranger, stranger_user = people.employee_user()
    for who in (stranger_user, recorded["manager"], "union_rep", "admin"):
        client = client_as(who)
        assert client.get(url).status_code == 404
        assert _issue(client, person).status_code == 404
    assert _issued_events(person) == []

    own = client_as(recorded["user"]).get(url)
    assert own.status_code == 200 and "Chainsaw safety (SAW-1)" in own.text
    assert "Hedge trimming" not in own.text

    person.status = EmployeeStatus.SEPARATED
    db.session.flush()
    hr = client_as("hr")
    assert "Issue the learner record at separation" in hr.get(f"/people/{person.id}").text
    assert "has left the city's service" in hr.get(url).text
    assert _issue(hr, person).status_code == 200
    (event,) = _issued_events(person)
    assert event.reason == "At separation" and event.actor_id == hr.user.id
    assert _issue(hr, person, form="zip").status_code == 422


def test_nothing_verified_means_no_record_to_download(client_as, people):
    person, user = people.employee_user()
    client = client_as(user)
    assert "Nothing is verified yet" in client.get(f"/people/{person.id}/learner-record").text
    response = _issue(client, person)
    assert response.status_code == 409 and "Nothing is verified" in response.text
    assert _issued_events(person) == []


def test_the_record_page_reads_the_same_number_of_queries_however_much_it_holds(
    app, recorded, client_as, competencies, assert_max_queries, count_queries
):
    client = client_as(recorded["user"])
    url = f"/people/{recorded['person'].id}/learner-record"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    academy = recorded["academy"]
    for n in range(3):
        course = academy.course([(recorded["saw"], 2, None)], code=f"MORE-{n}")
        enrollment = academy.enrollment(
            academy.session(course, days=-30 - n), recorded["person"], EnrollmentStatus.COMPLETED
        )
        with app.app_context():
            academy.certificate(enrollment)
        competencies.evidence(recorded["person"], competencies.competency(), 2)
    with assert_max_queries(len(few)):
        page = client.get(url)
    assert page.text.count("MORE-") == 3


def test_the_pdf_names_the_person_and_everything_verified(recorded, client_as):
    response = _issue(client_as(recorded["user"]), recorded["person"], form="pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = " ".join(text.split())
    for expected in (
        "Learner record",
        "Ana Reyes",
        "Chainsaw safety (SAW-1)",
        "Certifies Chainsaw handling at level 3 Practitioner",
        "Plan reading (PRM-READ): level 3 Practitioner",
        "Manager validation: level 3 Practitioner on 2026-02-03",
        "Permit review, level 1: Independent",
        "May approve a standard permit alone",
    ):
        assert expected in text, expected
    assert "Hedge trimming" not in text
    (event,) = _issued_events(recorded["person"])
    assert event.after["form"] == "pdf"


def test_a_spanish_reader_gets_the_page_and_pdf_in_spanish_and_the_same_english_record(
    recorded, client_as, autonomy
):
    # A limit on what the level permits, written the way each language writes its numbers.
    recorded["grant"].level.discretion[0].limit_amount = 1000
    recorded["grant"].level.discretion[0].unit = "USD"
    db.session.flush()
    client = client_as(recorded["user"])
    spanish = {"Accept-Language": "es"}
    url = f"/people/{recorded['person'].id}/learner-record"

    page = client.get(url, headers=spanish).text
    for expected in (
        "Certificados",
        "Niveles de competencia",
        "Niveles de autonomía asignados",
        "Certifica Chainsaw handling en el nivel 3 Práctico",
        "Plan reading (PRM-READ): nivel 3 Práctico",
        "Validación del supervisor: nivel 3 Práctico el 2026-02-03, verificada por",
        "6 horas,",
        "; certificado ",
    ):
        assert expected in page, expected
    assert "Certifies" not in page and "Competency levels" not in page

    pdf = client.post(url, data={"format": "pdf"}, headers=spanish)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    text = " ".join(text.split())
    assert "Certifica Chainsaw handling en el nivel 3 Práctico" in text
    assert "Niveles de competencia" in text and "Certifies" not in text

    # The signed record is the same words whatever the reader's language: only its issue time
    # (and the id made from it) differ between two downloads.
    def payload(headers) -> dict:
        token = client.post(url, data={"format": "jwt"}, headers=headers).get_data(as_text=True)
        found = jwt.decode(token, options={"verify_signature": False})
        for key in ("id", "jti", "validFrom", "nbf"):
            found.pop(key)
        return found

    english, in_spanish = payload({"Accept-Language": "en"}), payload(spanish)
    assert signing._json(in_spanish) == signing._json(english)
    words = signing._json(english).decode()
    assert "level 3 Practitioner" in words and "up to 1,000 USD" in words
    assert "Práctico" not in words and "Certificados" not in words
