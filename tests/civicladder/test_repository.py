"""The repository's own text: no file keeps a merge's conflict markers."""

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^(<{7}|>{7})( |$)|^={7}$", re.MULTILINE)


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(  # noqa: S603 (git, listing this repository's own files)
        [shutil.which("git") or "git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    found = []
    for name in filter(None, listed):
        path = ROOT / name.decode()
        if path.suffix in {".py", ".md", ".html", ".toml", ".txt", ".cfg", ".ini", ".js", ".css"}:
            found.append(path)
    return found


def test_no_file_keeps_conflict_markers():
    files = tracked_text_files()
    assert any(path.name == "README.md" for path in files)
    marked = [
        str(path.relative_to(ROOT))
        for path in files
        if path.is_file() and MARKER.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert marked == []
