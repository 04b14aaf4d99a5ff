"""The optional file: PDF or text by content, size-limited, kept outside the web root."""

from __future__ import annotations

import io
from pathlib import Path

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from civicladder.access import Role
from civicladder.db import db
from hiring import files
from hiring.models import Application, RoundStatus

PDF_BYTES = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def _post(client, hiring_round, content: bytes, filename: str):
    data = {"full_name": "Lee Park", "email": "lee@example.test"}
    for question in hiring_round.questions:
        data[f"answer_{question.id}"] = "An answer."
    data["upload"] = FileStorage(io.BytesIO(content), filename)
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(MultiDict(data))
    return client.post(
        f"/jobs/{hiring_round.id}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _application(round_id):
    return db.session.scalar(sa.select(Application).where(Application.round_id == round_id))


def test_a_pdf_is_stored_outside_the_web_root_and_hr_downloads_it(
    app, client, client_as, hiring, make_user
):
    hiring_round = hiring.round(RoundStatus.OPEN)
    response = _post(client, hiring_round, PDF_BYTES, "../../My CV.pdf")
    assert response.status_code == 302
    application = _application(hiring_round.id)
    assert (application.file_type, application.file_name) == (files.PDF, "My CV.pdf")
    assert application.file_size == len(PDF_BYTES)
    with app.test_request_context():
        stored = files.path_for(application.file_key)
    assert stored.read_bytes() == PDF_BYTES
    assert Path(app.instance_path) in stored.parents
    assert Path(app.static_folder).resolve() not in stored.resolve().parents
    download = client_as(make_user({Role.HR})).get(f"/hiring/applications/{application.id}/file")
    assert download.status_code == 200
    assert download.data == PDF_BYTES
    assert download.mimetype == files.PDF
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()


def test_plain_text_is_accepted_whatever_its_name(client, hiring):
    hiring_round = hiring.round(RoundStatus.OPEN)
    assert _post(client, hiring_round, "Résumé text\n".encode(), "notes.doc").status_code == 302
    application = _application(hiring_round.id)
    assert (application.file_type, application.file_name) == (files.TEXT, "notes.txt")


def test_a_file_of_another_type_is_refused_even_when_named_pdf(client, hiring):
    hiring_round = hiring.round(RoundStatus.OPEN)
    response = _post(client, hiring_round, PNG_BYTES, "cv.pdf")
    assert response.status_code == 422
    assert "Upload a PDF or a plain text file" in response.text
    assert _application(hiring_round.id) is None


def test_an_oversized_file_is_refused(client, hiring):
    hiring_round = hiring.round(RoundStatus.OPEN)
    response = _post(client, hiring_round, b"%PDF-" + b"x" * files.MAX_BYTES, "big.pdf")
    assert response.status_code == 422
    assert "larger than 2 MB" in response.text
    assert _application(hiring_round.id) is None


def test_an_application_without_a_file_has_nothing_to_download(client_as, hiring, make_user):
    application = hiring.application(hiring.round(RoundStatus.OPEN))
    response = client_as(make_user({Role.HR})).get(f"/hiring/applications/{application.id}/file")
    assert response.status_code == 404
