"""The file store with FILES_S3_BUCKET set: content in an S3-compatible bucket, metadata in the
database, tried against a real S3-compatible server (moto's standalone server, started here
on loopback as a process of its own), with real commits and rollbacks."""

from __future__ import annotations

import hashlib
import io
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from civicladder import files, transaction
from civicladder.access import Role
from civicladder.app import create_app
from civicladder.db import db
from civicladder.files import StoredFile, StoredFileChunk
from civicladder.security import hash_password
from tests.civicladder.factories import make_user_factory
from tests.civicladder.real_server import Visitor, serving
from tests.competencies.factories import competency_factories
from tests.conftest import _SHARED_SESSION, _postgres_admin

KEYS = {"FILES_S3_ACCESS_KEY_ID": "testing", "FILES_S3_SECRET_ACCESS_KEY": "testing"}
PASSWORD = "an object store test password"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """moto's S3-compatible server on a free loopback port, for this module."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 (moto's server, with this interpreter)
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, "the S3-compatible server did not start"
                assert time.monotonic() < deadline, "the S3-compatible server did not answer"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _own_database(database_url: str, folder) -> str:
    if not database_url.startswith("postgresql"):
        return f"sqlite:///{folder / 'objects.sqlite3'}"
    url = sa.make_url(database_url)
    name = f"{url.database}_objects"
    with _postgres_admin(url) as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def s3_app(app, database_url, s3_endpoint, tmp_path_factory):
    """An app whose files go to a fresh bucket, on a database of its own with real commits."""
    bucket = f"civicladder-{uuid.uuid4().hex[:12]}"
    settings = {
        "FILES_S3_BUCKET": bucket,
        "FILES_S3_ENDPOINT_URL": s3_endpoint,
        "FILES_S3_REGION": "us-east-1",
        "FILES_S3_PREFIX": "files/",
        "FILES_S3_ADDRESSING_STYLE": "path",
        **KEYS,
    }
    folder = tmp_path_factory.mktemp("objects")
    url = _own_database(database_url, folder)
    s3 = create_app(
        dict(app.config) | settings | {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False}
    )
    s3.instance_path = str(folder / "instance")
    _client(s3).create_bucket(Bucket=bucket)
    with s3.app_context():
        upgrade()
    yield s3
    with s3.app_context():
        db.engine.dispose()
    if url.startswith("postgresql"):
        parsed = sa.make_url(url)
        with _postgres_admin(parsed) as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


@pytest.fixture
def real_session(_transaction):
    """The app's own session (the suite's bound one is put back after the test)."""
    saved = db.session
    db.session = _SHARED_SESSION
    try:
        yield
    finally:
        db.session = saved


def _client(s3_app):
    return boto3.client(
        "s3",
        endpoint_url=s3_app.config["FILES_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _objects(s3_app) -> set[str]:
    listed = _client(s3_app).list_objects_v2(Bucket=s3_app.config["FILES_S3_BUCKET"])
    return {item["Key"] for item in listed.get("Contents", [])}


def _committed(s3_app, fn):
    with s3_app.app_context():
        try:
            result = fn()
            transaction.commit()
            return result
        except BaseException:
            transaction.rollback()
            raise


def _storing(content, name: str):
    def store() -> tuple[int, str]:
        stored = files.store(content, name=name, media_type="application/x-test")
        return stored.id, stored.object_key

    return store


def test_a_large_file_goes_to_the_bucket_in_parts_and_comes_back_whole(s3_app, real_session):
    content = bytes(range(256)) * (9 * 1024 * 1024 // 256)  # past one 8 MiB upload part
    stored_id, key = _committed(s3_app, _storing(io.BytesIO(content), "big.bin"))
    assert f"files/{key}" in _objects(s3_app)
    with s3_app.app_context():
        stored = db.session.get(StoredFile, stored_id)
        assert (stored.size, stored.sha256) == (len(content), hashlib.sha256(content).hexdigest())
        assert not db.session.scalar(
            sa.select(sa.func.count()).where(StoredFileChunk.file_id == stored_id)
        )
        pieces = list(files.chunks(stored))
        db.session.remove()
    assert max(len(piece) for piece in pieces) <= files.CHUNK
    assert b"".join(pieces) == content


def test_a_rolled_back_upload_leaves_no_row_and_no_object(s3_app, real_session):
    before = _objects(s3_app)

    def fails():
        files.store(b"x" * (files.CHUNK + 5), name="x.bin", media_type="application/x-test")
        assert len(_objects(s3_app)) == len(before) + 1  # up, until the rollback
        raise RuntimeError("the change fails after the file went up")

    with pytest.raises(RuntimeError):
        _committed(s3_app, fails)
    assert _objects(s3_app) == before
    with s3_app.app_context():
        assert not db.session.scalar(
            sa.select(sa.func.count()).select_from(StoredFile).where(StoredFile.name == "x.bin")
        )
        db.session.remove()


def test_a_deleted_file_leaves_the_bucket_only_once_the_deletion_commits(s3_app, real_session):
    stored_id, key = _committed(s3_app, _storing(b"kept", "k.txt"))

    def deletes_then_fails():
        files.delete([stored_id])
        raise RuntimeError("the deletion is rolled back")

    with pytest.raises(RuntimeError):
        _committed(s3_app, deletes_then_fails)
    assert f"files/{key}" in _objects(s3_app)
    _committed(s3_app, lambda: files.delete([stored_id]))
    assert f"files/{key}" not in _objects(s3_app)


def test_the_sweep_removes_old_objects_no_file_names_and_keeps_the_rest(s3_app, real_session):
    """What a crash between a commit and an object's removal leaves: an object no row names.
    The daily sweep removes it once it is older than a day; a named one, a young one (its
    transaction may still be open) and anything outside the prefix stay."""
    named_id, named = _committed(s3_app, _storing(b"named", "named.txt"))
    client, bucket = _client(s3_app), s3_app.config["FILES_S3_BUCKET"]
    client.put_object(Bucket=bucket, Key="files/orphan", Body=b"left behind")
    client.put_object(Bucket=bucket, Key="elsewhere/other", Body=b"not ours")
    with s3_app.app_context():
        young = files.sweep_objects()  # a day ago: every object here is younger
        assert young["removed"] == 0
        later = datetime.now(UTC) + timedelta(minutes=5)
        swept = files.sweep_objects(before=later)
        db.session.remove()
    assert swept["removed"] == 1 and swept["checked"] >= 2
    assert {f"files/{named}", "elsewhere/other"} <= _objects(s3_app)
    assert "files/orphan" not in _objects(s3_app)
    with s3_app.app_context():
        assert files.read(db.session.get(StoredFile, named_id)) == b"named"
        db.session.remove()


def test_a_candidates_file_goes_up_through_one_request_and_down_through_another(
    s3_app, real_session
):
    """Through a real server: the candidate's upload lands in the bucket, and HR's download
    streams it back byte for byte with its length, type and no-store."""
    from hiring.models import Application, RoundQuestion, RoundStatus
    from tests.hiring.factories import hiring_factories

    def seed():
        make_user = make_user_factory(hash_password(PASSWORD))
        hiring = hiring_factories(make_user, competency_factories())
        hr = make_user({Role.HR})
        hiring_round = hiring.round(RoundStatus.OPEN)
        questions = db.session.scalars(
            sa.select(RoundQuestion.id).where(RoundQuestion.round_id == hiring_round.id)
        ).all()
        return hr.email, hiring_round.id, questions

    with s3_app.test_request_context():
        hr_email, round_id, questions = _committed(s3_app, seed)
    sample = ("A long work sample, line after line.\n" * 40_000).encode()  # 1.5 chunks
    before = _objects(s3_app)
    with serving(s3_app) as url:
        posted = Visitor(url).post_form(
            f"/jobs/{round_id}",
            {
                "full_name": "Sky Bucket",
                "email": "sky.bucket@example.test",
                **{f"answer_{qid}": "An answer." for qid in questions},
            },
            {"upload": ("sample.txt", sample)},
        )
        assert posted.status == 200, posted.body[:2000]
        with s3_app.app_context():
            application_id, key = db.session.execute(
                sa.select(Application.id, StoredFile.object_key)
                .join(StoredFile, StoredFile.id == Application.file_id)
                .where(Application.email == "sky.bucket@example.test")
            ).one()
            db.session.remove()
        assert _objects(s3_app) == before | {f"files/{key}"}
        fetched = (
            Visitor(url)
            .sign_in(hr_email, PASSWORD)
            .get(f"/hiring/applications/{application_id}/file")
        )
    assert fetched.status == 200
    assert fetched.body == sample
    assert fetched.header("Content-Length") == str(len(sample))
    assert fetched.header("Content-Type").split(";")[0] == "text/plain"
    assert fetched.header("Cache-Control") == "no-store"
