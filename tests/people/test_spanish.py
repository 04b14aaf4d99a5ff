"""The people pages in Spanish: the workforce list and its CSV, union reps' figures, user
accounts, the roster import's preview with its row problems, and the learner record (page and
PDF), each in the language of the person reading or downloading it."""

from __future__ import annotations

import csv
import io

from pypdf import PdfReader

from civicladder.access import Role
from tests.people.test_roster import roster_csv, roster_row

SPANISH = {"Accept-Language": "es"}


def test_the_workforce_list_and_its_csv_are_in_the_readers_language(client_as, people):
    people.employee(first_name="Grace", last_name="Hernandez")
    client = client_as(Role.HR)
    page = client.get("/people", headers=SPANISH)
    assert page.status_code == 200 and '<h1 class="margin-top-0">Personal</h1>' in page.text
    assert "Descargar esta lista como archivo CSV" in page.text
    assert 'data-label="Número de empleado"' in page.text and ">En servicio<" in page.text
    download = client.get("/people.csv?q=Hernandez", headers=SPANISH)
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert rows[0][:3] == ["Número de empleado", "Apellido", "Nombre"]
    assert rows[1][2] == "Grace" and rows[1][7] == "En servicio"
    # Someone reading in English downloads English headers.
    english = client_as(Role.HR).get("/people.csv?q=Hernandez", headers={"Accept-Language": "en"})
    assert next(csv.reader(io.StringIO(english.get_data(as_text=True))))[0] == "Employee number"


def test_a_union_rep_reads_their_units_figures_in_spanish(client_as, people, competencies):
    unit = people.bargaining_unit(code="L1549", name="Local 1549")
    clerk = competencies.job_profile([], title="Clerk")
    for n in range(6):
        people.employee(bargaining_unit=unit, job_profile=clerk, last_name=f"Clerk{n}")
    people.employee(bargaining_unit=unit, last_name="Solo")
    page = client_as(people.union_rep(unit)).get("/", headers=SPANISH).text
    assert "Sus unidades de negociación" in page
    assert "<strong>7</strong> miembros activos." in page
    assert "Otros perfiles de puesto, en conjunto" in page and "menos de 5" in page


def test_an_administrators_account_pages_are_in_spanish(client_as, make_user):
    target = make_user({Role.UNION_REP})
    client = client_as(Role.ADMIN)
    users = client.get("/admin/users", headers=SPANISH)
    assert users.status_code == 200 and "Cuentas de usuario" in users.text
    assert "Representante sindical" in users.text and "Nunca" in users.text
    page = client.get(f"/admin/users/{target.id}", headers=SPANISH)
    assert page.status_code == 200 and "Unidades de negociación representadas" in page.text
    assert "Emitir un enlace de contraseña de un solo uso" in page.text
    deactivate = client.get(f"/admin/users/{target.id}/deactivate", headers=SPANISH)
    assert deactivate.status_code == 200
    assert f"Desactivar la cuenta de {target.full_name}" in deactivate.text
    invite = client.get("/admin/users/new", headers=SPANISH)
    assert invite.status_code == 200 and "Crear la cuenta y enviar la invitación" in invite.text


def test_a_roster_preview_lists_its_problems_in_spanish(client_as):
    client = client_as(Role.HR)
    data = roster_csv(roster_row("E1"), roster_row("E2", hire_date="31/03/2024", job_profile="X"))
    asked = client.post(
        "/people/import",
        data={"roster": (io.BytesIO(data), "roster.csv")},
        content_type="multipart/form-data",
        headers=SPANISH,
    )
    assert asked.status_code == 303
    preview = client.get(asked.headers["Location"], headers=SPANISH)
    assert preview.status_code == 200
    assert "Revisar la plantilla de personal antes de importarla" in preview.text
    assert "1 fila tiene problemas, así que no se puede importar nada." in preview.text
    assert "no es una fecha escrita AAAA-MM-DD" in preview.text
    assert "No hay ningún perfil de puesto con el código X." in preview.text
    refused = client.post(
        "/people/import",
        data={"roster": (io.BytesIO(b"name;email\nAna;a@b.gov\n"), "roster.csv")},
        content_type="multipart/form-data",
        headers=SPANISH,
    )
    assert refused.status_code == 422
    assert "Separe las columnas con comas, no con punto y coma ni tabulaciones." in refused.text


def test_the_learner_record_and_its_pdf_are_in_the_readers_language(
    client_as, people, competencies
):
    person, user = people.employee_user(first_name="Ana", last_name="Reyes")
    competencies.evidence(person, competencies.competency(name="Plan reading"), 3)
    client = client_as(user)
    page = client.get(f"/people/{person.id}/learner-record", headers=SPANISH)
    assert page.status_code == 200 and "Expediente de aprendizaje" in page.text
    assert "Descargar el PDF" in page.text
    pdf = client.post(
        f"/people/{person.id}/learner-record", data={"format": "pdf"}, headers=SPANISH
    )
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Expediente de aprendizaje" in text
    assert f"Ana Reyes, número de empleado {person.employee_number}" in text
    assert "Página 1 de 1" in text
