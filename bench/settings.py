"""The benchmark's settings, read once from BENCH_* environment variables."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.errors import BenchError
from civicladder.config import ConfigError, env_int

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/civicladder_bench"
DATA_KINDS = ("demo", "city")


@dataclass(frozen=True)
class Settings:
    database_url: str
    data: str  # "demo" (flask seed demo) or "city" (flask seed city)
    employees: int  # size of the generated city; the demo city has its own fixed size
    seed: int
    reuse: bool  # measure an already prepared database instead of rebuilding it
    requests: int  # single-user requests per page, after the warm-up
    warmup: int
    clients: tuple[int, ...]  # concurrent load-generator processes, each count in turn
    servers: int  # gunicorn app servers, each with the project's gunicorn.conf.py
    pgbouncer: bool  # the servers reach PostgreSQL through PgBouncer (transaction pooling)
    load_seconds: float  # how long the clients load each page
    load_max_requests: int  # and at most this many requests per client per page
    enforce: bool  # exit non-zero when a target is missed
    roster: bool  # also time the roster import of the whole city into a fresh database
    commands: bool  # also time the nightly commands (eligibility, the reports audit)
    results: Path | None  # where the JSON goes; None: bench/results/bench-<time>.json
    # Only the pages whose names contain one of these (the bare route always); empty: all.
    pages: tuple[str, ...] = ()

    def measures(self, name: str) -> bool:
        return not self.pages or any(part in name for part in self.pages)

    def as_dict(self) -> dict:
        values = asdict(self)
        values["results"] = str(self.results) if self.results else None
        return values


def from_env(env: os._Environ | dict | None = None) -> Settings:
    env = os.environ if env is None else env
    data = env.get("BENCH_DATA", "demo").strip() or "demo"
    if data not in DATA_KINDS:
        raise BenchError(f"BENCH_DATA={data!r} is not known: use one of {', '.join(DATA_KINDS)}.")
    results = env.get("BENCH_RESULTS", "").strip()
    return Settings(
        database_url=env.get("BENCH_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
        data=data,
        employees=_int(env, "BENCH_EMPLOYEES", 10_000, 1),
        seed=_int(env, "BENCH_SEED", 1, 0),
        reuse=_bool(env, "BENCH_REUSE", False),
        requests=_int(env, "BENCH_REQUESTS", 50, 1),
        warmup=_int(env, "BENCH_WARMUP", 5, 0),
        clients=_counts(env, "BENCH_CLIENTS", (4, 16)),
        servers=_int(env, "BENCH_SERVERS", 1, 1),
        pgbouncer=_bool(env, "BENCH_PGBOUNCER", False),
        load_seconds=_float(env, "BENCH_LOAD_SECONDS", 3.0),
        load_max_requests=_int(env, "BENCH_LOAD_MAX_REQUESTS", 2000, 1),
        enforce=_bool(env, "BENCH_ENFORCE", True),
        roster=_bool(env, "BENCH_ROSTER", True),
        commands=_bool(env, "BENCH_COMMANDS", True),
        results=Path(results) if results else None,
        pages=tuple(p.strip() for p in env.get("BENCH_PAGES", "").split(",") if p.strip()),
    )


def _bool(env, name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise BenchError(f"{name}={raw!r} is not usable: give 1 or 0.")


def _int(env, name: str, default: int, minimum: int) -> int:
    try:
        return env_int(env, name, default, minimum)
    except ConfigError as error:
        raise BenchError(str(error)) from None


def _counts(env, name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """Comma-separated counts, the first being the one the throughput target is checked at."""
    raw = env.get(name, "").strip()
    if raw == "":
        return default
    try:
        counts = tuple(int(part) for part in raw.split(","))
    except ValueError:
        counts = ()
    if not counts or any(not 0 < n <= 64 for n in counts):
        raise BenchError(f"{name}={raw!r} is not usable: give counts from 1 to 64, like 4,16.")
    return counts


def _float(env, name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    # A bounded run: a page is loaded for at most a minute.
    if not 0 < value <= 60:
        raise BenchError(f"{name}={raw!r} is not usable: give seconds between 0 and 60.")
    return value
