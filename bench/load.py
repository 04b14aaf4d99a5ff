"""The load generator: client processes loading one page at once, bounded in time and count.

The processes start once per run ("spawn": fresh interpreters that share nothing with the
harness) and take one job per page; each opens its own kept-alive connection with the role's
cookies and requests the page until the time is up or it has made its share of requests.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter

from bench.client import Client
from bench.errors import BenchError

_READY = "ready"


def _client_process(host: str, port: int, jobs, results) -> None:
    results.put(_READY)
    while (job := jobs.get()) is not None:
        path, cookies, headers, start_at, seconds, max_requests = job
        client = Client(host, port, cookies, headers)
        ok, statuses = 0, Counter()
        time.sleep(max(0.0, start_at - time.time()))
        started = time.time()
        deadline = started + seconds
        while ok + sum(statuses.values()) < max_requests and time.time() < deadline:
            try:
                status = client.get(path).status
            except OSError as error:
                status = type(error).__name__
            if status == 200:
                ok += 1
            else:
                statuses[str(status)] += 1
        finished = time.time()
        client.close()
        results.put((ok, dict(statuses), started, finished))


class LoadGenerator:
    """`clients` processes on loopback, process i loading the server at ports[i % len(ports)]
    (several app servers share the load as a balancer would spread it); use as a context
    manager so they always stop."""

    def __init__(self, host: str, ports: list[int], clients: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.results = context.Queue()
        self.jobs = [context.Queue() for _ in range(clients)]
        self.processes = [
            context.Process(
                target=_client_process,
                args=(host, ports[number % len(ports)], jobs, self.results),
                daemon=True,
            )
            for number, jobs in enumerate(self.jobs)
        ]
        for process in self.processes:
            process.start()
        for _ in self.processes:
            if self.results.get(timeout=60) != _READY:
                raise BenchError("A load-generator process did not start.")

    def __enter__(self) -> LoadGenerator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for jobs in self.jobs:
            jobs.put(None)
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)

    def run(
        self,
        path: str,
        cookies: dict[str, str],
        seconds: float,
        max_requests: int,
        clients: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict:
        """Load one page with `clients` (all by default) at once, each with these cookies and
        headers; requests per second over the whole run."""
        start_at = time.time() + 0.05
        taking = self.jobs[: clients or len(self.jobs)]
        for jobs in taking:
            jobs.put((path, cookies, headers or {}, start_at, seconds, max_requests))
        rows = [self.results.get(timeout=seconds + 120) for _ in taking]
        ok = sum(row[0] for row in rows)
        failures: Counter = Counter()
        for row in rows:
            failures.update(row[1])
        elapsed = max(row[3] for row in rows) - min(row[2] for row in rows)
        return {
            "clients": len(rows),
            "requests": ok,
            "failures": dict(failures),
            "seconds": round(elapsed, 3),
            "rps": round(ok / elapsed, 1) if elapsed > 0 else 0.0,
        }
