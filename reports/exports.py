"""Files of a published report: the PDF (WeasyPrint) with cover, contents, charts, tables, page
numbers and the content hash on every page, rendered once per language and kept in the file
store. The CSV is written by the view, through the shell's formula-safe writer.

English's PDF is rendered when the report is published (most readers read it, and the
publishing job already spends its seconds); another language's on its first download, then
kept, so a reader never waits twice and a report no one reads in Spanish costs nothing. Each is
rendered from the one snapshot (`reports.words` writes its words, never its figures), so every
language's PDF shows the same figures and cites the same content hash."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.exc import IntegrityError

from civicladder import files as file_store
from civicladder.db import db
from civicladder.files import StoredFile
from civicladder.languages import DEFAULT, written_in
from reports import words
from reports.models import ReportPdf, ReportSnapshot

PDF = "application/pdf"


def snapshot_pdf(snapshot: ReportSnapshot) -> bytes:
    """Render the snapshot as a PDF in the language being written (a second or two for a
    large unit: done once per language, see below)."""
    from weasyprint import HTML

    html = render_template(
        "reports/snapshot_pdf.html", snapshot=snapshot, content=words.translated(snapshot.content)
    )
    return HTML(string=html).write_pdf()


def pdf_filename(snapshot: ReportSnapshot, language: str = DEFAULT) -> str:
    name = f"report-{snapshot.content['scope']['code']}-{snapshot.period}"
    return f"{name}.pdf" if language == DEFAULT else f"{name}-{language}.pdf"


def store_pdf(snapshot: ReportSnapshot, language: str = DEFAULT) -> StoredFile:
    """Render the snapshot's PDF in `language` and keep it, in the current transaction."""
    with written_in(language):
        rendered = snapshot_pdf(snapshot)
    stored = file_store.store(rendered, name=pdf_filename(snapshot, language), media_type=PDF)
    db.session.add(ReportPdf(snapshot_id=snapshot.id, language=language, file_id=stored.id))
    db.session.flush()
    return stored


def _kept(snapshot_id: int, language: str) -> StoredFile | None:
    return db.session.scalar(
        sa.select(StoredFile)
        .join(ReportPdf, ReportPdf.file_id == StoredFile.id)
        .where(ReportPdf.snapshot_id == snapshot_id, ReportPdf.language == language)
    )


def stored_pdf(snapshot: ReportSnapshot, language: str = DEFAULT) -> StoredFile:
    """The snapshot's kept PDF in `language`. One not kept yet (another language's, or any
    of a snapshot published before PDFs were kept) is rendered and kept now, once: of two
    first downloads at the same moment, the second finds the first's (the key of snapshot
    and language refuses a second PDF)."""
    found = _kept(snapshot.id, language)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            return store_pdf(snapshot, language)
    except IntegrityError:
        found = _kept(snapshot.id, language)
        if found is None:
            raise
        return found
