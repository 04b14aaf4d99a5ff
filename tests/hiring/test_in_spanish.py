"""A candidate reads the jobs, a posting and the application form in Spanish, and hears from
the city in the language they applied in."""

import sqlalchemy as sa

from civicladder.db import db


def test_a_candidate_reads_a_posting_and_the_forms_errors_in_spanish(client, hiring):
    hiring_round = hiring.round(pay_min_cents=5_200_000, pay_max_cents=6_100_000)
    spanish = {"Accept-Language": "es"}
    page = client.get(f"/jobs/{hiring_round.id}", headers=spanish)
    assert page.status_code == 200
    assert "De $52,000 a $61,000 al año" in page.text
    assert "Requisitos mínimos" in page.text
    assert "Autoidentificación voluntaria" in page.text
    sent = client.post(f"/jobs/{hiring_round.id}", data={"email": ""}, headers=spanish)
    assert sent.status_code == 422
    summary = sent.text[sent.text.index("error-summary-heading") :]
    assert "Hay un problema" in summary
    assert "Escriba su nombre." in summary
    assert "Escriba un correo electrónico en el que podamos contactarle." in summary


def test_a_candidate_who_applied_in_spanish_hears_from_the_city_in_spanish(
    client, client_as, hiring, make_user
):
    from civicladder.access import Role
    from hiring.models import Application
    from tests.hiring.test_applications import _form, _outbox

    hiring_round = hiring.round(title="Jardinero")
    sent = client.post(
        f"/jobs/{hiring_round.id}", data=_form(hiring_round), headers={"Accept-Language": "es"}
    )
    assert sent.status_code == 302
    application = db.session.scalars(
        sa.select(Application).where(Application.round_id == hiring_round.id)
    ).one()
    assert application.locale == "es"
    (received,) = _outbox("ada.rivera@example.test")
    assert received.subject == "Recibimos su solicitud para Jardinero"
    assert f"Su código de candidato es {application.candidate_code}." in received.body
    assert "Abrir en CivicLadder: " in received.body
    # HR, reading in English, screens it out: the candidate is told in Spanish all the same.
    hr = client_as(make_user({Role.HR}))
    screened = hr.post(
        f"/hiring/applications/{application.id}/screen",
        data={"decision": "out", "reason": "No muestra trabajo con herramientas."},
        headers={"Accept-Language": "en"},
    )
    assert screened.status_code == 302, screened.text
    told = _outbox("ada.rivera@example.test")[-1]
    assert told.subject == "Su solicitud para Jardinero"
    assert "no sigue adelante en esta convocatoria" in told.body
    assert "No muestra trabajo con herramientas." in told.body


def test_the_status_page_is_in_the_language_the_candidate_applied_in(client, app, hiring):
    from tests.hiring.test_applications import _form

    hiring_round = hiring.round(title="Jardinero")
    sent = client.post(
        f"/jobs/{hiring_round.id}", data=_form(hiring_round), headers={"Accept-Language": "es"}
    )
    status_path = sent.headers["Location"]
    # Opened later in a browser that asks for English: the page follows the application.
    elsewhere = app.test_client()
    page = elsewhere.get(status_path, headers={"Accept-Language": "en"})
    assert '<html lang="es">' in page.text
    assert "Su enlace privado de seguimiento" in page.text
    assert "Enviada" in page.text
    # What the copy button then says comes from the page, in its language.
    assert 'data-copied="Copiado."' in page.text
    assert 'data-copy-failed="No se pudo copiar: seleccione el enlace y cópielo."' in page.text
    # Unless that browser chose English with the switch.
    elsewhere.post("/language", data={"lang": "en", "next": status_path})
    assert "Your private status link" in elsewhere.get(status_path).text


def test_an_offer_and_its_answer_reach_a_spanish_speaking_candidate_in_spanish(
    app_ctx, hiring, make_user
):
    from civicladder.access import Role
    from hiring import offers
    from hiring.models import ApplicationStatus
    from hiring.offers import answers
    from tests.hiring.factories import offer_terms
    from tests.hiring.test_applications import _outbox
    from tests.hiring.test_offers import _round, _scored

    hr = make_user({Role.HR})
    application = _scored(hiring, _round(hiring), ApplicationStatus.SHORTLISTED, 4)
    application.locale = "es"
    offers.make_offer(hr, application, terms=offer_terms())
    answers.accept(application)
    offered, accepted = _outbox(application.email)[-2:]
    assert offered.subject == f"Oferta de empleo: {application.round.title}"
    assert "Queremos ofrecerle el puesto de" in offered.body
    assert "al año" in offered.body and "Pídalo otra vez" in offered.body
    assert accepted.subject == f"Aceptó la oferta para {application.round.title}"


# --- the offer, as the candidate reads it -------------------------------------------------------


def _spanish_offer(hiring, make_user, token=None):
    from civicladder.access import Role
    from hiring import offers
    from hiring.models import ApplicationStatus
    from tests.hiring.factories import offer_terms
    from tests.hiring.test_offers import TOKEN, _round, _scored

    hr = make_user({Role.HR})
    application = _scored(
        hiring, _round(hiring), ApplicationStatus.SHORTLISTED, 4, token=token or TOKEN
    )
    application.locale = "es"
    offer = offers.make_offer(hr, application, terms=offer_terms())
    return hr, application, offer


def test_a_spanish_speaking_candidate_reads_and_answers_the_offer_in_spanish(
    app_ctx, client, hiring, make_user
):
    from tests.hiring.test_offers import TOKEN

    _spanish_offer(hiring, make_user)
    status = client.get(f"/jobs/status/{TOKEN}")
    assert status.status_code == 200
    assert '<html lang="es">' in status.text
    assert "Su oferta de empleo" in status.text
    assert "Sueldo anual" in status.text and "$52,000" in status.text
    assert "Aceptar la oferta" in status.text and "Rechazar la oferta" in status.text
    assert "Descargar la carta de oferta (PDF)" in status.text
    assert "Esperando respuesta" in status.text
    accept = client.get(f"/jobs/status/{TOKEN}/offer/accept")
    assert accept.status_code == 200
    assert "<h1>¿Acepta la oferta para" in accept.text
    assert "Sí, acepto la oferta" in accept.text and "No, volver" in accept.text
    decline = client.get(f"/jobs/status/{TOKEN}/offer/decline")
    assert "<h1>¿Rechaza la oferta para" in decline.text
    assert "¿Por qué rechaza la oferta?" in decline.text
    refused = client.post(f"/jobs/status/{TOKEN}/offer/decline", data={"reason": ""})
    assert refused.status_code == 422
    assert "Díganos por qué rechaza la oferta." in refused.text
    done = client.post(f"/jobs/status/{TOKEN}/offer/accept")
    assert done.status_code == 302
    after = client.get(done.headers["Location"])
    assert "Usted aceptó la oferta. Ya avisamos a Recursos Humanos" in after.text
    again = client.post(f"/jobs/status/{TOKEN}/offer/decline", data={"reason": "Otro empleo"})
    assert again.status_code == 409
    assert "Usted ya aceptó esta oferta." in again.text


def test_the_offer_letter_is_written_in_the_candidates_language_whoever_downloads_it(
    app_ctx, app, hiring, make_user
):
    import io

    from pypdf import PdfReader

    from tests.hiring.test_offers import TOKEN

    _, application, _ = _spanish_offer(hiring, make_user)
    # An English browser (HR's, say) downloads it: the letter is still in Spanish.
    browser = app.test_client()
    browser.post("/language", data={"lang": "en", "next": "/"})
    letter = browser.get(f"/jobs/status/{TOKEN}/offer.pdf")
    assert letter.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.data)).pages)
    assert "Oferta de empleo" in text
    assert f"Estimado/a {application.full_name}" in text
    assert "Sueldo anual" in text and "$52,000" in text
    assert "Firma del candidato" in text
    assert "Offer of employment" not in text and "Yearly salary" not in text


def test_hr_hears_of_a_spanish_candidates_answer_in_their_own_language(app_ctx, hiring, make_user):
    from hiring.offers import answers
    from tests.hiring.test_offers import _notices

    hr, application, _ = _spanish_offer(hiring, make_user)
    hr.locale = "es"
    answers.decline(application, "Acepté otro empleo.")
    (notice,) = [s for s in _notices(hr) if "rechazada" in s]
    assert notice == f"Oferta rechazada: {application.full_name}, {application.round.title}"
    english_hr, other, _ = _spanish_offer(hiring, make_user, token="another-offer-token")
    answers.accept(other)
    assert f"Offer accepted: {other.full_name}, {other.round.title}" in _notices(english_hr)


# --- HR's and assessors' pages ------------------------------------------------------------------

SPANISH = {"Accept-Language": "es"}


def test_hr_reads_the_rounds_and_a_rounds_page_in_spanish(app_ctx, client_as, hiring, make_user):
    from civicladder.access import Role
    from hiring.models import RoundStatus

    hiring_round = hiring.round(RoundStatus.OPEN, title="Jardinero")
    hiring.application(hiring_round)
    client = client_as(make_user({Role.HR}))
    rounds = client.get("/hiring/rounds", headers=SPANISH)
    assert rounds.status_code == 200
    assert "<h1>Convocatorias</h1>" in rounds.text
    assert "Iniciar una convocatoria desde un perfil de puesto" in rounds.text
    assert "Abierta a solicitudes" in rounds.text
    page = client.get(f"/hiring/rounds/{hiring_round.id}", headers=SPANISH)
    assert page.status_code == 200
    assert "Grupo de evaluadores" in page.text and "Preguntas para los candidatos" in page.text
    assert "Cerrar a solicitudes" in page.text and "Cancelar la convocatoria" in page.text
    assert "Enviada" in page.text  # the application's status, in the table
    new = client.get("/hiring/rounds/new", headers=SPANISH)
    assert "<h1>Iniciar una convocatoria</h1>" in new.text
    assert "Título que ven los candidatos" in new.text
    assert "Horario" in new.text and "Contacto para ajustes razonables" in new.text
    refused = client.post("/hiring/rounds/new", data={}, headers=SPANISH)
    assert refused.status_code == 422
    assert "Escriba un título." in refused.text


def test_a_round_completed_in_spanish_agrees_with_la_convocatoria(app_ctx):
    from flask_babel import force_locale

    from hiring.models import RoundStatus

    with force_locale("es_US"):
        assert RoundStatus.COMPLETED.words == "Terminada"
        assert RoundStatus.OPEN.words == "Abierta a solicitudes"
    assert RoundStatus.COMPLETED.words == "Completed"


def test_hr_reads_the_ranked_list_and_downloads_it_in_spanish(
    app_ctx, client_as, hiring, make_user
):
    import csv
    import io

    from civicladder.access import Role
    from hiring.models import ApplicationStatus, RoundStatus
    from tests.hiring.test_ranking_and_hires import _scored

    hiring_round = hiring.round(RoundStatus.RANKED)
    _scored(hiring, hiring_round, ApplicationStatus.ASSESSED, (5, 5), full_name="Ana Pérez")
    client = client_as(make_user({Role.HR}))
    ranked = client.get(f"/hiring/rounds/{hiring_round.id}/ranking", headers=SPANISH)
    assert ranked.status_code == 200
    assert "Lista clasificada:" in ranked.text
    assert "Mejor calificado" in ranked.text and "Promedio ponderado" in ranked.text
    assert "Pasar a finalistas" in ranked.text
    spanish = client.get(f"/hiring/rounds/{hiring_round.id}/ranking.csv", headers=SPANISH)
    rows = list(csv.reader(io.StringIO(spanish.text)))
    assert rows[0][:3] == ["puesto_en_la_clasificación", "código_de_candidato", "nombre"]
    assert rows[1][3:] == ["no", "5.00", "Mejor calificado", "Evaluada"]
    # (In English its header is rank, candidate_code, name: test_ranking_and_hires.)


def test_the_rounds_record_is_written_for_hr_in_spanish(app_ctx, client_as, hiring, make_user):
    import io
    import zipfile

    from pypdf import PdfReader

    from civicladder.access import Role
    from tests.hiring.test_round_record import _round

    hiring_round, _, _ = _round(hiring)
    client = client_as(make_user({Role.HR}))
    page = client.get(f"/hiring/rounds/{hiring_round.id}/record", headers=SPANISH)
    assert "Qué contiene el archivo" in page.text
    answer = client.post(f"/hiring/rounds/{hiring_round.id}/record", headers=SPANISH)
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    impact = archive.read("adverse_impact.csv").decode()
    assert impact.startswith("dimensión,etapa,grupo,considerados,seleccionados")
    assert "Sexo" in impact and "Mujer" in impact
    history = archive.read("history.csv").decode()
    assert history.startswith("cuándo,quién,acción,código_de_candidato,motivo")
    summary = PdfReader(io.BytesIO(archive.read("summary.pdf")))
    text = " ".join(p.extract_text() for p in summary.pages)
    assert "Registro de la convocatoria" in text and "Criterios de evaluación" in text


def test_an_assessor_is_told_of_their_queue_in_their_own_language(app_ctx, hiring, make_user):
    import sqlalchemy as sa

    from civicladder.models import Notification
    from tests.hiring.test_internal_applications import _assessing

    hiring_round = hiring.round(assessors=2)
    applicants = [hiring.application(hiring_round) for _ in range(3)]
    spanish_reader, english_reader = hiring.panel(hiring_round)
    spanish_reader.locale = "es"
    _assessing(hiring, make_user, *applicants)

    def told(user):
        return db.session.scalars(
            sa.select(Notification.subject).where(Notification.user_id == user.id)
        ).one()

    assert told(spanish_reader) == f"3 solicitudes por evaluar para {hiring_round.title}"
    assert told(english_reader) == f"3 applications to assess for {hiring_round.title}"


def test_an_assessor_scores_in_spanish(app_ctx, client_as, hiring):
    from hiring.models import ApplicationStatus, RoundStatus

    hiring_round = hiring.round(RoundStatus.ASSESSING)
    judge, _ = hiring.panel(hiring_round)
    application = hiring.application(hiring_round, ApplicationStatus.SCREENED_IN)
    assessment = hiring.assessment(application, judge, None)
    client = client_as(judge)
    queue = client.get(f"/assess/rounds/{hiring_round.id}", headers=SPANISH)
    assert queue.status_code == 200
    assert "Evaluaciones para" in queue.text and "Por calificar" in queue.text
    score = client.get(f"/assess/rounds/{hiring_round.id}/{assessment.id}", headers=SPANISH)
    assert score.status_code == 200
    assert f"<h1>Calificar {application.candidate_code}</h1>" in score.text
    assert "Enviar los puntajes" in score.text


def test_a_candidate_leaves_the_eligible_list_in_spanish(app_ctx, client, hiring):
    from hiring.models import ApplicationStatus, RoundStatus
    from hiring.rules import Category

    hiring_round = hiring.round(RoundStatus.COMPLETED)
    application = hiring.application(hiring_round, ApplicationStatus.ASSESSED, token="on-a-list")
    application.locale = "es"
    hiring.eligible_list(hiring_round, [(application, Category.WELL)])
    page = client.get("/jobs/status/on-a-list/eligible-list/leave")
    assert page.status_code == 200
    assert "<h1>¿Sale de la lista de elegibles para" in page.text
    assert "Sí, sáquenme de la lista" in page.text
    left = client.post("/jobs/status/on-a-list/eligible-list/leave")
    assert left.status_code == 302
    assert "Usted salió de la lista de elegibles" in client.get(left.headers["Location"]).text
    again = client.post("/jobs/status/on-a-list/eligible-list/leave")
    assert again.status_code == 409
    assert "Usted ya salió de la lista de elegibles." in again.text
