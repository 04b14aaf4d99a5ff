"""The file store: content in the database a chunk at a time, written in the caller's
transaction, read back whole and streamed with its length, type and privacy."""

from __future__ import annotations

import hashlib
import io

import pytest
import sqlalchemy as sa

from civicladder import files
from civicladder.db import db
from civicladder.files import StoredFile, StoredFileChunk


def _chunk_rows(file_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(sa.func.length(StoredFileChunk.data))
            .where(StoredFileChunk.file_id == file_id)
            .order_by(StoredFileChunk.position)
        )
    )


def test_a_file_bigger_than_one_chunk_goes_in_by_chunks_and_comes_back_whole(app_ctx):
    content = bytes(range(256)) * (files.CHUNK * 5 // 2 // 256)  # two and a half chunks
    stored = files.store(io.BytesIO(content), name="big.bin", media_type="application/x-test")

    assert _chunk_rows(stored.id) == [files.CHUNK, files.CHUNK, len(content) - 2 * files.CHUNK]
    assert (stored.size, stored.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert [len(piece) for piece in files.chunks(stored)] == _chunk_rows(stored.id)
    assert files.read(stored) == content


def test_bytes_and_an_empty_file_are_kept_as_given(app_ctx):
    small = files.store(b"hello", name="a.txt", media_type="text/plain")
    empty = files.store(b"", name="empty.txt", media_type="text/plain")
    assert files.read(small) == b"hello" and small.size == 5
    assert files.read(empty) == b"" and empty.size == 0
    assert empty.sha256 == hashlib.sha256(b"").hexdigest()


def test_deleting_a_file_takes_its_chunks_with_it(app_ctx):
    stored = files.store(b"x" * (files.CHUNK + 1), name="x.bin", media_type="application/x-test")
    assert files.delete([stored.id]) == 1
    assert db.session.get(StoredFile, stored.id) is None
    assert _chunk_rows(stored.id) == []


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)),
        db.session.scalar(sa.select(sa.func.count()).select_from(StoredFileChunk)),
    )


def test_a_file_whose_transaction_rolls_back_is_not_kept(app_ctx):
    before = _counts()
    with pytest.raises(RuntimeError), db.session.begin_nested():
        files.store(b"y" * (files.CHUNK + 1), name="y.bin", media_type="application/x-test")
        assert _counts() == (before[0] + 1, before[1] + 2)
        raise RuntimeError("the change fails after the file went in")
    assert _counts() == before


def test_a_download_streams_with_its_length_type_and_no_store(app):
    with app.test_request_context():
        stored = files.store(b"%PDF-1.4 body", name="r.pdf", media_type="application/pdf")
        response = files.download(stored, "Résumé.pdf")
        assert response.is_streamed
        assert response.headers["Content-Length"] == "13"
        assert response.mimetype == "application/pdf"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Disposition"] == (
            "attachment; filename=\"R_sum_.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf"
        )
        assert b"".join(response.response) == b"%PDF-1.4 body"
