"""`make bench`: prepare the data, serve it with gunicorn, measure each role's pages, report.

Settings come from BENCH_* environment variables (bench/settings.py; README "Benchmarks").
Exit status: 0 when every target is met (or BENCH_ENFORCE=0), 1 when one is missed, 2 when the
benchmark could not run.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime

from bench import commands, database, report, roster
from bench.client import Client
from bench.errors import BenchError
from bench.load import LoadGenerator
from bench.pages import ANONYMOUS, BARE, Page, pages
from bench.server import HOST, Server
from bench.settings import REPO, Settings, from_env

_T0 = time.monotonic()


def say(message: str) -> None:
    print(f"bench [{time.monotonic() - _T0:5.1f} s]: {message}", flush=True)


def main() -> int:
    try:
        return run(from_env())
    except BenchError as error:
        print(f"bench: cannot run: {error}", file=sys.stderr, flush=True)
        return 2


def run(settings: Settings) -> int:
    started = datetime.now(UTC)
    accounts = database.sign_ins(settings.data)  # before any work: the city may be missing
    timings = {} if settings.reuse else database.prepare(settings, say)
    ids = database.discover(settings, accounts)
    say(
        f"{settings.data} data: {ids['employees']} employees; the manager's line has "
        f"{ids['manager_line_size']}; agency filter: {ids['agency']}"
    )
    load_before = os.getloadavg()
    rows, memory, command = _serve_and_measure(settings, ids, accounts)
    load_after = os.getloadavg()
    eligible = commands.eligibility(settings, say)
    audited = commands.reports_audit(settings, ids, say)
    imported = roster.measure(settings, say) if settings.roster else None
    missed = (
        report.misses(rows) + commands.eligibility_misses(eligible) + commands.audit_misses(audited)
    )
    print()
    print(report.table(rows, settings.clients))
    print(report.memory_table(memory))
    print(commands.eligibility_line(eligible))
    for line in commands.audit_lines(audited):
        print(line)
    if imported:
        print(report.roster_line(imported))
    print(
        f"Machine: {os.cpu_count()} CPUs; load average {load_before[0]:.1f} before the "
        f"measurements, {load_after[0]:.1f} after."
    )
    record = {
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": settings.as_dict(),
        "data": {**ids, **timings, "sign_ins": sorted(accounts)},
        "machine": {"cpus": os.cpu_count(), "load_before": load_before, "load_after": load_after},
        "server": {"command": command[1:], "config_file": (REPO / "gunicorn.conf.py").exists()},
        "targets": {"p95_ms_below": report.P95_TARGET_MS, "ratio_at_least": report.RATIO_TARGET},
        "pages": rows,
        "peak_memory_mib": memory,
        "eligibility": eligible,
        "reports_audit": audited,
        "roster_import": imported,
        "misses": missed,
    }
    path = settings.results or REPO / "bench" / "results" / f"bench-{started:%Y%m%dT%H%M%SZ}.json"
    report.write_json(path, record)
    say(f"figures written to {path}")
    return _verdict(missed, settings.enforce)


def _serve_and_measure(settings: Settings, ids: dict, accounts: dict) -> tuple:
    """Every page under gunicorn; the rows, each process's peak memory, the server command."""
    with Server(settings.database_url) as server:
        say(f"gunicorn at http://{HOST}:{server.port} pids {server.pids()}")
        clients = _signed_in_clients(server.port, accounts)
        rows = []
        with LoadGenerator(HOST, server.port, settings.clients) as load:
            # Warm every worker and client process up before the first figure is taken.
            load.run("/healthz", {}, min(1.0, settings.load_seconds), settings.load_max_requests)
            for page in pages(ids):
                rows.append(_measure(page, clients[page.role], load, settings))
                _progress(rows[-1])
        memory = server.peak_memory_mib()  # while it runs: the pids go with it
    _add_ratios(rows)
    return rows, memory, server.command


def _signed_in_clients(port: int, accounts: dict[str, tuple[str, str]]) -> dict[str, Client]:
    clients = {ANONYMOUS: Client(HOST, port)}
    for role, (email, password) in accounts.items():
        client = Client(HOST, port)
        client.sign_in(email, password)
        clients[role] = client
    return clients


def _measure(page: Page, client: Client, load: LoadGenerator, settings: Settings) -> dict:
    for _ in range(settings.warmup):
        _checked(page, client)
    times, statements = [], set()
    for _ in range(settings.requests):
        response = _checked(page, client)
        times.append(response.seconds * 1000)
        statements.add(response.headers.get("X-SQL-Statements"))
    counts = sorted(int(value) for value in statements if value is not None)
    loaded = load.run(page.path, client.cookies, settings.load_seconds, settings.load_max_requests)
    return {
        "page": page.name,
        "role": page.role,
        "path": page.path,
        "requests": len(times),
        "p50_ms": round(report.percentile(times, 0.50), 1),
        "p95_ms": round(report.percentile(times, 0.95), 1),
        "p99_ms": round(report.percentile(times, 0.99), 1),
        "statements": counts[-1] if counts else None,
        # A page whose count changes between identical requests is worth a look.
        "statements_seen": counts,
        "rps": loaded["rps"],
        "load": loaded,
        "load_failures": loaded["failures"],
        "ratio": None,
        "ratio_target": page.ratio_target,
    }


def _checked(page: Page, client: Client):
    response = client.get(page.path)
    if response.status != 200:
        raise BenchError(
            f"{page.path} as {page.role} answered {response.status}, not 200: the page, its "
            "ids or the sign-in is wrong for this data."
        )
    return response


def _progress(row: dict) -> None:
    say(
        f"{row['page']:<22} {row['role']:<10} p95 {row['p95_ms']:7.1f} ms  "
        f"{row['rps']:7.1f} req/s  SQL {row['statements']}"
    )


def _add_ratios(rows: list[dict]) -> None:
    bare = next(row for row in rows if row["page"] == BARE)["rps"]
    for row in rows:
        row["ratio"] = round(row["rps"] / bare, 3) if bare else None


def _verdict(missed: list[str], enforce: bool) -> int:
    if not missed:
        print("\nEvery target met.")
        return 0
    print(f"\n{len(missed)} target(s) missed:")
    for line in missed:
        print(f"  - {line}")
    if not enforce:
        print("BENCH_ENFORCE=0: reported, not failed.")
        return 0
    return 1
