"""The app under gunicorn with production settings, on a free loopback port, and its memory."""

from __future__ import annotations

import functools
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.client import Client
from bench.errors import BenchError
from bench.settings import REPO

HOST = "127.0.0.1"
CONFIG_FILE = REPO / "gunicorn.conf.py"
# Without the project's gunicorn.conf.py: sync workers (the lowest tail latency for these
# CPU-bound pages, measured on these 2-core machines), one per core.
DEFAULT_FLAGS = ["--workers", "2", "--worker-class", "sync"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def server_env(
    database_url: str, secret_key: str | None = None, pooler: str | None = None
) -> dict[str, str]:
    """Production settings for the run, with three explicit choices for a loopback benchmark.
    Servers of one run share `secret_key`, so a sign-in on one is honoured by the others."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CIVICLADDER_PRODUCTION": "1",
        "SECRET_KEY": secret_key or secrets.token_urlsafe(48),
        # The servers of one run sign credentials with one key.
        "CREDENTIAL_SIGNING_KEY": os.environ.get("CREDENTIAL_SIGNING_KEY") or _signing_key(),
        # One address makes every request of the run; the sign-in limits are not measured here.
        "RATELIMIT_ENABLED": "0",
        # Plain http on loopback: Secure cookies would never come back from a real client.
        "SESSION_COOKIE_SECURE": "0",
        "SQL_STATEMENT_HEADER": "1",
    }
    if pooler:
        env["DATABASE_POOLER"] = pooler
    return env


@functools.cache
def _signing_key() -> str:
    from civicladder.config import new_signing_key

    return new_signing_key()


class Server:
    """gunicorn serving wsgi:app; use as a context manager so it always stops."""

    def __init__(
        self, database_url: str, secret_key: str | None = None, pooler: str | None = None
    ) -> None:
        self.port = free_port()
        bind = ["--bind", f"{HOST}:{self.port}"]
        if CONFIG_FILE.exists():
            # Command-line flags win over the file: only the address is the benchmark's.
            flags = ["--config", str(CONFIG_FILE), *bind]
        else:
            flags = [*DEFAULT_FLAGS, *bind]
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept open while it runs)
            "w+", prefix="civicladder-bench-gunicorn-", suffix=".log"
        )
        self.command = [sys.executable, "-m", "gunicorn", *flags, "wsgi:app"]
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and gunicorn)
            self.command,
            cwd=REPO,
            env=server_env(database_url, secret_key, pooler),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_up()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _wait_until_up(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"gunicorn stopped at start (exit {self.process.returncode}):\n"
                    + self.log_tail()
                )
            try:
                client = Client(HOST, self.port)
                status = client.get("/healthz").status
                client.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise BenchError(
            f"gunicorn did not answer /healthz within {seconds:.0f} s:\n" + self.log_tail()
        )

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace").splitlines()
        return "\n".join("  " + line for line in text[-lines:])

    def pids(self) -> dict[str, int]:
        """The master's pid and its workers'."""
        master = self.process.pid
        found = {"master": master}
        for number, pid in enumerate(sorted(_children(master)), start=1):
            found[f"worker {number}"] = pid
        return found

    def peak_memory_mib(self) -> dict[str, float]:
        """VmHWM (the resident set's high-water mark) of the master and each worker, in MiB."""
        peaks = {}
        for name, pid in self.pids().items():
            kib = _status_field(pid, "VmHWM")
            if kib is not None:
                peaks[name] = round(kib / 1024, 1)
        return peaks

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    if path.exists():
        return [int(child) for child in path.read_text().split()]
    children = []  # kernels without the children file: scan every process's parent
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _status_field(pid: int, field: str) -> int | None:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None
