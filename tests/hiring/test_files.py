"""The optional file: PDF or text by content, size-limited, kept in the file store (not on a
server's disk), cleaned of its metadata, refused when it could act on its own, and handed out
under the candidate code until the ranking locks."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from civicladder import files as file_store
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict
from civicladder.files import StoredFile
from hiring import files, services
from hiring.models import Application, RoundStatus

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Jordan Quill</dc:creator>'
    b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def make_pdf(*, metadata: bool = False, change=None) -> bytes:
    """A one-page PDF built with pypdf; `metadata` names its author everywhere a PDF can."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if metadata:
        writer.add_metadata(
            {
                "/Author": "Jordan Quill",
                "/Title": "Jordan Quill CV",
                "/Subject": "Application of Jordan Quill",
                "/Creator": "Quill Word",
                "/Producer": "Quill Writer",
                "/Keywords": "quill",
            }
        )
        writer.xmp_metadata = XMP
    if change is not None:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF_BYTES = make_pdf()


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


def _stored_files() -> set[int]:
    return set(db.session.scalars(sa.select(StoredFile.id)))


def _disk_files(app) -> set[str]:
    folder = Path(app.instance_path) / "application-files"
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def _kept(app, application) -> bytes:
    with app.app_context():
        return file_store.read(application.file)


def test_a_pdf_is_kept_in_the_file_store_not_on_disk_and_hr_downloads_it(
    app, client, client_as, hiring, make_user
):
    hiring_round = hiring.round(RoundStatus.OPEN)
    on_disk = _disk_files(app)
    response = _post(client, hiring_round, PDF_BYTES, "../../My CV.pdf")
    assert response.status_code == 302
    application = _application(hiring_round.id)
    assert (application.file_type, application.file_name) == (files.PDF, "My CV.pdf")
    kept = _kept(app, application)
    assert application.file_size == application.file.size == len(kept)
    assert application.file.sha256 == hashlib.sha256(kept).hexdigest()
    assert application.file.media_type == files.PDF
    assert len(PdfReader(io.BytesIO(kept)).pages) == 1
    assert application.file_key is None and _disk_files(app) == on_disk
    download = client_as(make_user({Role.HR})).get(f"/hiring/applications/{application.id}/file")
    assert download.status_code == 200
    assert download.data == kept
    assert download.mimetype == files.PDF
    assert download.headers["Cache-Control"] == "no-store"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()


def test_a_pdf_is_stored_without_its_author_title_or_xmp_metadata(app, client, hiring):
    hiring_round = hiring.round(RoundStatus.OPEN)
    uploaded = make_pdf(metadata=True)
    assert b"Jordan Quill" in uploaded and b"Quill Writer" in uploaded
    assert _post(client, hiring_round, uploaded, "cv.pdf").status_code == 302
    kept = _kept(app, _application(hiring_round.id))
    assert b"Quill" not in kept and b"xmpmeta" not in kept
    reader = PdfReader(io.BytesIO(kept))
    assert not reader.metadata
    assert "/Metadata" not in reader.trailer["/Root"]
    assert len(reader.pages) == 1


def _with_open_action(writer):
    page = writer.pages[0].indirect_reference
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/GoTo"),
                NameObject("/D"): ArrayObject([page, NameObject("/Fit")]),
            }
        )
    )


def _with_launch(writer):
    launch = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 50, 50)]),
            NameObject("/A"): launch,
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda w: w.add_open_action(JavaScript("app.alert('hi');")), "JavaScript"),
        (_with_open_action, "an action that runs when it is opened"),
        (_with_launch, "an action that starts another program"),
        (lambda w: w.add_attachment("payload.txt", b"hidden"), "files embedded in it"),
    ],
    ids=["javascript", "open-action", "launch", "embedded-file"],
)
def test_a_pdf_that_could_act_on_its_own_is_refused_and_nothing_is_stored(
    app, client, hiring, change, named
):
    hiring_round = hiring.round(RoundStatus.OPEN)
    before = _stored_files()
    response = _post(client, hiring_round, make_pdf(change=change), "cv.pdf")
    assert response.status_code == 422
    assert f"This PDF contains {named}." in response.text
    assert _application(hiring_round.id) is None
    assert _stored_files() == before


def test_a_pdf_that_cannot_be_read_is_refused(client, hiring):
    hiring_round = hiring.round(RoundStatus.OPEN)
    response = _post(client, hiring_round, b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF", "cv.pdf")
    assert response.status_code == 422
    assert "This PDF could not be read" in response.text
    assert _application(hiring_round.id) is None


def _download_name(response) -> str:
    return response.headers["Content-Disposition"].split("filename=", 1)[1].strip('"')


def test_hr_downloads_the_file_under_the_candidate_code_until_the_ranking_locks(
    client, client_as, hiring, make_user
):
    hiring_round = hiring.round(RoundStatus.OPEN)
    assert _post(client, hiring_round, PDF_BYTES, "Jordan Quill CV.pdf").status_code == 302
    application = _application(hiring_round.id)
    hr = client_as(make_user({Role.HR}))
    blind = f"{application.candidate_code}-work-sample.pdf"
    assert _download_name(hr.get(f"/hiring/applications/{application.id}/file")) == blind
    page = hr.get(f"/hiring/applications/{application.id}").text
    assert f"Download {blind}" in page and "Quill" not in page
    hiring_round.status = RoundStatus.RANKED
    db.session.flush()
    named = hr.get(f"/hiring/applications/{application.id}/file")
    assert _download_name(named) == "Jordan Quill CV.pdf"


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


def test_a_file_that_would_pass_the_rounds_upload_limit_is_refused(
    app, client, hiring, monkeypatch
):
    monkeypatch.setitem(app.config, "ROUND_UPLOAD_LIMIT_MB", 1)
    hiring_round = hiring.round(RoundStatus.OPEN)
    with app.app_context():
        earlier = hiring.stored_file(b"an earlier candidate's file", files.TEXT)
    hiring.application(hiring_round, file=earlier, file_type=files.TEXT, file_size=1024 * 1024 - 10)
    before = _stored_files()
    response = _post(client, hiring_round, PDF_BYTES, "cv.pdf")
    assert response.status_code == 422
    assert "This job opening cannot take any more files" in response.text
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Application.round_id == hiring_round.id))
        == 1
    )
    assert _stored_files() == before
    # Without a file the same candidate's application goes in.
    assert _post_without_file(client, hiring_round).status_code == 302


def _post_without_file(client, hiring_round):
    data = {"full_name": "Lee Park", "email": "lee@example.test"}
    data |= {f"answer_{q.id}": "An answer." for q in hiring_round.questions}
    return client.post(f"/jobs/{hiring_round.id}", data=data)


def test_an_assessor_opens_the_file_under_the_candidate_code_from_their_queue_only(
    app, client_as, hiring
):
    hiring_round = hiring.round(RoundStatus.ASSESSING, assessors=2)
    assigned, other = hiring.panel(hiring_round)
    with app.app_context():
        stored = hiring.stored_file(PDF_BYTES)
    application = hiring.application(
        hiring_round,
        file=stored,
        file_type=files.PDF,
        file_size=len(PDF_BYTES),
        file_name="Jordan Quill CV.pdf",
    )
    assessment = hiring.assessment(application, assigned)
    hiring.assessment(hiring.application(hiring_round), other)
    url = f"/assess/rounds/{hiring_round.id}/{assessment.id}"
    blind = f"{application.candidate_code}-work-sample.pdf"
    page = client_as(assigned).get(url).text
    assert f"Download {blind}" in page and "Quill" not in page
    download = client_as(assigned).get(f"{url}/file")
    assert (download.status_code, _download_name(download)) == (200, blind)
    assert download.data == PDF_BYTES
    assert client_as(other).get(f"{url}/file").status_code == 404


def test_a_revealed_file_name_beyond_ascii_downloads_under_a_header_a_server_can_send(
    client, client_as, hiring, make_user
):
    hiring_round = hiring.round(RoundStatus.OPEN)
    assert _post(client, hiring_round, PDF_BYTES, "Résumé 山田.pdf").status_code == 302
    application = _application(hiring_round.id)
    hiring_round.status = RoundStatus.RANKED
    db.session.flush()
    download = client_as(make_user({Role.HR})).get(f"/hiring/applications/{application.id}/file")
    header = download.headers["Content-Disposition"]
    header.encode("latin-1")  # what a WSGI server must be able to send
    assert "filename*=UTF-8''R%C3%A9sum%C3%A9%20%E5%B1%B1%E7%94%B0.pdf" in header


def test_an_application_refused_after_its_file_went_in_leaves_no_stored_file(
    client, hiring, monkeypatch
):
    hiring_round = hiring.round(RoundStatus.OPEN)
    before = _stored_files()

    def refuse(application, token):
        assert application.file is not None  # the file is in, in the same transaction
        raise Conflict("The confirmation could not be queued; try again.")

    monkeypatch.setattr(services, "_tell_submitted", refuse)
    response = _post(client, hiring_round, PDF_BYTES, "cv.pdf")
    assert response.status_code == 422
    assert "The confirmation could not be queued" in response.text
    assert _application(hiring_round.id) is None
    assert _stored_files() == before
