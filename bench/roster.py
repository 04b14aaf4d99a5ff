"""The roster import at the bench data's size: the whole city exported to CSV from the bench
database, then `flask people import-roster FILE --commit` into a fresh database, timed, with the
command's peak memory; then the same file again, which must change nothing (a re-import).

Targets at 300,000 employees on PostgreSQL: a first import under 2 minutes and a re-import
under 30 s, each under 500 MB of memory."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench import database
from bench.errors import BenchError
from bench.settings import REPO, Settings

_EXPORT = sa.text(
    "SELECT e.employee_number, e.first_name, e.last_name, e.email, d.path AS department_path,"
    " m.employee_number AS manager_employee_number, b.code AS bargaining_unit,"
    " j.code AS job_profile, e.hire_date, e.status"
    " FROM employee e JOIN department d ON d.id = e.department_id"
    " LEFT JOIN employee m ON m.id = e.manager_id"
    " LEFT JOIN bargaining_unit b ON b.id = e.bargaining_unit_id"
    " LEFT JOIN job_profile j ON j.id = e.job_profile_id"
    " ORDER BY e.id"
)
# The import finds bargaining units and job profiles by code and never creates them.
_REFERENCE = {
    "bargaining_unit": ("code", "name"),
    "job_profile": ("code", "title", "description"),
}


def fresh_url(settings: Settings) -> str:
    """The import's own database: the bench database's name with _roster added."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database)
        return str(url.set(database=str(path.with_name(f"{path.stem}_roster{path.suffix}"))))
    return url.set(database=f"{url.database}_roster").render_as_string(hide_password=False)


def _reference_tables() -> dict[str, sa.TableClause]:
    return {
        name: sa.table(name, *(sa.column(column) for column in columns))
        for name, columns in _REFERENCE.items()
    }


def measure(settings: Settings, say) -> dict:
    target = fresh_url(settings)
    with tempfile.TemporaryDirectory(prefix="civicladder-bench-roster-") as folder:
        csv_path = Path(folder) / "roster.csv"
        rows, reference = _export(settings.database_url, csv_path)
        say(f"roster: {rows} employees exported ({csv_path.stat().st_size:,} bytes)")
        database.prepare_schema(replace(settings, database_url=target), say)
        _load_reference(target, reference)
        seconds, peak_kib, output = _timed_import(target, csv_path)
        imported = _count_employees(target)
        if imported != rows:
            database.drop(target)
            raise BenchError(f"The roster import saved {imported} of {rows} employees:\n{output}")
        say(f"roster: {rows} employees imported in {seconds:.1f} s, peak {peak_kib / 1024:.0f} MiB")
        again_seconds, again_kib, again = _timed_import(target, csv_path)
    database.drop(target)
    unchanged = f"Imported: 0 created, 0 updated, {rows} unchanged, 0 new departments."
    if unchanged not in again:
        raise BenchError(f"Importing the same roster again changed something:\n{again}")
    say(
        f"roster: the same file again (nothing to change) in {again_seconds:.1f} s, "
        f"peak {again_kib / 1024:.0f} MiB"
    )
    return {
        "employees": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds, 1) if seconds else None,
        "peak_memory_mib": round(peak_kib / 1024, 1),
        "reimport_seconds": round(again_seconds, 2),
        "reimport_peak_memory_mib": round(again_kib / 1024, 1),
    }


def _export(url: str, csv_path: Path) -> tuple[int, dict]:
    engine = sa.create_engine(database.engine_url(url))
    try:
        with engine.connect() as connection, csv_path.open("w", newline="") as out:
            result = connection.execute(_EXPORT)
            writer = csv.writer(out)
            writer.writerow(result.keys())
            rows = 0
            for row in result:
                writer.writerow(["" if value is None else value for value in row])
                rows += 1
            reference = {
                name: [dict(r._mapping) for r in connection.execute(sa.select(table))]
                for name, table in _reference_tables().items()
            }
    finally:
        engine.dispose()
    return rows, reference


def _load_reference(url: str, reference: dict) -> None:
    engine = sa.create_engine(database.engine_url(url))
    try:
        with engine.begin() as connection:
            for name, table in _reference_tables().items():
                if reference[name]:
                    connection.execute(sa.insert(table), reference[name])
    finally:
        engine.dispose()


def _timed_import(url: str, csv_path: Path) -> tuple[float, int, str]:
    """Wall time and peak resident memory (KiB) of the import command, from wait4's rusage."""
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi", "SECRET_KEY": "bench-roster"}
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and the project's command)
            [sys.executable, "-m", "flask", "people", "import-roster", str(csv_path), "--commit"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    if process.returncode != 0:
        tail = "\n  ".join(output.strip().splitlines()[-20:])
        raise BenchError(f"The roster import failed (exit {process.returncode}):\n  {tail}")
    return seconds, usage.ru_maxrss, output


def _count_employees(url: str) -> int:
    engine = sa.create_engine(database.engine_url(url))
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.text("SELECT count(*) FROM employee"))
    finally:
        engine.dispose()
