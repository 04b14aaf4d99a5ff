"""The file store: files every app server can read (candidates' files, published reports' PDFs).

A file's name, media type, size, sha256 and time are a `StoredFile` row; its content is in
the database (`stored_file_chunk`, 1 MiB a row) or, when FILES_S3_BUCKET is set, an object in
an S3-compatible bucket (`civicladder.object_store`). Either way it is written in the caller's
transaction, beside the row that owns it, and streamed in and out a chunk at a time, so a large
file never sits whole in memory. Owning rows point here (an application's `file_id`); this
table points nowhere up.

An object written to the bucket by a transaction that then rolls back is removed at the
rollback, and one whose row is deleted goes once the deletion commits: the bucket holds what
the committed rows say, give or take a crash between the two.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import BinaryIO
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, current_app, stream_with_context
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from civicladder import clock
from civicladder.db import UTCDateTime, db, utcnow
from civicladder.exports import private

CHUNK = 1024 * 1024
# Keys of session.info: objects this transaction wrote, and objects to remove once it commits.
_WRITTEN = "civicladder.files_written"
_DOOMED = "civicladder.files_doomed"


class StoredFile(db.Model):
    """One stored file. Its content is never changed: a new version is a new file."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    media_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    # Set when the content is an object in the bucket; null when it is in stored_file_chunk.
    object_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<StoredFile {self.id} {self.name!r} {self.size} bytes>"


class StoredFileChunk(db.Model):
    """A piece of a file's content held in the database, in order by position."""

    __tablename__ = "stored_file_chunk"

    file_id: Mapped[int] = mapped_column(
        sa.ForeignKey("stored_file.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)


def _pieces(source: bytes | BinaryIO) -> Iterator[bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start : start + CHUNK])
        return
    while True:
        piece = source.read(CHUNK)
        if not piece:
            return
        yield piece


class _Counted:
    """The pieces of a source, with their size and sha256 counted as they go by."""

    def __init__(self, source: bytes | BinaryIO):
        self._pieces = _pieces(source)
        self.digest = hashlib.sha256()
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        for piece in self._pieces:
            self.digest.update(piece)
            self.size += len(piece)
            yield piece


def store(source: bytes | BinaryIO, *, name: str, media_type: str) -> StoredFile:
    """Store the bytes (or what a binary file object reads to its end) in the session's
    transaction, and return the new file; it is there for others once the transaction commits."""
    stored = StoredFile(name=name[:255], media_type=media_type[:100])
    db.session.add(stored)
    db.session.flush()
    counted = _Counted(source)
    bucket = _bucket()
    if bucket is not None:
        key = secrets.token_hex(16)
        db.session.info.setdefault(_WRITTEN, []).append(key)
        bucket.put(key, counted, media_type)
        stored.object_key = key
    else:
        for position, piece in enumerate(counted):
            db.session.execute(
                sa.insert(StoredFileChunk).values(file_id=stored.id, position=position, data=piece)
            )
    stored.size, stored.sha256 = counted.size, counted.digest.hexdigest()
    db.session.flush()
    return stored


def find(file_id: int | None) -> StoredFile | None:
    """The stored file with this id, if it is (still) there."""
    return db.session.get(StoredFile, file_id) if file_id is not None else None


def chunks(stored: StoredFile | _Where) -> Iterator[bytes]:
    """The file's content, a chunk at a time, read through the current session."""
    if stored.object_key is not None:
        yield from _bucket_for(stored).get(stored.object_key)
        return
    for position in range(_chunk_count(stored.size)):
        piece = db.session.scalar(
            sa.select(StoredFileChunk.data).where(
                StoredFileChunk.file_id == stored.id, StoredFileChunk.position == position
            )
        )
        if piece is None:
            raise LookupError(f"stored file {stored.id} has lost its chunk {position}")
        yield piece


def _chunk_count(size: int) -> int:
    return -(-size // CHUNK)


def read(stored: StoredFile) -> bytes:
    """The whole content at once: for small files and tests."""
    return b"".join(chunks(stored))


def delete(file_ids: Iterable[int]) -> int:
    """Delete the files in the session's transaction (the rows pointing at them must let go
    first); objects in the bucket go once it commits. Returns how many there were."""
    ids = list(file_ids)
    if not ids:
        return 0
    keys = db.session.scalars(
        sa.select(StoredFile.object_key).where(
            StoredFile.id.in_(ids), StoredFile.object_key.is_not(None)
        )
    ).all()
    db.session.execute(sa.delete(StoredFileChunk).where(StoredFileChunk.file_id.in_(ids)))
    gone = db.session.execute(sa.delete(StoredFile).where(StoredFile.id.in_(ids))).rowcount
    db.session.info.setdefault(_DOOMED, []).extend(keys)
    return gone


# --- serving -----------------------------------------------------------------------------------


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """The header for a download named `filename`: plain ASCII, and RFC 6266's filename* as
    well when the name holds letters beyond ASCII."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    header = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != filename:
        header += f"; filename*=UTF-8''{quote(filename)}"
    return header


def download(stored: StoredFile, filename: str | None = None) -> Response:
    """The file as a private download, streamed with its length and type.

    The body is written after the request's unit of work has ended and its session closed
    (see civicladder.exports.csv_response), so the chunks are read in a session of their own,
    closed once the last one is sent or the person gives up.
    """
    # What the stream needs, copied: the request's session is gone when the body is written.
    where = _Where(stored.id, stored.size, stored.object_key)
    response = Response(
        stream_with_context(_stream(where)),
        mimetype=stored.media_type,
        headers={
            "Content-Disposition": content_disposition(filename or stored.name),
            "Content-Length": str(stored.size),
        },
    )
    return private(response)


@dataclass(frozen=True)
class _Where:
    id: int
    size: int
    object_key: str | None


def _stream(stored: _Where) -> Iterator[bytes]:
    try:
        yield from chunks(stored)
    finally:
        db.session.remove()


# --- the bucket, when one is configured --------------------------------------------------------


def _bucket():
    """The object store files are written to, or None: they go to the database."""
    if not current_app.config.get("FILES_S3_BUCKET"):
        return None
    from civicladder import object_store

    return object_store.for_app(current_app)


def _bucket_for(stored: StoredFile | _Where):
    bucket = _bucket()
    if bucket is None:
        raise LookupError(
            f"stored file {stored.id} is in the object store, and FILES_S3_BUCKET is not set"
        )
    return bucket


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    doomed = session.info.pop(_DOOMED, None)
    if doomed:
        _remove_objects(doomed)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_DOOMED, None)
    written = session.info.pop(_WRITTEN, None)
    if written:
        _remove_objects(written)


# --- objects no row names ------------------------------------------------------------------------

SWEEP_JOB = "files.sweep-objects"
# An object younger than this may belong to a transaction still open: the sweep leaves it.
SWEEP_GRACE = timedelta(days=1)


def sweep_objects(before: datetime | None = None) -> dict:
    """Remove the bucket's objects that no stored file names and that were written before
    `before` (a day ago by default): what a crash between a commit (or rollback) and the
    object's removal left behind. Nothing to do when files are kept in the database."""
    bucket = _bucket()
    if bucket is None:
        return {"checked": 0, "removed": 0}
    cutoff = before or (clock.now() - SWEEP_GRACE)
    checked = removed = 0
    for keys in bucket.listed(cutoff):
        named = set(
            db.session.scalars(
                sa.select(StoredFile.object_key).where(StoredFile.object_key.in_(keys))
            )
        )
        orphans = [key for key in keys if key not in named]
        if orphans:
            bucket.remove(orphans)
        checked += len(keys)
        removed += len(orphans)
    return {"checked": checked, "removed": removed}


def init_app(app) -> None:
    from civicladder import jobs, schedule
    from civicladder.languages import N_

    jobs.register(
        app, SWEEP_JOB, lambda run: sweep_objects(), title=N_("Objects no file names, removed")
    )
    schedule.register(app, SWEEP_JOB, daily_at=time(9, 30))


def _remove_objects(keys: list[str]) -> None:
    """Best effort: a bucket that does not answer leaves an object no row names."""
    try:
        bucket = _bucket()
        if bucket is not None:
            bucket.remove(keys)
    except Exception:
        current_app.logger.exception("could not remove %d object(s) from the bucket", len(keys))
