"""The competency framework in Spanish: the framework, job profiles, a competency's page, HR's
forms, recording evidence and a manager's team grid in the reader's language; the notice of new
evidence in the employee's own language, whoever records it."""

from __future__ import annotations

import io

import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.models import Notification

SPANISH = {"Accept-Language": "es"}
ENGLISH = {"Accept-Language": "en"}


def test_the_framework_is_read_in_each_readers_language(client_as, competencies):
    skill = competencies.competency(code="DEE-1", name="De-escalation")
    hr = client_as("hr")
    spanish = hr.get("/competencies", headers=SPANISH)
    assert spanish.status_code == 200
    assert '<h1 class="margin-top-0">Marco de competencias</h1>' in spanish.text
    assert "Escala de dominio de De-escalation" in spanish.text
    assert "Editar DEE-1" in spanish.text and "4 Avanzado" in spanish.text
    # The framework's body is kept between requests: kept for each language, not the first.
    english = hr.get("/competencies", headers=ENGLISH)
    assert "Proficiency scale for De-escalation" in english.text
    assert "Escala de dominio" not in english.text
    again = client_as("employee").get("/competencies", headers=SPANISH)
    assert "Escala de dominio de De-escalation" in again.text and "Editar DEE-1" not in again.text

    page = hr.get(f"/competencies/{skill.id}", headers=SPANISH)
    assert "Cómo es cada nivel" in page.text
    assert "Todavía ningún perfil de puesto la requiere." in page.text


def test_job_profiles_and_their_forms_in_spanish(client_as, competencies):
    skill = competencies.competency(name="Budgeting")
    competencies.job_profile([(skill, 3, 2)], title="Analyst")
    hr = client_as("hr")
    page = hr.get("/job-profiles", headers=SPANISH)
    assert page.status_code == 200
    assert "Requisitos de Analyst" in page.text and "3 Práctico" in page.text
    assert "Agregar un perfil de puesto" in page.text
    form = hr.get("/job-profiles/new", headers=SPANISH)
    assert "Competencias obligatorias" in form.text and "Elija una competencia…" in form.text
    refused = hr.post("/job-profiles/new", data={}, headers=SPANISH)
    assert refused.status_code == 422
    assert "Escriba un nombre de puesto." in refused.text
    spaced = hr.post("/job-profiles/new", data={"code": "AN 1"}, headers=SPANISH)
    assert "Use letras, números, puntos, guiones o guiones bajos, sin espacios." in spaced.text
    competency_form = hr.get("/competencies/new", headers=SPANISH)
    assert "Conducta en cada nivel de la escala" in competency_form.text
    assert "1 Conocimiento básico" in competency_form.text


def test_evidence_recorded_in_english_tells_a_spanish_reader_in_spanish(
    client_as, people, competencies
):
    boss, boss_user = people.employee_user({Role.MANAGER})
    person, user = people.employee_user(manager=boss)
    user.locale = "es"
    db.session.flush()
    skill = competencies.competency(name="De-escalation")
    manager = client_as(boss_user)

    form = manager.get(f"/people/{person.id}/evidence/new", headers=SPANISH)
    assert "Registrar una evidencia de competencia de" in form.text
    fields = {"competency_id": skill.id, "level": 3, "observed_on": "2025-03-01", "note": "Seen"}
    check = manager.post(f"/people/{person.id}/evidence/new", data=fields, headers=SPANISH)
    assert "Revise la evidencia antes de registrarla" in check.text
    assert "Su puesto no la requiere" in check.text
    refused = manager.post(
        f"/people/{person.id}/evidence/new", data={"observed_on": "2025-03-01"}, headers=SPANISH
    )
    assert refused.status_code == 422
    assert "Elija la competencia que se demostró." in refused.text

    recorded = manager.post(
        f"/people/{person.id}/evidence/new", data=fields | {"confirmed": "yes"}, headers=ENGLISH
    )
    assert recorded.status_code == 302
    (notice,) = db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id))
    assert notice.subject == "Nueva evidencia de competencia: De-escalation"
    assert notice.body == (
        "Se registró una evidencia de que usted demostró De-escalation en el nivel 3 Práctico."
    )


def test_a_managers_team_grid_in_spanish(client_as, people, competencies):
    skill = competencies.competency(name="Budgeting")
    job = competencies.job_profile([(skill, 3, 1)], title="Analyst")
    boss, boss_user = people.employee_user({Role.MANAGER})
    report = people.employee(manager=boss, job_profile=job)
    competencies.evidence(report, skill, 2)
    home = client_as(boss_user).get("/", headers=SPANISH)
    assert home.status_code == 200
    assert "Las personas a su cargo frente a su puesto" in home.text
    assert "Tiene: 2; requiere: 3" in home.text
    assert "1 por debajo" in home.text.replace("<strong>", "").replace("</strong>", "")


def test_a_case_package_is_checked_and_imported_in_the_language_it_was_sent_in(client_as):
    from competencies.models import Competency
    from tests.competencies.test_case import SAMPLE

    hr = client_as("hr")
    page = hr.get("/competencies/import", headers=SPANISH)
    assert '<h1 class="margin-top-0">Importar un marco CASE</h1>' in page.text
    refused = hr.post(
        "/competencies/import",
        data={"package": (io.BytesIO(b"{not json"), "framework.json")},
        headers=SPANISH,
    )
    assert refused.status_code == 422
    assert "El archivo no es JSON (línea 1), así que no puede ser un paquete CASE." in refused.text

    upload = {"package": (io.BytesIO(SAMPLE.read_bytes()), "framework.json")}
    sent = hr.post("/competencies/import", data=upload, headers=SPANISH)
    assert sent.status_code == 303
    # The preview's findings were written by a job, in the language the file was sent in.
    preview = hr.get(sent.headers["Location"], headers=SPANISH).text
    assert "Revise el marco antes de importarlo" in preview
    assert "Sin importar" in preview and "Por qué" in preview
    assert "Está debajo de una competencia; el marco tiene dos niveles" in preview
    assert "8 para agregar" in preview.replace("<strong>", "").replace("</strong>", "")
    done = hr.post(sent.headers["Location"] + "/commit", headers=SPANISH)
    assert done.status_code == 303
    imported = hr.get(done.headers["Location"], headers=SPANISH).text
    assert "Marco importado: 8 agregados, 0 cambiados" in imported
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Competency)) == 6


def test_a_case_import_under_way_names_its_changes_in_spanish(client_as, app):
    from civicladder.models import JobRun, JobState
    from tests.competencies.test_case import SAMPLE

    hr = client_as("hr")
    upload = {"package": (io.BytesIO(SAMPLE.read_bytes()), "framework.json")}
    check_id = int(hr.post("/competencies/import", data=upload).headers["Location"].split("/")[-1])
    with app.app_context():
        # A write a worker has started, as its page shows it while it runs.
        writing = JobRun(
            kind="import.case_framework.write",
            title="CASE framework import: write",
            params={"check_run_id": check_id},
            state=JobState.RUNNING,
            attempts=1,
        )
        db.session.add(writing)
        db.session.commit()
        url = f"/competencies/import/{writing.id}"
    page = hr.get(url, headers=SPANISH).text
    assert "Importando 9 cambios." in page and "changes" not in page
    assert "Importing 9 changes." in hr.get(url, headers={"Accept-Language": "en"}).text
