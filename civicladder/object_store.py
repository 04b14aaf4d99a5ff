"""The file store's content in an S3-compatible bucket (FILES_S3_BUCKET set), through boto3.

One client per app server process, made when first needed (after gunicorn has forked its
workers). Objects go up as they are read, in parts for a large file, and come down a chunk at
a time; their names are random, under FILES_S3_PREFIX. The metadata stays in the database
(civicladder.files.StoredFile.object_key).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask import Flask

_EXTENSION = "civicladder.bucket"
# Parts of a multipart upload; S3 wants at least 5 MiB for all but the last.
PART = 8 * 1024 * 1024
# How much of an object a download reads at a time (the database store's chunk size too).
READ_CHUNK = 1024 * 1024


class _Reader:
    """A file object reading from an iterator of byte strings, for boto3's upload."""

    def __init__(self, pieces: Iterable[bytes]):
        self._pieces = iter(pieces)
        self._left = b""

    def read(self, size: int = -1) -> bytes:
        out = [self._left]
        have = len(self._left)
        while size < 0 or have < size:
            piece = next(self._pieces, None)
            if piece is None:
                break
            out.append(piece)
            have += len(piece)
        data = b"".join(out)
        if size < 0:
            self._left = b""
            return data
        self._left = data[size:]
        return data[:size]


class Bucket:
    def __init__(self, client, name: str, prefix: str, chunk: int):
        self.client = client
        self.name = name
        self.prefix = prefix
        self.chunk = chunk

    def put(self, key: str, pieces: Iterable[bytes], media_type: str) -> None:
        from boto3.s3.transfer import TransferConfig

        # One thread, so the pieces are read (and counted) in order.
        transfer = TransferConfig(
            use_threads=False, multipart_threshold=PART, multipart_chunksize=PART
        )
        self.client.upload_fileobj(
            _Reader(pieces),
            self.name,
            self.prefix + key,
            ExtraArgs={"ContentType": media_type},
            Config=transfer,
        )

    def get(self, key: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.name, Key=self.prefix + key)["Body"]
        try:
            yield from body.iter_chunks(self.chunk)
        finally:
            body.close()

    def remove(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):  # S3 takes at most 1,000 a request
            batch = keys[start : start + 1000]
            self.client.delete_objects(
                Bucket=self.name,
                Delete={"Objects": [{"Key": self.prefix + key} for key in batch], "Quiet": True},
            )

    def listed(self, before) -> Iterator[list[str]]:
        """The keys (without the prefix) of objects last written before `before`, a page of at
        most 1,000 at a time, as S3 lists them."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=self.prefix
        )
        for page in pages:
            keys = [
                item["Key"][len(self.prefix) :]
                for item in page.get("Contents", [])
                if item["LastModified"] < before
            ]
            if keys:
                yield keys

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.name, Key=self.prefix + key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


def for_app(app: Flask) -> Bucket:
    """The app's bucket, its client made on first use."""
    bucket = app.extensions.get(_EXTENSION)
    if bucket is None:
        bucket = app.extensions[_EXTENSION] = _connect(app.config)
    return bucket


def _connect(config) -> Bucket:
    import boto3
    from botocore.config import Config

    client = boto3.session.Session().client(
        "s3",
        endpoint_url=config.get("FILES_S3_ENDPOINT_URL"),
        region_name=config.get("FILES_S3_REGION"),
        aws_access_key_id=config.get("FILES_S3_ACCESS_KEY_ID"),
        aws_secret_access_key=config.get("FILES_S3_SECRET_ACCESS_KEY"),
        config=Config(
            # Checksums only where S3 requires them: what S3-compatible stores all accept.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"max_attempts": 5, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
            s3={"addressing_style": config.get("FILES_S3_ADDRESSING_STYLE") or "auto"},
        ),
    )
    return Bucket(
        client, config["FILES_S3_BUCKET"], config.get("FILES_S3_PREFIX") or "", READ_CHUNK
    )
