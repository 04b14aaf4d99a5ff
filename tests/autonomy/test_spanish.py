"""Autonomy in Spanish: the managers', HR's and employees' pages follow the reader's language,
and a notice about someone's level is written in that person's language."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from autonomy import services
from civicladder.access import Role
from civicladder.db import db
from civicladder.models import Notification, OutboxMessage
from tests.autonomy.conftest import TODAY

pytestmark = pytest.mark.usefixtures("app_ctx", "fixed_today")

SPANISH = {"Accept-Language": "es"}


@pytest.fixture
def line(people, competencies, autonomy):
    """A manager over two workers on a two-level track with an outcome floor: one ready for
    level 1, one holding level 1 with a review due."""
    skill = competencies.competency()
    metric = autonomy.metric(code="FCR")
    profile = competencies.job_profile([(skill, 2, 1)])
    track = autonomy.track(
        [profile],
        [
            {
                "requirements": [(skill, 2)],
                "discretion": [("waive-fee", "Waive a fee", 250, "USD")],
            },
            {"requirements": [(skill, 3)], "outcome": (metric, 80.0, 90), "min_months": 6},
        ],
    )
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    ready, ready_user = people.employee_user(manager=boss, job_profile=profile)
    holder, holder_user = people.employee_user(manager=boss, job_profile=profile)
    competencies.evidence(ready, skill, 2)
    competencies.evidence(holder, skill, 2)
    grant = autonomy.grant(holder, track.levels[0])
    grant.review_on = TODAY
    db.session.flush()
    return {
        "boss": boss_user,
        "ready": ready,
        "ready_user": ready_user,
        "holder": holder,
        "holder_user": holder_user,
        "grant": grant,
        "levels": track.levels,
    }


def subjects(user) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Notification.subject)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def test_a_managers_autonomy_pages_are_in_spanish(line, client_as):
    client = client_as(line["boss"])
    queue = client.get("/autonomy/queue", headers=SPANISH)
    assert queue.status_code == 200
    assert "<h1>Decisiones de autonomía</h1>" in queue.text
    assert "Propuestas que esperan su decisión" in queue.text
    assert "1 nivel asignado en su línea necesita una revisión." in queue.text
    reviews = client.get("/autonomy/reviews", headers=SPANISH)
    assert reviews.status_code == 200 and "<h1>Niveles por revisar</h1>" in reviews.text
    assert "Revisión focalizada" in reviews.text and "Mantener el nivel" in reviews.text
    assert "revisión focalizada pendiente desde el" in reviews.text
    supervision = client.get("/autonomy/supervision", headers=SPANISH)
    assert supervision.status_code == 200
    assert "<h1>Resultados y supervisión</h1>" in supervision.text
    assert "No hay resultados registrados en los últimos 90 días." in supervision.text
    person = client.get(f"/autonomy/people/{line['ready'].id}", headers=SPANISH)
    assert person.status_code == 200
    assert f"<h1>Autonomía: {line['ready'].full_name}</h1>" in person.text
    assert "Proponer el nivel 1" in person.text and "Asignar el nivel 1" in person.text
    lower = client.get(f"/autonomy/grants/{line['grant'].id}/lower", headers=SPANISH)
    assert lower.status_code == 200
    assert "Desde hoy no tendrá ningún nivel en esta trayectoria" in lower.text
    refused = client.post(
        f"/autonomy/grants/{line['grant'].id}/lower", data={"reason": ""}, headers=SPANISH
    )
    assert refused.status_code == 422 and "Escriba el motivo para bajar el nivel." in refused.text


def test_the_ladders_read_in_spanish_for_everyone(line, client_as):
    page = client_as(line["holder_user"]).get("/autonomy/tracks", headers=SPANISH)
    assert page.status_code == 200 and "<h1>Trayectorias de autonomía</h1>" in page.text
    assert "Waive a fee (hasta 250 USD)" in page.text
    assert "6 meses en el nivel anterior" in page.text
    assert "de al menos 80.0% durante 90 días" in page.text
    assert "Supervisor" in page.text


def test_hrs_ladder_and_outcome_pages_are_in_spanish(line, client_as):
    client = client_as(Role.HR)
    metrics = client.get("/autonomy/metrics", headers=SPANISH)
    assert metrics.status_code == 200 and "<h1>Indicadores de resultados</h1>" in metrics.text
    form = client.get(f"/autonomy/levels/{line['levels'][0].id}/edit", headers=SPANISH)
    assert form.status_code == 200 and "Competencias que pide el nivel" in form.text
    assert "Elija…" in form.text and ">2 Funcional<" in form.text
    upload = client.get("/autonomy/outcomes/import", headers=SPANISH)
    assert upload.status_code == 200 and "<h1>Importar registros de resultados</h1>" in upload.text
    data = b"employee_number,metric_code,period_start,value\nNOBODY,FCR,2026-07-01,84\n"
    asked = client.post(
        "/autonomy/outcomes/import",
        data={"file": (io.BytesIO(data), "bad.csv")},
        headers=SPANISH,
    )
    assert asked.status_code == 303
    preview = client.get(asked.headers["Location"], headers=SPANISH)
    assert preview.status_code == 200
    assert "1 fila no se puede importar" in preview.text
    assert "Ningún empleado tiene el número NOBODY." in preview.text
    refused = client.post(
        "/autonomy/outcomes/import",
        data={"file": (io.BytesIO(b"a,b\n1,2\n"), "wrong.csv")},
        headers=SPANISH,
    )
    assert refused.status_code == 422 and "El archivo no tiene la columna" in refused.text


def test_a_notice_about_a_level_is_in_its_holders_language(line):
    line["ready_user"].locale = "es"
    db.session.flush()
    services.propose_grant(line["boss"], line["ready"], line["levels"][0])
    assert subjects(line["ready_user"])[-1] == "Ahora tiene el nivel de autonomía 1: Level 1"
    services.lower_grant(line["boss"], line["grant"], "Faltan resultados.")
    # The holder kept English: the manager's language does not carry over.
    assert (
        subjects(line["holder_user"])[-1] == "Your autonomy level was lowered: Faltan resultados."
    )
    line["holder_user"].locale = "es"
    db.session.flush()
    granted = services.propose_grant(line["boss"], line["holder"], line["levels"][0])
    services.lower_grant(line["boss"], granted, "Otra vez.")
    assert subjects(line["holder_user"])[-1] == "Se bajó su nivel de autonomía: Otra vez."


def test_a_manager_is_told_of_reviews_in_their_language(line):
    line["boss"].locale = "es"
    db.session.flush()
    assert services.notify_reviews(None) == (1, 1)
    notice = db.session.scalar(
        sa.select(Notification).where(Notification.user_id == line["boss"].id)
    )
    assert notice.subject == "1 nivel de autonomía de su equipo por revisar"
    mail = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert mail.subject == notice.subject and "Abrir en CivicLadder" in mail.body
