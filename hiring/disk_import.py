"""Moving candidates' files from before the file store (one server's instance folder) into it.

Applications that still name a file on disk by its key (`file_key`) and have no stored file get
one, read from the disk a chunk at a time, each batch in a transaction of its own; the key stays
until `remove_moved` deletes the file from the disk. A file this server does not hold (another
server took it) is left for that server's run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from civicladder import files as file_store
from civicladder.db import claimed, db
from civicladder.transaction import unit_of_work
from hiring import files
from hiring.models import Application

Progress = Callable[[int, int, int], None]  # done, absent, total


@dataclass(frozen=True)
class Outcome:
    folder: Path
    done: int
    absent: int


def _batches(stmt: sa.Select, size: int) -> tuple[list[tuple], int]:
    with unit_of_work(write=False):  # a read of its own, so each batch begins as a writer
        rows = db.session.execute(stmt.order_by(Application.id)).all()
    return [rows[start : start + size] for start in range(0, len(rows), size)], len(rows)


def move_all(batch: int = 100, on_progress: Progress | None = None) -> Outcome:
    batches, total = _batches(
        sa.select(
            Application.id, Application.file_key, Application.file_name, Application.file_type
        ).where(Application.file_key.is_not(None), Application.file_id.is_(None)),
        batch,
    )
    done = absent = 0
    for rows in batches:
        with unit_of_work():
            for application_id, key, name, kind in rows:
                path = files.disk_path(key)
                if not path.is_file():
                    absent += 1
                    continue
                done += _move(application_id, path, name or path.name, kind or files.TEXT)
        if on_progress is not None:
            on_progress(done, absent, total)
    return Outcome(files.disk_folder(), done, absent)


def _move(application_id: int, path: Path, name: str, kind: str) -> int:
    """The file was cleaned when it was taken: it goes into the store as it is on disk."""
    with path.open("rb") as source:
        stored = file_store.store(source, name=name, media_type=kind)
    won = claimed(
        sa.update(Application)
        .where(Application.id == application_id, Application.file_id.is_(None))
        .values(file_id=stored.id, file_size=stored.size)
    )
    if not won:  # moved meanwhile by another run
        file_store.delete([stored.id])
        return 0
    return 1


def remove_moved(batch: int = 100, on_progress: Progress | None = None) -> Outcome:
    batches, total = _batches(
        sa.select(Application.id, Application.file_key).where(
            Application.file_key.is_not(None), Application.file_id.is_not(None)
        ),
        batch,
    )
    done = absent = 0
    for rows in batches:
        removed = []
        for _, key in rows:
            path = files.disk_path(key)
            if path.is_file():
                path.unlink()
                removed.append(key)
                done += 1
            else:
                absent += 1
        with unit_of_work():
            # Only keys whose file this disk held: another server may still hold the others.
            db.session.execute(
                sa.update(Application)
                .where(Application.file_key.in_(removed), Application.file_id.is_not(None))
                .values(file_key=None)
            )
        if on_progress is not None:
            on_progress(done, absent, total)
    return Outcome(files.disk_folder(), done, absent)
