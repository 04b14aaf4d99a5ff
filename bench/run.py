"""`make bench`: prepare the data, serve it with gunicorn, measure each role's pages, report.

Settings come from BENCH_* environment variables (bench/settings.py; README "Benchmarks").
Exit status: 0 when every target is met (or BENCH_ENFORCE=0), 1 when one is missed, 2 when the
benchmark could not run.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import time
from datetime import UTC, datetime

from bench import commands, credentials, database, report, roster
from bench.client import Client
from bench.errors import BenchError
from bench.load import LoadGenerator
from bench.pages import ANONYMOUS, API, BARE, Page, pages
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
    # First, as it takes a second and stops the run when the data cannot be measured.
    signed = credentials.measure(settings, ids, say)
    load_before = os.getloadavg()
    token = database.api_token(settings)
    rows, memory, command = _serve_and_measure(settings, ids, accounts, token)
    load_after = os.getloadavg()
    eligible = commands.eligibility(settings, say) if settings.commands else None
    audited = commands.reports_audit(settings, ids, say) if settings.commands else []
    imported = roster.measure(settings, say) if settings.roster else None
    missed = (
        report.misses(rows)
        + commands.eligibility_misses(eligible)
        + commands.audit_misses(audited)
        + credentials.misses(signed)
    )
    print()
    print(report.table(rows, settings.clients, settings.servers, settings.pgbouncer))
    print(report.memory_table(memory))
    if eligible:
        print(commands.eligibility_line(eligible))
    for line in commands.audit_lines(audited):
        print(line)
    if imported:
        print(report.roster_line(imported))
    if signed:
        print(credentials.line(signed))
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
        "credential": signed,
        "misses": missed,
    }
    path = settings.results or REPO / "bench" / "results" / f"bench-{started:%Y%m%dT%H%M%SZ}.json"
    report.write_json(path, record)
    say(f"figures written to {path}")
    return _verdict(missed, settings.enforce)


def _serve_and_measure(settings: Settings, ids: dict, accounts: dict, token: str | None) -> tuple:
    """Every page under gunicorn (one app server, or several sharing the load, through
    PgBouncer when asked); the rows, each process's peak memory, the server command."""
    with contextlib.ExitStack() as stack:
        url, pooler = settings.database_url, None
        if settings.pgbouncer:
            from deploy.shape import PgBouncer

            bouncer = PgBouncer(database.engine_url(settings.database_url))
            stack.callback(bouncer.stop)
            url, pooler = bouncer.url, "pgbouncer"
            say(f"PgBouncer (transaction pooling) at port {bouncer.port}")
        secret = secrets.token_urlsafe(48)
        servers = [
            stack.enter_context(Server(url, secret, pooler)) for _ in range(settings.servers)
        ]
        for server in servers:
            say(f"gunicorn at http://{HOST}:{server.port} pids {server.pids()}")
        # One user's requests go to the first server; the load is spread over them all.
        clients = _signed_in_clients(servers[0].port, accounts)
        if token is not None:
            clients[API] = Client(
                HOST, servers[0].port, headers={"Authorization": f"Bearer {token}"}
            )
        rows = []
        ports = [server.port for server in servers]
        with LoadGenerator(HOST, ports, max(settings.clients)) as load:
            # Warm every worker and client process up before the first figure is taken.
            load.run("/healthz", {}, min(1.0, settings.load_seconds), settings.load_max_requests)
            for page in pages(ids):
                if not (page.name.startswith(BARE) or settings.measures(page.name)):
                    continue
                client = clients[page.role]
                if page.language is not None:
                    client = client.speaking(page.language)
                rows.append(_measure(page, client, load, settings))
                if client is not clients[page.role]:
                    client.close()
                _progress(rows[-1])
        memory = {}
        for number, server in enumerate(servers, start=1):  # while they run: the pids go with them
            prefix = f"server {number} " if len(servers) > 1 else ""
            memory |= {prefix + name: mib for name, mib in server.peak_memory_mib().items()}
    _add_ratios(rows, settings.clients)
    return rows, memory, servers[0].command


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
    loaded = {
        n: load.run(
            page.path,
            client.cookies,
            settings.load_seconds,
            settings.load_max_requests,
            n,
            client.headers,
        )
        for n in settings.clients
    }
    first = loaded[settings.clients[0]]
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
        "rps": first["rps"],  # at the first client count, where the target is checked
        "rps_at": {str(n): run["rps"] for n, run in loaded.items()},
        "load": {str(n): run for n, run in loaded.items()},
        "load_failures": {
            f"{n} clients: {status}": times
            for n, run in loaded.items()
            for status, times in run["failures"].items()
        },
        "ratio": None,
        "ratio_at": {},
        "ratio_target": page.ratio_target,
        "p95_target_ms": page.p95_target_ms,
        "ratio_floor": page.ratio_floor,
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


def _add_ratios(rows: list[dict], counts: tuple[int, ...]) -> None:
    """Each page's throughput as a share of the bare route's at the same client count."""
    bare = next(row for row in rows if row["page"] == BARE)
    for row in rows:
        for n in map(str, counts):
            base = bare["rps_at"][n]
            row["ratio_at"][n] = round(row["rps_at"][n] / base, 3) if base else None
        row["ratio"] = row["ratio_at"][str(counts[0])]


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
