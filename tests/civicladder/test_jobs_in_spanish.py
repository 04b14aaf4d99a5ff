"""The background jobs' pages in the reader's language: a run's title (kept in English when it
is asked for) through the catalogue, its state and the words the jobs add, and an export's link
with its rows counted as the page's language writes numbers."""

from __future__ import annotations

from datetime import timedelta

from civicladder import clock, jobs
from civicladder.access import Role
from civicladder.db import db
from civicladder.models import JobRun, JobState
from people import workforce

SPANISH = {"Accept-Language": "es"}


def _run(**values) -> JobRun:
    run = JobRun(**({"params": {}, "attempts": 1} | values))
    db.session.add(run)
    db.session.flush()
    return run


def test_an_export_asked_for_in_english_is_followed_in_spanish(client_as, people, monkeypatch, app):
    monkeypatch.setattr(workforce, "STREAM_LIMIT", 2)
    for name in ("Uno", "Dos", "Tres"):
        people.employee(last_name=name)
    hr = client_as(Role.HR)
    job = hr.post("/people.csv").headers["Location"]
    english = hr.get(job).text
    assert '<h1 class="margin-top-0">Workforce list export</h1>' in english
    assert "Download workforce.csv (" in english and "Finished." in english
    spanish = hr.get(job, headers=SPANISH).text
    assert '<h1 class="margin-top-0">Exportación de la lista de personal</h1>' in spanish
    assert "Terminada." in spanish and "Descargar workforce.csv (" in spanish
    assert "Sobre esta tarea" in spanish and "Tareas en segundo plano" in spanish
    assert "Workforce list export" not in spanish and "Download" not in spanish
    # The run keeps its title, and its link's words, in English: the API and the audit log
    # read them so.
    with app.app_context():
        run = db.session.get(JobRun, int(job.rsplit("/", 1)[1]))
        assert run.title == "Workforce list export"
        assert run.result["link_text"].startswith("Download workforce.csv (")
        run.ended_at = clock.now() - timedelta(hours=app.config["EXPORT_KEEP_HOURS"], minutes=1)
        from civicladder import export_jobs

        assert export_jobs.sweep() == {"removed": 1}
        db.session.commit()
    removed = hr.get(job, headers=SPANISH).text
    assert "Se guardó 24 horas y luego se eliminó: vuelva a pedir la exportación." in removed


def test_the_jobs_list_reads_in_spanish_with_one_query_for_its_runs(
    app_ctx, client_as, count_queries
):
    _run(
        kind="people.refresh-unit-figures",
        title=jobs.scheduled_title("people.refresh-unit-figures"),
        state=JobState.FINISHED,
    )
    _run(
        kind="hiring.anonymise",
        title="Retention: anonymising applications",
        state=JobState.QUEUED,
        message=jobs.TRY_AGAIN % {"reason": "OperationalError: the database went away"},
    )
    _run(kind="reports.publish", title="Publish the 2026Q1 report for DC37", state=JobState.FAILED)
    admin = client_as(Role.ADMIN)
    admin.get("/admin/jobs/", headers=SPANISH)
    with count_queries() as statements:
        page = admin.get("/admin/jobs/", headers=SPANISH).text
    assert "Cifras de las unidades (programada)" in page
    assert "Conservación: anonimizar solicitudes" in page
    assert "Se volverá a intentar: OperationalError: the database went away" in page
    assert "En espera" in page and "Terminada" in page and "Con error" in page
    assert "La programación o un comando" in page
    # A title written for one run reads as it was kept.
    assert "Publish the 2026Q1 report for DC37" in page
    assert "Unit figures" not in page and "Will try again" not in page
    assert "Background jobs" not in page
    for _ in range(5):
        _run(kind="hiring.anonymise", title="x", state=JobState.FINISHED)
    with count_queries() as again:
        admin.get("/admin/jobs/", headers=SPANISH)
    assert len(again) == len(statements)


def test_a_scheduled_runs_title_and_a_retry_read_as_before_in_english(app_ctx):
    assert jobs.scheduled_title("people.refresh-unit-figures") == "Unit figures (scheduled)"
    run = JobRun(kind="people.refresh-unit-figures", title="Unit figures (scheduled)")
    assert jobs.title_words(run) == "Unit figures (scheduled)"
    failed = JobRun(kind="x", title="x", message="Will try again: it broke")
    assert jobs.message_words(failed) == "Will try again: it broke"


def test_an_imports_steps_read_in_the_readers_language(app_ctx):
    from civicladder.languages import written_in

    check = JobRun(kind="import.roster.check", title="Roster import: check")
    write = JobRun(kind="import.roster.write", title="Roster import: write")
    roster = "Importar la plantilla de personal"
    with written_in("es"):
        assert jobs.title_words(check) == f"{roster}: revisión del archivo"
        assert jobs.title_words(write) == f"{roster}: guardado de los cambios"
    assert jobs.title_words(check) == "Roster import: checking the file"
