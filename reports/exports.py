"""Files of a published report: the PDF (WeasyPrint) with cover, contents, charts, tables, page
numbers and the content hash on every page, rendered once and kept in the file store. The CSV
is written by the view, through the shell's formula-safe writer."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.exc import IntegrityError

from civicladder import files as file_store
from civicladder.db import db
from civicladder.files import StoredFile
from reports.models import ReportPdf, ReportSnapshot

PDF = "application/pdf"


def snapshot_pdf(snapshot: ReportSnapshot) -> bytes:
    """Render the snapshot as a PDF (a second or two for a large unit: done once, see below)."""
    from weasyprint import HTML

    html = render_template("reports/snapshot_pdf.html", snapshot=snapshot, content=snapshot.content)
    return HTML(string=html).write_pdf()


def pdf_filename(snapshot: ReportSnapshot) -> str:
    return f"report-{snapshot.content['scope']['code']}-{snapshot.period}.pdf"


def store_pdf(snapshot: ReportSnapshot) -> StoredFile:
    """Render the snapshot's PDF and keep it, in the current transaction."""
    stored = file_store.store(snapshot_pdf(snapshot), name=pdf_filename(snapshot), media_type=PDF)
    db.session.add(ReportPdf(snapshot_id=snapshot.id, file_id=stored.id))
    db.session.flush()
    return stored


def _kept(snapshot_id: int) -> StoredFile | None:
    return db.session.scalar(
        sa.select(StoredFile)
        .join(ReportPdf, ReportPdf.file_id == StoredFile.id)
        .where(ReportPdf.snapshot_id == snapshot_id)
    )


def stored_pdf(snapshot: ReportSnapshot) -> StoredFile:
    """The snapshot's kept PDF. A snapshot published before PDFs were kept has its PDF
    rendered and kept now, once: of two first downloads at the same moment, the second
    finds the first's (the unique snapshot id refuses a second PDF)."""
    found = _kept(snapshot.id)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            return store_pdf(snapshot)
    except IntegrityError:
        found = _kept(snapshot.id)
        if found is None:
            raise
        return found
