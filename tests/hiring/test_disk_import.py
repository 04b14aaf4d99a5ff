"""`flask files import-disk`: candidates' files from before the file store move into it from
the instance folder, once, and leave the disk only when told."""

from __future__ import annotations

import secrets
from pathlib import Path

from civicladder import files as file_store
from civicladder.access import Role
from civicladder.db import db
from hiring import files
from hiring.models import RoundStatus

OLD_FILE = b"%PDF-1.4 a file taken before the store\n"


def _run(app, *args) -> str:
    result = app.test_cli_runner().invoke(args=["files", "import-disk", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _on_disk(app, content: bytes) -> Path:
    folder = Path(app.instance_path) / "application-files"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / secrets.token_hex(16)
    path.write_bytes(content)
    return path


def test_files_on_disk_move_into_the_store_once_and_leave_the_disk_only_when_told(
    app, client_as, hiring, make_user
):
    hiring_round = hiring.round(RoundStatus.OPEN)
    path = _on_disk(app, OLD_FILE)
    moved = hiring.application(
        hiring_round,
        file_key=path.name,
        file_name="cv.pdf",
        file_type=files.PDF,
        file_size=len(OLD_FILE),
    )
    elsewhere = hiring.application(  # taken by another server: not on this disk
        hiring_round, file_key=secrets.token_hex(16), file_name="x.pdf", file_type=files.PDF
    )

    output = _run(app)
    assert "Moved 1 of 2 (1 not on this disk)" in output
    assert "Done: 1 file(s) moved into the store" in output
    db.session.refresh(moved)
    with app.app_context():
        assert file_store.read(moved.file) == OLD_FILE
    assert (moved.file.name, moved.file.media_type) == ("cv.pdf", files.PDF)
    assert path.read_bytes() == OLD_FILE  # still on disk
    download = client_as(make_user({Role.HR})).get(f"/hiring/applications/{moved.id}/file")
    assert download.data == OLD_FILE
    download.close()

    assert "Moved 0 of 1 (1 not on this disk)" in _run(app)  # again: nothing moved twice
    db.session.refresh(moved)
    assert moved.file_key == path.name

    output = _run(app, "--remove")
    assert "Done: 1 file(s) removed" in output
    db.session.refresh(moved)
    db.session.refresh(elsewhere)
    assert not path.exists() and moved.file_key is None and moved.file is not None
    assert elsewhere.file_id is None and elsewhere.file_key is not None
