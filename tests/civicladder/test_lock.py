"""requirements.lock agrees with pyproject.toml, and `make` installs from it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
TOOLS = ("pip", "setuptools")  # pinned for the virtual environment itself
MAKE = shutil.which("make")


def parse_lock(text: str) -> dict[str, tuple[str, list[str]]]:
    """Each pinned package's name -> (version, hashes)."""
    logical = re.sub(r"\\\n", " ", text)
    pins = {}
    for line in logical.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, *options = line.split(" --")
        pin = Requirement(requirement.strip())
        (specifier,) = pin.specifier
        assert specifier.operator == "==", f"{line!r} is not an exact pin"
        hashes = [o.removeprefix("hash=") for o in options if o.startswith("hash=")]
        pins[canonicalize_name(pin.name)] = (specifier.version, hashes)
    return pins


def lock_problems(pyproject_text: str, lock_text: str) -> list[str]:
    """What in the lock disagrees with pyproject.toml, in words; empty when they agree."""
    project = tomllib.loads(pyproject_text)
    wanted = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["dev"],
        *project["build-system"]["requires"],
        *TOOLS,
    ]
    pins = parse_lock(lock_text)
    problems = []
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement.name} is not in the lock")
        elif not requirement.specifier.contains(pins[name][0], prereleases=True):
            problems.append(f"{requirement.name} is locked at {pins[name][0]}, outside {text}")
    problems += [f"{name} has no hash" for name, (_, hashes) in pins.items() if not hashes]
    return problems


def test_lock_pins_every_dependency_within_pyproject_with_hashes():
    assert lock_problems(PYPROJECT.read_text(), LOCK.read_text()) == []


def test_lock_pins_the_installer_and_a_current_setuptools():
    pins = parse_lock(LOCK.read_text())
    assert {"pip", "setuptools"} <= pins.keys()
    assert int(pins["setuptools"][0].split(".")[0]) >= 68


def test_a_dependency_added_to_pyproject_but_not_locked_is_caught():
    text = PYPROJECT.read_text().replace(
        "dependencies = [\n", 'dependencies = [\n    "httpx>=0.28",\n', 1
    )
    assert "httpx>=0.28" in text
    assert lock_problems(text, LOCK.read_text()) == ["httpx is not in the lock"]


def test_a_lock_pin_outside_pyproject_specifier_is_caught():
    lock = re.sub(r"(?m)^sqlalchemy==[^ ]+", "sqlalchemy==1.4.54", LOCK.read_text())
    assert lock_problems(PYPROJECT.read_text(), lock) == [
        "sqlalchemy is locked at 1.4.54, outside sqlalchemy>=2.0,<2.2"
    ]


def test_a_pin_without_hashes_is_caught():
    lock = LOCK.read_text() + "extra-thing==1.0\n"
    assert lock_problems(PYPROJECT.read_text(), lock) == ["extra-thing has no hash"]


@pytest.mark.skipif(MAKE is None, reason="needs make")
def test_changed_lock_makes_setup_install_again(tmp_path):
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    stamp = tmp_path / ".venv" / "bin" / ".installed"
    stamp.parent.mkdir(parents=True)
    stamp.touch()

    def make(flag: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 (make, on a copy of the repository's Makefile)
            [MAKE, flag, ".venv/bin/.installed"], cwd=tmp_path, capture_output=True, text=True
        )

    assert make("-q").returncode == 0  # installed after the lock was written: nothing to do
    older = (tmp_path / "requirements.lock").stat().st_mtime - 60
    os.utime(stamp, (older, older))
    os.utime(tmp_path / "pyproject.toml", (older - 60, older - 60))
    assert make("-q").returncode == 1  # only the lock is newer than the installation
    assert "pip install --quiet --require-hashes -r requirements.lock" in make("-n").stdout
