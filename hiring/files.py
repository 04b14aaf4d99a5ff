"""A candidate's optional file: PDF or plain text, size-limited, its type read from its content,
cleaned of what could name the candidate or run code, and kept in the shell's file store (only
the cleaned form is kept). Until the ranking locks it is handed out under the candidate code,
never the name it was uploaded with.

Before the file store, files lay in the instance folder under a random key
(`Application.file_key`); `flask files import-disk` (hiring.cli) moves them into the store.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from civicladder import files as file_store
from civicladder.errors import Invalid
from civicladder.files import StoredFile
from civicladder.languages import N_

MAX_BYTES = 2 * 1024 * 1024
PDF = "application/pdf"
TEXT = "text/plain"
_FIELD = "upload"
# A 2 MB file holds far fewer objects than this; more means a file built to wear the server out.
_MAX_OBJECTS = 200_000

_SAFETY = N_(
    "We do not accept it, for the safety of the people who open it: save or print it as an "
    "ordinary PDF and upload that."
)
# Keys and action types that make a PDF do something on its own, and what to call them.
_ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/OpenAction": N_("an action that runs when it is opened"),
    "/AA": N_("an action that runs when it is opened"),
    "/EmbeddedFiles": N_("files embedded in it"),
    "/EF": N_("files embedded in it"),
}
_ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": N_("an action that starts another program"),
    "/EmbeddedFile": N_("files embedded in it"),
}


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str


@dataclass(frozen=True)
class Cleaned:
    """An accepted file: the bytes to store (a PDF rewritten without its metadata) and its type."""

    data: bytes
    kind: str


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(ch) < 32 and ch not in "\t\n\r\f" for ch in text)


def content_type(data: bytes) -> str:
    """PDF or plain text, judged by the bytes (not the name or the browser's word for it)."""
    if len(data) > MAX_BYTES:
        raise Invalid(
            gettext("The file is larger than %(num)s MB.", num=MAX_BYTES // (1024 * 1024)),
            field=_FIELD,
        )
    if not data:
        raise Invalid(gettext("The file is empty."), field=_FIELD)
    if data.startswith(b"%PDF-"):
        return PDF
    if _is_text(data):
        return TEXT
    raise Invalid(gettext("Upload a PDF or a plain text file."), field=_FIELD)


def clean(upload: Upload) -> Cleaned:
    """The file as it will be stored, or Invalid saying why it is refused."""
    kind = content_type(upload.data)
    if kind == PDF:
        return Cleaned(clean_pdf(upload.data), PDF)
    return Cleaned(upload.data, TEXT)


def _unreadable() -> Invalid:
    return Invalid(
        gettext(
            "This PDF could not be read. Save or print it as a PDF again and upload that, "
            "or upload a plain text file."
        ),
        field=_FIELD,
    )


def clean_pdf(data: bytes) -> bytes:
    """The PDF rewritten without its document information and XMP metadata.

    Refused (Invalid) when it is protected by a password, cannot be read, or carries JavaScript,
    an action run on opening, a Launch action or embedded files.
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Invalid(
                gettext("This PDF is protected by a password. Upload a copy without one."),
                field=_FIELD,
            )
        danger = _active_content(reader.trailer)
        if danger:
            raise Invalid(
                gettext("This PDF contains %(what)s.", what=gettext(danger))
                + " "
                + gettext(_SAFETY),
                field=_FIELD,
            )
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        writer.xmp_metadata = None
        for page in writer.pages:
            page.pop(NameObject("/Metadata"), None)
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except Invalid:
        raise
    except Exception as error:  # any failure to read junk is the file's fault, not a bug
        raise _unreadable() from error
    return out.getvalue()


def _active_content(trailer: DictionaryObject) -> str | None:
    """What in the file would act on its own (JavaScript, actions, embedded files), or None.

    Walks every object reachable from the trailer, once each.
    """
    seen: set[tuple[int, int]] = set()
    stack: list = [trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            if len(seen) > _MAX_OBJECTS:
                raise _unreadable()
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key in item:
                if key in _ACTIVE_KEYS:
                    return _ACTIVE_KEYS[key]
            for key in ("/S", "/Type"):
                if item.get(key) in _ACTIVE_ACTIONS:
                    return _ACTIVE_ACTIONS[item[key]]
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


def display_name(filename: str, kind: str) -> str:
    """The uploaded file's name, made safe, with the right ending; shown once names are."""
    stem = Path(filename or "").stem
    safe = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in stem).strip()[:80]
    return f"{safe or 'file'}{_ending(kind)}"


def _ending(kind: str) -> str:
    return ".pdf" if kind == PDF else ".txt"


def blind_name(candidate_code: str, kind: str) -> str:
    """The name a file goes by while the round is blind: the candidate code and what it is."""
    return f"{candidate_code}-work-sample{_ending(kind)}"


def download_name(application, revealed: bool) -> str:
    """The name an application's file goes by: the candidate code's until names are revealed."""
    if revealed and application.file_name:
        return application.file_name
    return blind_name(application.candidate_code, application.file_type)


def store(cleaned: Cleaned, name: str) -> StoredFile:
    """Keep the cleaned file in the store, in the current transaction, under its safe name."""
    return file_store.store(cleaned.data, name=name, media_type=cleaned.kind)


# --- files from before the store, in one server's instance folder ------------------------------


def disk_folder() -> Path:
    return Path(current_app.instance_path) / "application-files"


def disk_path(key: str) -> Path:
    if not key or not all(ch in "0123456789abcdef" for ch in key):
        raise ValueError("not a file key")
    return disk_folder() / key


def delete_from_disk(key: str) -> None:
    disk_path(key).unlink(missing_ok=True)
