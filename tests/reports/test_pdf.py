"""A published report as a PDF, read back: cover, contents, every page's hash and number."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from civicladder.db import db
from civicladder.files import StoredFile
from reports import exports, rules, services
from reports.models import ReportPdf


def test_the_pdf_carries_unit_period_hash_on_every_page_and_suppressed_cells(
    app, client_as, small_city, people
):
    with app.test_request_context():
        snapshot = services.publish_unit_report(None, small_city.unit, rules.parse_period("2026Q3"))
    rep = people.union_rep(small_city.unit)
    response = client_as(rep).get(f"/reports/snapshots/{snapshot.id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="report-L100-2026Q3.pdf"' in response.headers["Content-Disposition"]
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages]
    assert len(pages) >= 4
    for number, text in enumerate(pages, start=1):
        flat = re.sub(r"\s+", "", text)
        assert snapshot.content_hash in flat, f"page {number} lacks the hash"
        assert f"Page {number} of {len(pages)}" in text
    cover, contents, *body = pages
    assert "Local 100 (L100)" in cover and "Q3 2026 (1 July to 30 September 2026)" in cover
    assert "Contents" in contents and "Competency levels gained" in contents
    # The contents give each section's page: the headcount follows the contents page.
    assert "Headcount, page 3" in contents and "By department, page" in contents
    everything = "\n".join(body)
    assert "Completion rate" in everything and "People who completed" in everything
    assert "fewer than 5" in everything and "not shown" in everything
    for person in [*small_city.P.values(), *small_city.B.values()]:
        assert person.last_name not in everything


@pytest.fixture
def renders(monkeypatch) -> list[int]:
    """The snapshots whose PDF WeasyPrint rendered, in order."""
    done: list[int] = []
    render = exports.snapshot_pdf

    def counted(snapshot):
        done.append(snapshot.id)
        return render(snapshot)

    monkeypatch.setattr(exports, "snapshot_pdf", counted)
    return done


def test_a_published_pdf_is_rendered_once_at_publishing_and_never_on_download(
    app, client_as, small_city, people, renders
):
    with app.test_request_context():
        snapshot = services.publish_unit_report(None, small_city.unit, rules.parse_period("2026Q3"))
    assert renders == [snapshot.id]
    kept = db.session.scalar(
        sa.select(StoredFile)
        .join(ReportPdf, ReportPdf.file_id == StoredFile.id)
        .where(ReportPdf.snapshot_id == snapshot.id)
    )
    assert kept.media_type == "application/pdf" and kept.name == "report-L100-2026Q3.pdf"
    rep = people.union_rep(small_city.unit)
    for _ in range(2):
        response = client_as(rep).get(f"/reports/snapshots/{snapshot.id}/report.pdf")
        assert response.status_code == 200
        assert response.headers["Content-Length"] == str(kept.size)
        assert hashlib.sha256(response.data).hexdigest() == kept.sha256
        assert response.data.startswith(b"%PDF")
    assert renders == [snapshot.id]


def test_a_snapshot_published_before_pdfs_were_kept_gets_its_pdf_on_the_first_download(
    app, client_as, small_city, people, renders
):
    with app.test_request_context():
        snapshot = services.publish_unit_report(
            None, small_city.unit, rules.parse_period("2026Q3"), pdf=False
        )
    assert renders == []
    rep = people.union_rep(small_city.unit)
    bodies = []
    for _ in range(2):
        response = client_as(rep).get(f"/reports/snapshots/{snapshot.id}/report.pdf")
        assert response.status_code == 200
        bodies.append(response.data)  # read whole: the streamed body's generator closes
    assert bodies[0] == bodies[1] and bodies[0].startswith(b"%PDF")
    assert renders == [snapshot.id]
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(ReportPdf.snapshot_id == snapshot.id))
        == 1
    )
