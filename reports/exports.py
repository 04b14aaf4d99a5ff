"""Files of a published report: the PDF (WeasyPrint) with cover, contents, charts, tables, page
numbers and the content hash on every page. The CSV is written by the view, through the shell's
formula-safe writer."""

from __future__ import annotations

from flask import render_template

from reports.models import ReportSnapshot


def snapshot_pdf(snapshot: ReportSnapshot) -> bytes:
    from weasyprint import HTML

    html = render_template("reports/snapshot_pdf.html", snapshot=snapshot, content=snapshot.content)
    return HTML(string=html).write_pdf()
