"""A candidate's optional file: PDF or plain text, size-limited, its type read from its content,
stored in the instance folder (outside the web root) under a random name.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from civicladder.errors import Invalid

MAX_BYTES = 2 * 1024 * 1024
PDF = "application/pdf"
TEXT = "text/plain"
_FIELD = "upload"


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(ch) < 32 and ch not in "\t\n\r\f" for ch in text)


def content_type(data: bytes) -> str:
    """PDF or plain text, judged by the bytes (not the name or the browser's word for it)."""
    if len(data) > MAX_BYTES:
        raise Invalid(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.", field=_FIELD)
    if not data:
        raise Invalid("The file is empty.", field=_FIELD)
    if data.startswith(b"%PDF-"):
        return PDF
    if _is_text(data):
        return TEXT
    raise Invalid("Upload a PDF or a plain text file.", field=_FIELD)


def display_name(filename: str, kind: str) -> str:
    """A name to show and download under: the original's letters, with the right ending."""
    stem = Path(filename or "").stem
    safe = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in stem).strip()[:80]
    return f"{safe or 'file'}{'.pdf' if kind == PDF else '.txt'}"


def _root() -> Path:
    return Path(current_app.instance_path) / "application-files"


def store(data: bytes) -> str:
    """Write the bytes under a new random key, and return the key."""
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    (root / key).write_bytes(data)
    return key


def path_for(key: str) -> Path:
    if not key or not all(ch in "0123456789abcdef" for ch in key):
        raise ValueError("not a file key")
    return _root() / key


def delete(key: str) -> None:
    path_for(key).unlink(missing_ok=True)
