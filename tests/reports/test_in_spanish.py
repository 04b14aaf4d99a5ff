"""The reports in Spanish: the same figures and hash as in English, the words in the reader's
language, on the page, in the CSV and in the published PDF (kept for each language)."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from civicladder.db import db
from reports import exports, rules, services
from reports.models import ReportPdf

SPANISH = {"Accept-Language": "es"}


@pytest.fixture
def rep(small_city, people):
    return people.union_rep(small_city.unit)


@pytest.fixture
def snapshot(app, small_city):
    with app.test_request_context():
        published = services.publish_unit_report(
            None, small_city.unit, rules.parse_period("2026Q3")
        )
        db.session.flush()
    return published


def test_the_live_report_reads_in_spanish_with_the_same_figures(client_as, small_city, rep):
    client = client_as(rep)
    url = f"/reports/units/{small_city.unit.id}?period=2026Q3"
    english = client.get(url).text
    response = client.get(url, headers=SPANISH)
    assert response.status_code == 200
    page = response.text
    assert '<html lang="es"' in page
    assert '<h1 class="margin-top-0">Local 100: informe de progreso, 2026Q3</h1>' in page
    assert "Cifras en vivo, sin publicar" in page
    assert "T3 2026 (del 1 de julio al 30 de septiembre de 2026)" in page
    assert '<th scope="row">Personas que terminaron</th><td>11</td>' in page
    assert (
        '<th scope="row">Contrataciones internas</th><td><span class="cl-protected">menos de 5'
        in page
    )
    assert "Gráfico de " in page and "no se muestra" in page
    for word in ("Live figures", "People who completed", "fewer than", "not shown"):
        assert word not in page
    # The figures are the English page's, cell for cell; only the words differ.
    spanish_cells, english_cells = _cells(page), _cells(english)
    assert len(spanish_cells) == len(english_cells)
    figures = [
        (es, en) for es, en in zip(spanish_cells, english_cells, strict=True) if en[:1].isdigit()
    ]
    assert figures and all(es == en for es, en in figures)


def _cells(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", page)]


def test_a_published_report_reads_in_spanish_and_cites_the_same_hash(
    client_as, small_city, rep, snapshot
):
    response = client_as(rep).get(f"/reports/snapshots/{snapshot.id}", headers=SPANISH)
    assert response.status_code == 200
    page = response.text
    assert "Informe publicado" in page and "Hash del contenido (SHA-256)" in page
    assert snapshot.content_hash in page
    assert "Descargar el informe en PDF" in page and "Todavía no hay comentarios." in page
    assert "Estas cifras no coinciden" not in page  # the figures still match their hash


def test_the_csv_speaks_the_readers_language_with_the_same_figures(
    client_as, small_city, rep, snapshot
):
    client = client_as(rep)
    url = f"/reports/snapshots/{snapshot.id}/report.csv"
    english = list(csv.reader(io.StringIO(client.get(url).text)))
    spanish = list(csv.reader(io.StringIO(client.get(url, headers=SPANISH).text)))
    assert spanish[0] == [
        "alcance",
        "periodo",
        "hash_del_contenido",
        "seccion",
        "tabla",
        "fila",
        "columna",
        "cifra",
    ]
    by_row = {(r[5], r[6]): r[7] for r in spanish[1:]}
    assert by_row[("Personas que terminaron", "Número")] == "11"
    assert by_row[("Contrataciones internas", "Personas")] == "menos de 5"
    assert by_row[("Tasa de finalización", "Número")] == "no se muestra"
    # Row for row the same scope, period, hash and numbers; only the words differ.
    assert len(spanish) == len(english)
    for es_row, en_row in zip(spanish[1:], english[1:], strict=True):
        assert es_row[:3] == en_row[:3] == [es_row[0], "2026Q3", snapshot.content_hash]
        if en_row[7][:1].isdigit():
            assert es_row[7] == en_row[7]


def _download(client, url, **kwargs):
    """A streamed download, read whole and closed (an open stream keeps its request's
    context, and so its language, for the next request of the test client)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def _pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_published_pdf_comes_in_each_language_with_the_same_figures_and_hash(
    client_as, small_city, rep, snapshot, monkeypatch
):
    client = client_as(rep)
    url = f"/reports/snapshots/{snapshot.id}/report.pdf"
    english, spanish = _download(client, url), _download(client, url, headers=SPANISH)
    assert english.status_code == spanish.status_code == 200
    assert spanish.mimetype == "application/pdf"
    assert 'filename="report-L100-2026Q3-es.pdf"' in spanish.headers["Content-Disposition"]
    en_pages, es_pages = _pdf_text(english.data), _pdf_text(spanish.data)
    for number, text in enumerate(es_pages, start=1):
        assert snapshot.content_hash in re.sub(r"\s+", "", text), f"page {number} lacks the hash"
        assert f"Página {number} de {len(es_pages)}" in text
    for text in en_pages:
        assert snapshot.content_hash in re.sub(r"\s+", "", text)
    es_all, en_all = "\n".join(es_pages), "\n".join(en_pages)
    assert (
        "INFORME DE PROGRESO COMPARTIDO DE CIVICLADDER" in es_all
    )  # the cover shows it in capitals
    assert "T3 2026 (del 1 de julio al 30 de septiembre de 2026)" in es_all
    assert "Número de personas" in es_all and "Tasa de finalización" in es_all
    assert "menos de 5" in es_all and "no se muestra" in es_all
    assert "Completion rate" not in es_all and "Completion rate" in en_all
    # Every figure the snapshot shows as a number reads the same in both.
    numbers = {
        cell["shown"]
        for section in snapshot.content["sections"]
        for table in section["tables"]
        for row in table["rows"]
        for cell in row["cells"]
        if cell["value"] is not None
    }
    assert numbers
    for shown in numbers:
        assert shown in en_all and shown in es_all, shown
    # Each language's PDF is kept: the second Spanish download renders nothing.
    kept = db.session.scalars(
        sa.select(ReportPdf.language).where(ReportPdf.snapshot_id == snapshot.id)
    ).all()
    assert sorted(kept) == ["en", "es"]

    def never(snapshot):
        raise AssertionError("a kept PDF is rendered again")

    monkeypatch.setattr(exports, "snapshot_pdf", never)
    again = _download(client, url, headers=SPANISH)
    assert again.status_code == 200 and again.data == spanish.data
