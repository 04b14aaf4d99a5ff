"""The API's bulk upsert of employees at a city's size, against PostgreSQL, beside the roster
import of the same rows: `python -m bench.api_batch` (not part of `make bench`).

A fresh database (BENCH_API_DATABASE_URL, default `civicladder_api_bench` on the local
PostgreSQL; it is wiped, so its name must contain "bench"), its schema by the migrations, ten
bargaining units and twenty job profiles. Then BENCH_API_EMPLOYEES employees (100,000 by
default; deterministic: 300 departments, a reporting line of managers, most with a unit and a
profile) go as ONE batch to `POST /api/v1/employees`, through the app in this process (no
network; no Redis, so the job runs once the request commits and the answer comes after it):
first every one new, then the same batch again (nothing changes), then with a tenth of them
changed. Each is timed whole, and the job's own part from its run's start and end; then a
batch of 1,000 (the default threshold: written within the request), a tenth changed. Then the
same rows as a CSV file through `flask people import-roster --commit` into the database made
fresh again, twice (new, then unchanged), for comparison (BENCH_API_CSV=0 skips that).
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from bench import database
from bench.settings import REPO, from_env

URL = "postgresql://postgres@127.0.0.1:5432/civicladder_api_bench"
COLUMNS = (
    "employee_number",
    "first_name",
    "last_name",
    "email",
    "department_path",
    "manager_employee_number",
    "bargaining_unit",
    "job_profile",
    "hire_date",
)


def rows(count: int, changed_every: int = 0) -> list[dict]:
    """The batch: employee i reports to employee i // 20 (employee 0 to nobody)."""
    found = []
    for i in range(count):
        surname = f"Doe{i % 997}" + ("x" if changed_every and i % changed_every == 0 else "")
        found.append(
            {
                "employee_number": f"E{i:07d}",
                "first_name": f"Name{i % 1009}",
                "last_name": surname,
                "email": f"e{i:07d}@city.example.gov",
                "department_path": f"Agency {i % 3} > Division {i % 10} > Unit {i % 100}",
                "manager_employee_number": f"E{i // 20:07d}" if i else None,
                "bargaining_unit": f"BU{i % 10}" if i % 7 else None,
                "job_profile": f"JP{i % 20}" if i % 5 else None,
                "hire_date": f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            }
        )
    return found


def fresh(url: str, say) -> None:
    """An empty schema, and the units and profiles the rows name."""
    settings = replace(from_env({}), database_url=url)
    database.prepare_schema(settings, say)
    engine = sa.create_engine(database.engine_url(url))
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO bargaining_unit (code, name) VALUES (:code, :name)"),
                [{"code": f"BU{n}", "name": f"Local {n}"} for n in range(10)],
            )
            connection.execute(
                sa.text(
                    "INSERT INTO job_profile (code, title, description) VALUES (:code, :title, '')"
                ),
                [{"code": f"JP{n}", "title": f"Profile {n}"} for n in range(20)],
            )
    finally:
        engine.dispose()


def through_the_api(url: str, count: int, say) -> list[dict]:
    from api import tokens
    from civicladder.app import create_app
    from civicladder.db import db
    from civicladder.models import JobRun
    from civicladder.transaction import unit_of_work

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database.engine_url(url),
            "SECRET_KEY": "bench-api-batch",
            "RATELIMIT_ENABLED": False,
            "REDIS_URL": None,
        }
    )
    with app.app_context(), unit_of_work():
        client = tokens.register_client(
            None, name="Bench HRIS", contact="bench@city.gov", scopes=["roster:write"]
        )
        secret = tokens.issue_token(None, client, label="bench", scopes=["roster:write"]).secret
    web = app.test_client()
    figures = []
    for step, changed_every in (("new", 0), ("again, unchanged", 0), ("a tenth changed", 10)):
        body = json.dumps({"employees": rows(count, changed_every)}).encode()
        headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": f"bench-{step}"}
        started = time.perf_counter()
        answer = web.post(
            "/api/v1/employees", data=body, content_type="application/json", headers=headers
        )
        seconds = time.perf_counter() - started
        if answer.status_code != 202:
            raise SystemExit(f"{step}: {answer.status_code} {answer.get_data(as_text=True)[:2000]}")
        status = web.get(answer.headers["Location"], headers=headers).json
        with app.app_context():
            run = db.session.get(JobRun, status["id"])
            job_seconds = (run.ended_at - run.started_at).total_seconds()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        say(
            f"API, {step}: {count:,} rows ({len(body) / 1e6:.1f} MB of JSON) in {seconds:.1f} s"
            f" ({count / seconds:,.0f} rows/s), of which the job {job_seconds:.1f} s; "
            f"{status['status']}: {status['summary'] or status['problems'][:3]}; "
            f"peak memory so far {peak:.0f} MiB"
        )
        figures.append(
            {
                "step": step,
                "seconds": round(seconds, 2),
                "job_seconds": round(job_seconds, 2),
                "summary": status["summary"],
            }
        )
    figures.append(_small_batch(web, secret, count, say))
    with app.app_context():
        db.engine.dispose()
    return figures


def _small_batch(web, secret: str, count: int, say) -> dict:
    """A batch at the threshold (written within the request) into the workforce now there, a
    tenth of it changed: what a system sending its day's changes waits for."""
    size = min(1000, count)
    batch = [
        row | {"last_name": row["last_name"] + "y"} if i % 10 == 0 else row
        for i, row in enumerate(rows(count, 10)[:size])
    ]
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "bench-small"}
    started = time.perf_counter()
    answer = web.post("/api/v1/employees", json={"employees": batch}, headers=headers)
    seconds = time.perf_counter() - started
    say(
        f"API, {size:,} rows within the request: {answer.status_code} in {seconds:.2f} s: "
        f"{answer.json}"
    )
    return {
        "step": f"{size} rows in the request",
        "seconds": round(seconds, 2),
        "summary": answer.json,
    }


def through_the_csv_import(url: str, count: int, say) -> list[dict]:
    figures = []
    with tempfile.TemporaryDirectory(prefix="civicladder-api-bench-") as folder:
        path = Path(folder) / "roster.csv"
        with path.open("w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows({k: v or "" for k, v in row.items()} for row in rows(count))
        env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi", "SECRET_KEY": "bench"}
        for step in ("new", "again, unchanged"):
            started = time.perf_counter()
            done = subprocess.run(  # noqa: S603 (our own interpreter and the project's command)
                [sys.executable, "-m", "flask", "people", "import-roster", str(path), "--commit"],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = time.perf_counter() - started
            last = (done.stdout + done.stderr).strip().splitlines()[-1:]
            say(
                f"CSV import, {step}: {count:,} rows in {seconds:.1f} s "
                f"({count / seconds:,.0f} rows/s): {last}"
            )
            figures.append({"step": step, "seconds": round(seconds, 2)})
    return figures


def main() -> int:
    url = os.environ.get("BENCH_API_DATABASE_URL", URL)
    count = int(os.environ.get("BENCH_API_EMPLOYEES", "100000"))

    def say(text: str) -> None:
        print(text, flush=True)

    fresh(url, say)
    results = {"employees": count, "api": through_the_api(url, count, say)}
    if os.environ.get("BENCH_API_CSV", "1") != "0":
        fresh(url, say)
        results["csv_import"] = through_the_csv_import(url, count, say)
    database.drop(url)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
