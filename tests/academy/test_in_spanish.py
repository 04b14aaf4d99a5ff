"""The academy in Spanish: HR's, managers' and instructors' pages, the certificate, its PDF and
the public verification page in the reader's language; what the academy tells an employee in
the language they chose, whoever acts; the training records file in the asker's language."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from academy import enrolment
from academy.models import EnrollmentStatus as S
from civicladder.access import Role
from civicladder.db import db
from civicladder.models import Notification
from tests.academy.test_certificates import _pdf_text, issued  # noqa: F401 (a fixture)
from tests.academy.test_credentials import _download, holder  # noqa: F401 (a fixture)

SPANISH = {"Accept-Language": "es"}
ENGLISH = {"Accept-Language": "en"}


def _told(user, prefix: str) -> list[Notification]:
    return [
        n
        for n in db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id))
        if n.subject.startswith(prefix)
    ]


def _in_spanish(user) -> None:
    user.locale = "es"
    db.session.flush()


def test_hr_schedules_and_runs_a_session_in_spanish(client_as, people, academy):
    session = academy.session(academy.course(title="Presupuestos"), capacity=2)
    academy.enrollment(session, people.employee(first_name="Ana", last_name="Ruiz"))
    hr = client_as("hr")

    roster = hr.get(f"/academy/sessions/{session.id}/roster", headers=SPANISH)
    assert roster.status_code == 200
    assert "<h1>Lista: Presupuestos," in roster.text
    assert "1 de 2 plazas ocupadas." in roster.text
    assert "Los resultados se pueden registrar cuando la sesión ya empezó." in roster.text
    assert "Inscrito" in roster.text and "Número de empleado" in roster.text

    cancel = hr.get(f"/academy/sessions/{session.id}/cancel", headers=SPANISH)
    assert "¿Cancelar la sesión del" in cancel.text
    assert "1 persona tiene plaza y 0 están en espera" in cancel.text
    refused = hr.post(f"/academy/sessions/{session.id}/cancel", data={}, headers=SPANISH)
    assert refused.status_code == 422
    assert "Explique por qué se cancela la sesión." in refused.text

    form = hr.get(f"/academy/courses/{session.course_id}/sessions/new", headers=SPANISH)
    assert "<h1>Programar una sesión de Presupuestos</h1>" in form.text
    assert "Número de empleado del instructor" in form.text
    course_form = hr.get("/academy/courses/new", headers=SPANISH)
    assert "<h1>Agregar un curso</h1>" in course_form.text
    assert "Nivel otorgado" in course_form.text and "2 Working" not in course_form.text
    refused = hr.post("/academy/courses/new", data={}, headers=SPANISH)
    assert refused.status_code == 422 and "Escriba un código." in refused.text


def test_a_manager_decides_requests_in_spanish(client_as, people, academy):
    boss, boss_user = people.employee_user({Role.MANAGER})
    person = people.employee(manager=boss, first_name="Luz", last_name="Soto")
    session = academy.session(academy.course(title="Atención", needs_manager_approval=True))
    request = academy.enrollment(session, person, S.REQUESTED)
    manager = client_as(boss_user)
    page = manager.get("/academy/approvals", headers=SPANISH)
    assert page.status_code == 200
    assert "<h1>Solicitudes de formación</h1>" in page.text
    assert "Motivo del rechazo (lo lee el empleado)" in page.text
    approved = manager.post(
        f"/academy/enrollments/{request.id}/approve", headers=SPANISH, follow_redirects=True
    )
    assert "Se aprobó la solicitud de Luz Soto." in approved.text


def test_an_employee_who_chose_spanish_is_told_in_spanish_whoever_acts(
    app, client_as, people, academy
):
    boss, boss_user = people.employee_user({Role.MANAGER})
    _in_spanish(boss_user)
    person, user = people.employee_user(manager=boss, first_name="Luz", last_name="Soto")
    _in_spanish(user)
    course = academy.course(title="Atención al público", needs_manager_approval=True)
    session = academy.session(course, capacity=1)
    with app.test_request_context(headers=ENGLISH):
        asked = enrolment.request_seat(None, session, person)
    (to_manager,) = _told(boss_user, "Solicitud de formación de Luz Soto")
    assert "Luz Soto pide una plaza en Atención al público el " in to_manager.body

    # The manager approves from a page in English: the employee still reads Spanish.
    approved = client_as(boss_user).post(
        f"/academy/enrollments/{asked.id}/approve", headers=ENGLISH
    )
    assert approved.status_code == 302
    (notice,) = _told(user, "Aprobada: Atención al público")
    assert notice.body == "Su supervisor aprobó su solicitud. Usted tiene una plaza."

    # HR cancels in English: the Spanish reader hears it in Spanish, with HR's own reason.
    hr = client_as("hr")
    cancelled = hr.post(
        f"/academy/sessions/{session.id}/cancel",
        data={"reason": "The instructor is ill."},
        headers=ENGLISH,
    )
    assert cancelled.status_code == 302
    (notice,) = _told(user, "Cancelada: Atención al público")
    assert "se canceló: The instructor is ill." in notice.body
    assert "la quita de su calendario" in notice.body
    # An English reader on the same session would have read English (the default).
    assert not _told(user, "Cancelled:")


def test_a_certificate_its_pdf_and_its_verification_in_spanish(client, client_as, issued):  # noqa: F811
    reader = client_as(issued["user"])
    certificate = issued["certificate"]
    page = reader.get(f"/academy/certificates/{certificate.id}", headers=SPANISH)
    assert page.status_code == 200
    assert "<h1>Certificado: Chainsaw safety</h1>" in page.text
    assert "Otorgado a" in page.text and "impartido por Lee Park" in page.text
    assert "Descargar el certificado (PDF)" in page.text

    pdf = _pdf_text(reader.get(f"/academy/certificates/{certificate.id}/pdf", headers=SPANISH))
    assert "Certificado de finalización" in pdf
    assert "Se certifica que" in pdf and "terminó Chainsaw safety" in pdf
    assert "CÓDIGO DE VERIFICACIÓN" in pdf  # the labels are in capitals
    english = _pdf_text(reader.get(f"/academy/certificates/{certificate.id}/pdf"))
    assert "Certificate of completion" in english

    public = client.get(f"/verify?code={certificate.code}", headers=SPANISH)
    assert "Este certificado es auténtico y válido" in public.text
    unknown = client.get("/verify?code=AAAA-BBBB-CCCC", headers=SPANISH)
    assert unknown.status_code == 404
    assert "Ningún certificado tiene este código" in unknown.text


def test_a_revoked_certificates_holder_is_told_in_their_language(app, client_as, issued):  # noqa: F811
    _in_spanish(issued["user"])
    hr = client_as("hr")
    revoked = hr.post(
        f"/academy/certificates/{issued['certificate'].id}/revoke",
        data={"reason": "Recorded by mistake."},
        headers=ENGLISH,
    )
    assert revoked.status_code == 302
    (notice,) = _told(issued["user"], "Certificado revocado: Chainsaw safety")
    assert notice.body.startswith(f"Se revocó su certificado {issued['certificate'].code}")
    assert notice.body.endswith("Motivo: Recorded by mistake.")


def test_the_training_records_file_has_its_header_in_the_askers_language(
    client_as, people, academy
):
    academy.enrollment(academy.session(), people.employee())
    hr = client_as("hr")
    asked = hr.post("/academy/export", headers=SPANISH)
    assert asked.status_code == 302
    response = hr.get(asked.headers["Location"] + "/file")
    header = next(csv.reader(io.StringIO(response.text)))
    assert header[:3] == ["Número de empleado", "Apellido", "Nombre"]
    assert header[-1] == "Código del certificado"


def test_the_credential_checking_page_speaks_plain_spanish(client, client_as, holder):  # noqa: F811
    token = _download(client_as(holder["user"]), holder["certificate"]).get_data(as_text=True)
    # Downloaded from a page in Spanish or in English, the signed credential is the same.
    in_spanish = client_as(holder["user"]).get(
        f"/academy/certificates/{holder['certificate'].id}/credential.jwt", headers=SPANISH
    )
    assert in_spanish.get_data(as_text=True).split(".")[1] == token.split(".")[1]
    page = client.post("/verify/credential", data={"token": token}, headers=SPANISH)
    assert page.status_code == 200
    assert "<h1>Comprobar una credencial firmada</h1>" in page.text
    assert "Esta credencial es auténtica y válida" in page.text
    assert "Superada: Firmada con la clave de la ciudad, y sin cambios desde entonces." in page.text
    assert "Válida desde el " in page.text and " de 20" in page.text
    assert "Otorgado a" in page.text and "Rosa Diaz" in page.text

    changed = token[:40] + ("x" if token[40] != "x" else "y") + token[41:]
    refused = client.post("/verify/credential", data={"token": changed}, headers=SPANISH)
    assert refused.status_code == 422
    assert "No se puede confiar en esta credencial" in refused.text
    nonsense = client.post("/verify/credential", data={"token": "hello"}, headers=SPANISH)
    assert nonsense.status_code == 422
    assert "una credencial firmada tiene tres partes separadas por puntos" in nonsense.text


def test_a_corrected_result_is_told_and_kept_in_the_holders_language(app, issued):  # noqa: F811
    from academy import completion
    from academy.models import Certificate

    _in_spanish(issued["user"])
    with app.test_request_context(headers=ENGLISH):
        completion.correct_result(
            issued["instructor_user"], issued["enrollment"], S.FAILED, "Practical test not passed."
        )
    (notice,) = _told(issued["user"], "Resultado corregido: Chainsaw safety")
    assert notice.body == (
        "Su resultado en Chainsaw safety se corrigió a: no aprobado. "
        "Motivo: Practical test not passed."
    )
    certificate = db.session.get(Certificate, issued["certificate"].id)
    assert certificate.revocation_reason == (
        "Resultado corregido a no aprobado: Practical test not passed."
    )
