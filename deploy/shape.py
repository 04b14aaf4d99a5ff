"""The production shape on one machine: PgBouncer (transaction pooling) in front of PostgreSQL,
two gunicorn app servers from two separate checkouts of the current commit, Redis, and one
`flask worker`. `make shape` starts it for a person to try (`python -m deploy.shape`); the
production-shape test (tests/civicladder/test_production_shape.py) starts it to check it.

Every process is started in a session of its own and stopped by its own id (SIGTERM, then
SIGKILL), and the temporary folders are removed, whatever happened in between.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import sqlalchemy as sa

from civicladder.config import new_signing_key

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "pgbouncer.ini"
HOST = "127.0.0.1"
# PgBouncer refuses to run as root; started by root, it runs as this user instead.
UNPRIVILEGED_USER = "nobody"


class ShapeError(RuntimeError):
    """A part of the shape could not be started; the message says which and why."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    if not found:
        raise ShapeError(
            "pgbouncer is not installed: `apt-get install pgbouncer` (Debian's package; "
            "bash .ci/run installs it when missing)."
        )
    return found


class Process:
    """A child process in a session of its own, its output kept in a log file."""

    def __init__(self, name: str, command: list[str], log: Path, **popen) -> None:
        self.name = name
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 (the project's own commands)
                command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **popen
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        return "\n".join("  " + line for line in text[-lines:])

    def stop(self, seconds: float = 20) -> None:
        """SIGTERM to its process group (gunicorn's and RQ's children too), then SIGKILL."""
        for sent in (signal.SIGTERM, signal.SIGKILL):
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, sent)
            try:
                self.process.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                continue
            # The leader is gone; anything left in its group goes too.
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            return
        raise ShapeError(f"{self.name} (pid {self.pid}) did not stop")


def wait_until(what: str, check, process: Process, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not process.running():
            raise ShapeError(
                f"{what} stopped at start (exit {process.process.returncode}):\n"
                + process.log_tail()
            )
        try:
            if check():
                return
        except (OSError, sa.exc.OperationalError):
            pass
        time.sleep(0.2)
    raise ShapeError(f"{what} did not answer within {seconds:.0f} s:\n" + process.log_tail())


# --- PgBouncer ------------------------------------------------------------------------------


@dataclass
class PgBouncer:
    """PgBouncer from the project's template, in front of `database_url`'s server, as an
    unprivileged process on a free loopback port. `url` is the app's DATABASE_URL through it."""

    database_url: str
    pool_size: int = 20
    port: int = field(default_factory=free_port)

    def __post_init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="civicladder-pgbouncer-"))
        self.process: Process | None = None
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        server = sa.make_url(self.database_url)
        self.server = server
        self.user = server.username or "postgres"
        password = server.password or ""
        auth_file = self.folder / "userlist.txt"
        # The password PgBouncer checks clients against and logs in to PostgreSQL with. Without
        # one (a loopback server trusting local connections) PgBouncer trusts its loopback too.
        auth_file.write_text(f'"{self.user}" "{password}"\n')
        settings = {
            "database": server.database,
            "server_host": server.host or HOST,
            "server_port": server.port or 5432,
            "server_database": server.database,
            "listen_addr": HOST,
            "listen_port": self.port,
            "logfile": self.folder / "pgbouncer.log",
            "pidfile": self.folder / "pgbouncer.pid",
            "pool_size": self.pool_size,
            "auth_type": "scram-sha-256" if password else "trust",
            "auth_file": auth_file,
        }
        self.config = self.folder / "pgbouncer.ini"
        self.config.write_text(Template(TEMPLATE.read_text()).substitute(settings))
        command = [pgbouncer_binary(), str(self.config)]
        if os.geteuid() == 0:
            account = pwd.getpwnam(UNPRIVILEGED_USER)
            for path in (self.folder, *self.folder.iterdir()):
                os.chown(path, account.pw_uid, account.pw_gid)
            command[1:1] = ["-u", UNPRIVILEGED_USER]
        for path in self.folder.iterdir():
            path.chmod(0o600)
        self.process = Process("PgBouncer", command, self.folder / "stdout.log")
        wait_until("PgBouncer", self._answers, self.process, seconds=20)

    @property
    def url(self) -> str:
        return self.server.set(host=HOST, port=self.port).render_as_string(hide_password=False)

    def _answers(self) -> bool:
        engine = sa.create_engine(
            _psycopg(self.url), poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 2}
        )
        try:
            with engine.connect() as connection:
                return connection.scalar(sa.text("SELECT 1")) == 1
        finally:
            engine.dispose()

    def stop(self) -> None:
        try:
            if self.process is not None:
                self.process.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        log = self.folder / "pgbouncer.log"
        text = log.read_text(errors="replace").splitlines() if log.exists() else []
        return "\n".join("  " + line for line in text[-lines:])


def _psycopg(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# --- checkouts, app servers and the worker --------------------------------------------------


def checkout(commit: str, into: Path) -> Path:
    """A clone of the repository at `commit` of its own (objects copied, not linked)."""
    subprocess.run(  # noqa: S603 (git on the project's own repository)
        [_git(), "clone", "--quiet", "--no-hardlinks", "--no-checkout", str(REPO), str(into)],
        check=True,
        capture_output=True,
    )
    subprocess.run(  # noqa: S603
        [_git(), "-C", str(into), "checkout", "--quiet", "--detach", commit],
        check=True,
        capture_output=True,
    )
    return into


def _git() -> str:
    found = shutil.which("git")
    if not found:
        raise ShapeError("git is needed to make the app servers' checkouts")
    return found


def current_commit() -> str:
    return subprocess.run(  # noqa: S603
        [_git(), "-C", str(REPO), "rev-parse", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def app_env(folder: Path, settings: dict[str, str]) -> dict[str, str]:
    """The environment of a process run from the checkout in `folder`: its own code first on
    the path (the virtual environment's editable install points at the original checkout)."""
    return {**os.environ, **settings, "PYTHONPATH": str(folder), "FLASK_APP": "wsgi"}


def flask(folder: Path, settings: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (this interpreter and the project's commands)
        [sys.executable, "-m", "flask", *args],
        cwd=folder,
        env=app_env(folder, settings),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise ShapeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


class AppServer:
    """gunicorn serving the checkout in `folder` with its gunicorn.conf.py, on a free port."""

    def __init__(self, name: str, folder: Path, settings: dict[str, str], workers: int) -> None:
        self.name = name
        self.folder = folder
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(folder / "gunicorn.conf.py"),
            "--bind",
            f"{HOST}:{self.port}",
            "wsgi:app",
        ]
        env = app_env(folder, settings) | {"WEB_CONCURRENCY": str(workers)}
        self.process = Process(name, command, folder.parent / f"{name}.log", cwd=folder, env=env)

    def wait(self, seconds: float = 120) -> None:
        """Until /healthz answers (a fresh checkout compiles every module first)."""
        wait_until(self.name, self._healthy, self.process, seconds)

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=5) as response:  # noqa: S310
                return response.status == 200
        except urllib.error.HTTPError:
            return False


class Worker:
    """`flask worker` from the checkout in `folder`."""

    def __init__(self, folder: Path, settings: dict[str, str], schedule: bool = True) -> None:
        command = [sys.executable, "-m", "flask", "worker"]
        if not schedule:
            command.append("--no-schedule")
        self.process = Process(
            "worker",
            command,
            folder.parent / "worker.log",
            cwd=folder,
            env=app_env(folder, settings),
        )


@dataclass
class Shape:
    pgbouncer: PgBouncer
    servers: list[AppServer]
    worker: Worker
    folder: Path
    settings: dict[str, str]
    seeded: str = ""


@contextmanager
def running(
    database_url: str,
    redis_url: str,
    *,
    settings: dict[str, str] | None = None,
    servers: int = 2,
    workers_per_server: int = 2,
    migrate: bool = False,
    seed: bool = False,
    schedule: bool = True,
) -> Iterator[Shape]:
    """The shape, while the block runs: PgBouncer in front of `database_url` (a PostgreSQL
    database that exists), `servers` app servers from checkouts of their own, and one worker,
    all with the same SECRET_KEY, DATABASE_URL through PgBouncer and `redis_url`."""
    if not database_url.startswith(("postgresql", "postgres:")):
        raise ShapeError("the production shape runs on PostgreSQL: give a postgresql:// URL")
    folder = Path(tempfile.mkdtemp(prefix="civicladder-shape-"))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, folder, True)
        pgbouncer = PgBouncer(database_url)
        stack.callback(pgbouncer.stop)
        commit = current_commit()
        checkouts = [checkout(commit, folder / f"app-{n}" / "code") for n in range(servers)]
        shared = {
            "CIVICLADDER_PRODUCTION": "1",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "CREDENTIAL_SIGNING_KEY": new_signing_key(),
            "DATABASE_URL": pgbouncer.url,
            "DATABASE_POOLER": "pgbouncer",
            "REDIS_URL": redis_url,
            # Plain http on loopback: a Secure cookie would never come back.
            "SESSION_COOKIE_SECURE": "0",
        } | (settings or {})
        if migrate:
            flask(checkouts[0], shared, "db", "upgrade")
        seeded = flask(checkouts[0], shared, "seed", "demo") if seed else ""
        started = []
        for n, code in enumerate(checkouts):  # started together, then waited for
            server = AppServer(f"app-{n}", code, shared, workers_per_server)
            stack.callback(server.process.stop)
            started.append(server)
        worker = Worker(checkouts[0], shared, schedule=schedule)
        stack.callback(worker.process.stop)
        for server in started:
            server.wait()
        if not worker.process.running():
            raise ShapeError("flask worker stopped at start:\n" + worker.process.log_tail())
        yield Shape(pgbouncer, started, worker, folder, shared, seeded)


def main() -> int:
    """`make shape`: the shape on this machine until Ctrl-C, on SHAPE_DATABASE_URL (created
    when missing, migrated and seeded with the demo) and SHAPE_REDIS_URL."""
    database_url = os.environ.get(
        "SHAPE_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/civicladder_shape"
    )
    redis_url = os.environ.get("SHAPE_REDIS_URL", "redis://127.0.0.1:6379/0")
    _create_database(database_url)
    stopping = {"now": False}

    def stop(signum, frame):
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        with running(
            database_url,
            redis_url,
            migrate=True,
            seed=True,
            settings={"JOBS_QUEUE": os.environ.get("JOBS_QUEUE", "civicladder-shape")},
        ) as shape:
            print(shape.seeded.strip())
            print(f"PgBouncer (transaction pooling) on port {shape.pgbouncer.port}, in front of")
            print(f"  {database_url}; the app's DATABASE_URL is {shape.pgbouncer.url}")
            for server in shape.servers:
                print(f"app server {server.name}: {server.url}/  (code in {server.folder})")
            print(f"worker: pid {shape.worker.process.pid}; Redis: {redis_url}")
            print(f"logs: {shape.folder}/app-*/*.log; Ctrl-C stops everything")
            while not stopping["now"]:
                for part in [*(s.process for s in shape.servers), shape.worker.process]:
                    if not part.running():
                        print(f"{part.name} stopped:\n{part.log_tail()}", file=sys.stderr)
                        return 1
                time.sleep(0.5)
            print("stopping")
    except ShapeError as error:
        print(error, file=sys.stderr)
        return 1
    print("stopped: every process of the shape has ended")
    return 0


def _create_database(url: str) -> None:
    parsed = sa.make_url(_psycopg(url))
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": parsed.database},
            )
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    finally:
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
