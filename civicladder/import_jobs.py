"""Imports started from the web, done by the worker in two jobs: check, then write.

HR uploads a file: it goes into the file store in the request's transaction, with a job that
checks it. The check reads the file and works out what it would change, and keeps that as its
result: the preview the package's page shows (counts, the first changes, the problems) and
the fingerprint of the changes. HR confirms the preview: a second job checks the file again
and writes it, all or nothing, refusing when the records moved since the preview (the
fingerprint differs). Each job is one transaction (`civicladder.jobs`), so a worker that dies
while writing leaves nothing half-written, and the next try writes it once.

Packages declare their imports with `register(app, name, ...)` in their `init_app`:
`check(data)` returns the preview (a JSON-able dict with at least `ok`, `change_count` and
`fingerprint`) and `write(actor, data, preview, filename, progress)` writes what the preview
promised, raising a DomainError when it no longer can, and returns a short summary (`message`,
`link`, `link_text`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app, request, url_for
from flask_babel import gettext

from civicladder import audit, clock, files, jobs, languages
from civicladder.access import Role, require_role
from civicladder.db import db, locked_get
from civicladder.errors import Conflict, NotFound
from civicladder.languages import N_
from civicladder.models import JobRun, JobState, User

IMPORTS_KEY = "civicladder.imports"
UPLOADS_KEY = "civicladder.import_uploads"  # the endpoints that take an import's file
PREFIX = "import."
CHECK, WRITE = "check", "write"
SWEEP_JOB = "imports.sweep"
SWEEP_LOOKS_BACK = timedelta(days=30)
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Import:
    name: str
    title: str  # "Roster import"
    page: str  # the endpoint showing a run of this import, given run_id
    check: Callable[[bytes], dict]
    write: Callable[[User, bytes, dict, str, Progress], dict]
    role: Role = Role.HR

    def job(self, step: str) -> str:
        return f"{PREFIX}{self.name}.{step}"


def register(
    app: Flask,
    name: str,
    *,
    title: str,
    page: str,
    upload: str,
    check: Callable[[bytes], dict],
    write: Callable[[User, bytes, dict, str, Progress], dict],
    timeout: int = 3600,
) -> None:
    """An import a package offers: `page` shows its runs and `upload` (an endpoint) takes its
    file; its two jobs are registered with it."""
    found = Import(name, title, page, check, write)
    app.extensions.setdefault(IMPORTS_KEY, {})[name] = found
    app.extensions.setdefault(UPLOADS_KEY, set()).add(upload)
    jobs.register(
        app,
        found.job(CHECK),
        _check,
        title=f"{title}: check",
        timeout=timeout,
        words=lambda: gettext("%(name)s: checking the file", name=gettext(title)),
    )
    jobs.register(
        app,
        found.job(WRITE),
        _write,
        title=f"{title}: write",
        timeout=timeout,
        words=lambda: gettext("%(name)s: saving the changes", name=gettext(title)),
    )


def accept_large_bodies(app: Flask, endpoint: str) -> None:
    """Let another endpoint that takes an import's rows (the API's bulk writes, which send
    them as JSON) take up to IMPORT_MAX_BYTES, as an import's upload does."""
    app.extensions.setdefault(UPLOADS_KEY, set()).add(endpoint)


def _import(name: str) -> Import:
    return current_app.extensions[IMPORTS_KEY][name]


def of_run(run: JobRun) -> tuple[Import, str] | None:
    """The import and step ("check" or "write") a run belongs to; None for other jobs."""
    if not run.kind.startswith(PREFIX):
        return None
    name, _, step = run.kind.removeprefix(PREFIX).rpartition(".")
    found = current_app.extensions.get(IMPORTS_KEY, {}).get(name)
    return (found, step) if found is not None and step in (CHECK, WRITE) else None


def run_of(name: str, run_id: int) -> tuple[JobRun, str]:
    """A run of this import and its step, or NotFound (a page of one import never shows
    another's runs, nor any other job)."""
    run = db.session.get(JobRun, run_id)
    found = of_run(run) if run is not None else None
    if found is None or found[0].name != name:
        raise NotFound(gettext("There is no such import."))
    return run, found[1]


def page_context(name: str, run_id: int) -> dict:
    """What an import's page shows for one of its runs: the run and its step, the check it
    belongs to, the check's preview once made, and (on a check's page) the write asked from it."""
    run, step = run_of(name, run_id)
    check = run if step == CHECK else db.session.get(JobRun, run.params["check_run_id"])
    preview = preview_of(check)
    written = write_of(check) if step == CHECK and preview is not None else None
    return {"run": run, "step": step, "check": check, "preview": preview, "written": written}


def _accept_large_uploads() -> None:
    """An import's upload may be up to IMPORT_MAX_BYTES (other requests keep the app's lower
    limit): set before anything reads the form (the CSRF check does, before the view)."""
    if request.endpoint in current_app.extensions.get(UPLOADS_KEY, ()):
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]


def request_check(
    actor: User, name: str, data: bytes, filename: str, media_type: str = "text/csv"
) -> JobRun:
    """Keep the uploaded file (`filename` as the browser sent it) and ask for it to be checked;
    audited. The run's page shows the
    check's progress, then its preview."""
    found = _import(name)
    require_role(actor, found.role)
    # The uploaded file's own name, without any client path, short enough to keep.
    filename = (filename or "").replace("\\", "/").rsplit("/", 1)[-1][:200]
    extension = media_type.rpartition("/")[2]
    stored = files.store(data, name=filename or f"{name}.{extension}", media_type=media_type)
    # The check writes its preview's words in the language of the page it was asked from.
    run = jobs.enqueue(
        found.job(CHECK),
        actor=actor,
        file_id=stored.id,
        filename=filename,
        sha256=stored.sha256,
        language=languages.current(),
    )
    audit.record(
        actor,
        "import.requested",
        run,
        after={"import": name, "file": filename, "sha256": stored.sha256, "bytes": stored.size},
        label=f"{found.title}: {filename or 'a file'}",
    )
    return run


def request_write(actor: User, name: str, check_run_id: int) -> JobRun:
    """Ask for a checked file to be written as its preview showed; audited. Refused when the
    check did not finish, found problems or nothing to change, or was written already."""
    found = _import(name)
    require_role(actor, found.role)
    # Locked: of two confirmations at once, the second waits and finds the first's write.
    check = locked_get(JobRun, check_run_id, gettext("There is no such import."))
    if check.kind != found.job(CHECK):
        raise NotFound(gettext("There is no such preview."))
    preview = preview_of(check)
    if preview is None:
        raise Conflict(gettext("This file has not been checked yet. Wait for the check to finish."))
    if not preview.get("ok") or not preview.get("change_count"):
        raise Conflict(
            gettext("This file cannot be imported: its check found problems or no changes.")
        )
    if write_of(check) is not None:
        raise Conflict(gettext("This file has already been imported, or is being imported."))
    if files.find(check.params["file_id"]) is None:
        raise Conflict(gettext("This file is no longer kept. Upload it again."))
    run = jobs.enqueue(
        found.job(WRITE), actor=actor, check_run_id=check.id, language=languages.current()
    )
    audit.record(
        actor,
        "import.confirmed",
        run,
        after={"import": name, "check_run": check.id, "changes": preview["change_count"]},
        label=f"{found.title}: {check.params.get('filename') or 'a file'}",
    )
    return run


def preview_of(check: JobRun) -> dict | None:
    """A finished check's preview."""
    if check.state is not JobState.FINISHED or not check.result:
        return None
    return check.result.get("preview")


def write_of(check: JobRun) -> JobRun | None:
    """The write asked for from this check (any state but failed), if any: a check is written
    at most once. Few runs a day: the parameter is compared here, not in the database's JSON."""
    name = check.kind.removesuffix(f".{CHECK}") + f".{WRITE}"
    for run in db.session.scalars(
        sa.select(JobRun)
        .where(JobRun.kind == name, JobRun.state != JobState.FAILED, JobRun.id > check.id)
        .order_by(JobRun.id)
    ):
        if run.params.get("check_run_id") == check.id:
            return run
    return None


# `language`, the page's the import was asked from, is read by `jobs.perform`, which runs the job
# in it: the preview's words and the refusals are written in the reader's language.


def _check(
    run: JobRun, *, file_id: int, filename: str, sha256: str, language: str | None = None
) -> dict:
    found, _ = of_run(run)
    stored = files.find(file_id)
    if stored is None:
        raise Conflict(gettext("The uploaded file is no longer kept. Upload it again."))
    jobs.progress(run, 0, None)
    preview = found.check(files.read(stored))
    return {
        "preview": preview,
        "link": url_for(found.page, run_id=run.id),
        "link_text": gettext("See what the file would change"),
    }


def _write(run: JobRun, *, check_run_id: int, language: str | None = None) -> dict:
    found, _ = of_run(run)
    check = db.session.get(JobRun, check_run_id)
    preview = preview_of(check) if check is not None else None
    stored = files.find(check.params["file_id"]) if preview is not None else None
    if stored is None:
        raise Conflict(gettext("The checked file is no longer kept. Upload it again."))
    actor = db.session.get(User, run.requested_by_id) if run.requested_by_id else None
    done = 0

    def progress(more: int, total: int | None = None) -> None:
        nonlocal done
        done += more
        jobs.progress(run, done, total or preview.get("change_count"))

    filename = check.params.get("filename") or ""
    summary = found.write(actor, files.read(stored), preview, filename, progress)
    # Written: the file has served its purpose (gone with the write, or kept if it fails).
    files.delete([stored.id])
    return {"link": url_for(found.page, run_id=run.id), **summary}


def sweep(run: JobRun | None = None) -> dict:
    """Remove the files of checks asked for more than IMPORT_KEEP_HOURS ago and never written
    (a written file goes with its write). Runs hourly, so it looks back a month only."""
    cutoff = clock.now() - timedelta(hours=current_app.config["IMPORT_KEEP_HOURS"])
    old = db.session.scalars(
        sa.select(JobRun).where(
            JobRun.kind.startswith(PREFIX),
            JobRun.kind.endswith(f".{CHECK}"),
            JobRun.created_at < cutoff,
            JobRun.created_at >= cutoff - SWEEP_LOOKS_BACK,
        )
    ).all()
    return {"removed": files.delete(r.params["file_id"] for r in old if "file_id" in r.params)}


def init_app(app: Flask) -> None:
    from civicladder import schedule

    # First of all: the CSRF check reads the form.
    app.before_request_funcs.setdefault(None, []).insert(0, _accept_large_uploads)
    jobs.register(app, SWEEP_JOB, sweep, title=N_("Remove old imported files"))
    schedule.register(app, SWEEP_JOB, every=timedelta(hours=1))
