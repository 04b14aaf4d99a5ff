"""Exports too large to stream while a page waits (a city's training records: hundreds of
megabytes, minutes to write): the person asks for one, a job writes the CSV into the file
store, and the job's page links to the finished file, which only the person who asked for it
downloads. Files are kept for EXPORT_KEEP_HOURS, then removed by a scheduled sweep.

Packages declare their exports with `register(app, name, ...)` in their `init_app`, the title
marked with `N_` (the job's page shows it in the reader's language).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app, url_for
from flask_babel import format_decimal, gettext, ngettext

from civicladder import audit, clock, files, jobs, languages
from civicladder.db import db
from civicladder.exports import rows_as_csv
from civicladder.languages import N_
from civicladder.models import JobRun, JobState, User

EXPORTS_KEY = "civicladder.exports"
PREFIX = "export."
SWEEP_JOB = "exports.sweep"
PROGRESS_EVERY = 10_000  # rows between two progress reports on the job's page


@dataclass(frozen=True)
class Export:
    name: str
    title: str
    filename: str
    header: list[str]
    rows: Callable[..., Iterable[Iterable]]


def register(
    app: Flask,
    name: str,
    *,
    title: str,
    filename: str,
    header: list[str],
    rows: Callable[..., Iterable[Iterable]],
) -> None:
    """An export a package offers: `rows(actor, **params)` gives its rows for the person who
    asked, with the parameters they asked with, read in the job's transaction."""
    app.extensions.setdefault(EXPORTS_KEY, {})[name] = Export(name, title, filename, header, rows)
    jobs.register(app, PREFIX + name, write_file, title=title, timeout=3600)


def request_export(actor: User, name: str, **params) -> JobRun:
    """Ask for an export (audited); the job's page says when it is ready. `params` (JSON
    values) are what `rows` is given with the person who asked."""
    export = current_app.extensions[EXPORTS_KEY][name]
    # The file is written in the language of the page it was asked from (its header's words).
    run = jobs.enqueue(
        PREFIX + name, actor=actor, title=export.title, language=languages.current(), **params
    )
    audit.record(
        actor, "export.requested", run, after={"export": name, **params}, label=export.title
    )
    return run


def write_file(run: JobRun, language: str | None = None, **params) -> dict:
    """Write the export's file (`language`, the page's it was asked from, is read by
    `jobs.perform`, which runs the job in it: the header's words are the reader's)."""
    export = current_app.extensions[EXPORTS_KEY][run.kind.removeprefix(PREFIX)]
    actor = db.session.get(User, run.requested_by_id) if run.requested_by_id else None
    written = 0

    def counted(rows: Iterable[Iterable]) -> Iterable[Iterable]:
        nonlocal written
        for row in rows:
            written += 1
            if written % PROGRESS_EVERY == 0:
                jobs.progress(run, written)
            yield row

    # Spooled to the worker's disk, then stored in 1 MiB chunks: never whole in memory.
    with tempfile.TemporaryFile() as spool:
        produced = export.rows(actor, **params)
        try:
            for piece in rows_as_csv(export.header, counted(produced)):
                spool.write(piece.encode())
        finally:
            close = getattr(produced, "close", None)
            if close is not None:
                close()
        spool.seek(0)
        stored = files.store(spool, name=export.filename, media_type="text/csv")
    jobs.progress(run, written, written)
    # The link's words are kept in English for the API; the job's page writes its own.
    with languages.written_in(None):
        words = link_words(run, {"rows": written})
    return {
        "file_id": stored.id,
        "rows": written,
        "link": url_for("jobs.file", run_id=run.id),
        "link_text": words,
    }


def link_words(run: JobRun, result: dict | None = None) -> str | None:
    """What an export's finished job says of its file, in the reader's language: the link to
    download it, or (once it is removed) that it was; None for a run that is not an export's."""
    result = run.result if result is None else result
    export = current_app.extensions.get(EXPORTS_KEY, {}).get(run.kind.removeprefix(PREFIX))
    if not run.kind.startswith(PREFIX) or export is None or not result:
        return None
    if result.get("expired"):
        return gettext(
            "Kept for %(num)s hours and then removed: ask for the export again",
            num=format_decimal(current_app.config["EXPORT_KEEP_HOURS"]),
        )
    rows = result.get("rows") or 0
    return ngettext(
        "Download %(file)s (%(count)s row)",
        "Download %(file)s (%(count)s rows)",
        rows,
        file=export.filename,
        count=format_decimal(rows),
    )


def file_of(run: JobRun) -> files.StoredFile | None:
    """The finished export's file, while it is kept."""
    if run.state is not JobState.FINISHED or not run.kind.startswith(PREFIX) or not run.result:
        return None
    file_id = run.result.get("file_id")
    return db.session.get(files.StoredFile, file_id) if file_id else None


def sweep(run: JobRun | None = None) -> dict:
    """Remove the files of exports finished more than EXPORT_KEEP_HOURS ago; their runs say
    so instead of linking to them."""
    keep = timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"])
    session = db.session
    old = session.scalars(
        sa.select(JobRun).where(
            JobRun.kind.startswith(PREFIX),
            JobRun.state == JobState.FINISHED,
            JobRun.ended_at < clock.now() - keep,
        )
    ).all()
    gone = [r for r in old if r.result and r.result.get("file_id")]
    files.delete([r.result["file_id"] for r in gone])
    for each in gone:
        expired = {"rows": each.result.get("rows"), "expired": True}
        with languages.written_in(None):
            each.result = expired | {"link_text": link_words(each, expired)}
    return {"removed": len(gone)}


def init_app(app: Flask) -> None:
    from civicladder import schedule

    jobs.register(app, SWEEP_JOB, sweep, title=N_("Remove old exports"))
    schedule.register(app, SWEEP_JOB, every=timedelta(hours=1))
