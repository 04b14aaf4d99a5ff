"""`make bench` end to end at a small size: it must work, not be fast (no times are asserted).

In the PostgreSQL run of the suite (TEST_DATABASE_URL set), in a database of its own beside the
test database, named <test database>_bench_smoke (and the roster import's, ..._roster), dropped
after; the SQLite run skips it (the bench measures PostgreSQL, and it costs over a minute).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.database import engine_url
from bench.pages import ANONYMOUS, API, BARE

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench_database_url(tmp_path):
    test_url = os.environ.get("TEST_DATABASE_URL")
    if not test_url:
        yield f"sqlite:///{tmp_path / 'bench_smoke.sqlite3'}"
        return
    url = make_url(engine_url(test_url))
    smoke = url.set(database=f"{url.database}_bench_smoke")
    yield smoke.render_as_string(hide_password=False)
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        for name in (smoke.database, f"{smoke.database}_roster"):
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.dispose()


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="make bench measures PostgreSQL; its smoke run is part of the PostgreSQL suite "
    "(set TEST_DATABASE_URL), where it also runs PgBouncer and two app servers",
)
def test_bench_measures_every_page_of_the_demo_city(bench_database_url, tmp_path):
    results = tmp_path / "bench.json"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("BENCH_") and key not in {"DATABASE_URL", "SECRET_KEY"}
    }
    env.update(
        {
            "BENCH_DATABASE_URL": bench_database_url,
            "BENCH_DATA": "demo",
            "BENCH_REQUESTS": "3",
            "BENCH_WARMUP": "1",
            # Two client counts, spread over two app servers (through PgBouncer on
            # PostgreSQL): the shapes `make bench` measures, at the smallest size.
            "BENCH_CLIENTS": "1,2",
            "BENCH_SERVERS": "2",
            "BENCH_PGBOUNCER": "1" if bench_database_url.startswith("postgres") else "0",
            "BENCH_LOAD_SECONDS": "0.2",
            "BENCH_LOAD_MAX_REQUESTS": "20",
            "BENCH_ENFORCE": "0",
            "BENCH_RESULTS": str(results),
            # The demo's passwords hashed and checked at argon2's cheapest cost.
            "ARGON2_TIME_COST": "1",
            "ARGON2_MEMORY_COST": "8",
            "ARGON2_PARALLELISM": "1",
        }
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output

    record = json.loads(results.read_text())
    rows = record["pages"]
    assert {(row["page"], row["role"]) for row in rows} >= {
        (BARE, ANONYMOUS),
        *(("home", role) for role in ("admin", "hr", "manager", "employee", "union_rep")),
        ("home, in Spanish", "employee"),
        ("directory", "hr"),
        ("directory ?q=smith", "manager"),
        ("directory, one agency", "hr"),
        ("own profile", "employee"),
        ("profile in line", "manager"),
        ("audit log", "admin"),
        ("users", "admin"),
        ("framework", "hr"),
        ("job profiles", "hr"),
        ("autonomy queue", "manager"),
        ("autonomy, one person", "manager"),
        ("autonomy tracks", "hr"),
        ("outcomes and supervision", "manager"),
        ("public jobs", ANONYMOUS),
        ("jobs search", ANONYMOUS),
        ("job posting", ANONYMOUS),
        ("hiring round", "hr"),
        ("ranked list", "hr"),
        ("assessor queue", "employee"),
        ("discretion check", API),
        ("API employees, a page of 100", API),
        ("API changes feed, a page of 100", API),
        ("API published reports", API),
        ("API one published report", API),
        ("status list of certificates", ANONYMOUS),
        ("certificate credential", "employee"),
        ("level credential", "hr"),
    }
    for row in rows:
        assert row["requests"] == 3, row
        assert row["load"]["1"]["requests"] > 0 and not row["load_failures"], row
        assert row["load"]["2"]["clients"] == 2 and row["load"]["2"]["requests"] > 0, row
        assert row["ratio"] == row["ratio_at"]["1"] and row["ratio_at"]["2"] is not None, row
        # Every page reads the database (the public jobs page too); the bare route does not.
        assert (row["statements"] > 0) is (not row["page"].startswith(BARE)), row
    assert {"server 1 master", "server 2 master"} <= record["peak_memory_mib"].keys()
    assert any(name.startswith("server 2 worker") for name in record["peak_memory_mib"])
    assert "x bare@2" in output and "2 gunicorn app servers" in output
    # The whole city went through the roster import into a fresh database.
    # 60 people, the one hired through the demo's completed hiring round, and two former
    # staff (separated: the membership history's).
    assert record["roster_import"]["employees"] == record["data"]["employees"] == 63
    # The reports' disclosure audit ran for the largest unit and for every unit, and found
    # nothing to work out.
    audits = record["reports_audit"]
    assert [run["what"].split(" (")[0] for run in audits] == ["largest unit", "every unit"]
    assert all(run["summary"].endswith(": 0 fault(s).") for run in audits), audits
    # One credential was issued and verified in the app's process, timed.
    signed = record["credential"]
    assert signed["rounds"] == 3 and signed["issue_p95_ms"] > 0 and signed["verify_p95_ms"] > 0
    assert "One signed credential, in process over 3 rounds" in output
    # Eligibility was computed for everyone on a track, by the command an operator runs.
    assert int(record["eligibility"]["people"]) > 0 and record["eligibility"]["seconds"] > 0
    assert (
        "p95 ms" in done.stdout
        and "Peak memory" in done.stdout
        and "Roster import" in done.stdout
        and "Eligibility (flask autonomy eligibility)" in done.stdout
    )
