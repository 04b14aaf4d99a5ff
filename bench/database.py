"""The bench database: made fresh (schema by the migrations, then the demo or a generated city),
the sign-in of each role, and the ids the measured pages need, found by SQL."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.errors import BenchError
from bench.settings import REPO, Settings

ROLES = ("admin", "hr", "manager", "employee", "union_rep")
# Preparing wipes the database, so only one named for benchmarks is ever prepared.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]+")


def sign_ins(data: str) -> dict[str, tuple[str, str]]:
    """Email and password of one account per role, from the demo city or the generated city."""
    if data == "demo":
        from people.seed.demo import DEMO_ACCOUNTS, EMAIL_DOMAIN

        accounts = {
            label: (f"{name}@{EMAIL_DOMAIN}", password)
            for label, name, password, *_ in DEMO_ACCOUNTS
        }
    else:
        try:
            from people.seed.city import CITY_SIGN_INS  # the generator may not be installed yet
        except ImportError as error:
            raise BenchError(
                "BENCH_DATA=city needs the city generator (`flask seed city` and "
                f"people.seed.city.CITY_SIGN_INS), which this checkout does not have ({error}). "
                "Use BENCH_DATA=demo, or run on a branch that has the generator."
            ) from error
        accounts = dict(CITY_SIGN_INS)
    missing = [role for role in ROLES if role not in accounts]
    if missing:
        raise BenchError(f"The {data} city has no sign-in for: {', '.join(missing)}.")
    return {role: accounts[role] for role in ROLES}


def engine_url(url: str) -> str:
    """The URL as SQLAlchemy should open it: PostgreSQL through psycopg 3, as the app does."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def prepare(settings: Settings, say) -> dict:
    """Wipe the bench database, build the schema with `flask db upgrade`, load the data.

    Returns how long each step took, in seconds.
    """
    timings = {"upgrade_s": prepare_schema(settings, say)}
    if settings.data == "demo":
        timings["seed_s"] = _flask(settings, "seed", "demo")
    else:
        employees, seed = str(settings.employees), str(settings.seed)
        timings["seed_s"] = _flask(
            settings, "seed", "city", "--employees", employees, "--seed", seed
        )
    say(
        f"schema in {timings['upgrade_s']:.1f} s, {settings.data} data in {timings['seed_s']:.1f} s"
    )
    return timings


def prepare_schema(settings: Settings, say) -> float:
    """Wipe the database and build an empty schema; the seconds `flask db upgrade` took."""
    url = _bench_url(settings.database_url)
    say(f"preparing {url.render_as_string(hide_password=True)} (wiped and rebuilt)")
    if url.get_backend_name() == "sqlite":
        _remove_sqlite(url)
    else:
        try:
            _fresh_postgres(url)
        except sa.exc.OperationalError as error:
            raise BenchError(f"Cannot prepare the bench database: {error.orig}") from error
    return _flask(settings, "db", "upgrade")


def drop(database_url: str) -> None:
    """Remove a database this benchmark made for itself."""
    url = _bench_url(database_url)
    if url.get_backend_name() == "sqlite":
        _remove_sqlite(url)
        return
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    finally:
        server.dispose()


def _bench_url(database_url: str):
    """The URL, once it is sure to name a database kept for benchmarks (preparing wipes it)."""
    url = make_url(engine_url(database_url))
    sqlite = url.get_backend_name() == "sqlite"
    name = Path(url.database or "").name if sqlite else (url.database or "")
    if "bench" not in name.lower() or not (sqlite or _PLAIN_NAME.fullmatch(name)):
        raise BenchError(
            f"BENCH_DATABASE_URL names the database {name!r}. Preparing wipes it, so the "
            "benchmark only prepares a database whose name contains 'bench' (and, on "
            "PostgreSQL, only letters, digits and _); choose one, or set BENCH_REUSE=1 to "
            "measure a database as it is."
        )
    return url


def _remove_sqlite(url) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(url.database) + suffix).unlink(missing_ok=True)


def _fresh_postgres(url) -> None:
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    finally:
        server.dispose()
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


def _flask(settings: Settings, *args: str) -> float:
    return _flask_run(settings, *args)[0]


# What the API pages read (bench.pages): the token is issued with these scopes.
API_SCOPES = ("discretion:check", "roster:read", "events:read", "evidence:read", "reports:read")


def api_token(settings: Settings) -> str:
    """A token for the API pages, issued by the app's own command (a day's validity)."""
    _, out = _flask_run(
        settings,
        "api",
        "issue-token",
        "--client",
        "Benchmark",
        "--contact",
        "bench@city.gov",
        *(f"--scope={scope}" for scope in API_SCOPES),
        "--label",
        "make bench",
        "--days",
        "1",
    )
    return out.strip().splitlines()[-1]


def _flask_run(settings: Settings, *args: str) -> tuple[float, str]:
    """Run a flask command on the bench database: its time and what it printed."""
    env = {**os.environ, "DATABASE_URL": settings.database_url, "FLASK_APP": "wsgi"}
    # A key for the command only, so it does not leave one in the instance folder.
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own interpreter and the project's own commands)
        [sys.executable, "-m", "flask", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip().splitlines()
        raise BenchError(
            f"`flask {' '.join(args)}` failed (exit {done.returncode}):\n  "
            + "\n  ".join(output[-25:])
        )
    return time.perf_counter() - started, done.stdout


def discover(settings: Settings, accounts: dict[str, tuple[str, str]]) -> dict:
    """The ids the pages need, read from the bench database (nothing is hard-coded)."""
    engine = sa.create_engine(engine_url(settings.database_url))
    try:
        with engine.connect() as connection:
            return _discover(connection, accounts)
    except sa.exc.DBAPIError as error:
        raise BenchError(
            f"Cannot read the bench database (with BENCH_REUSE=1 it must be prepared already): "
            f"{str(error.orig).strip()}"
        ) from error
    finally:
        engine.dispose()


_EMPLOYEE_OF_USER = sa.text(
    "SELECT e.id FROM employee e JOIN user_account u ON u.id = e.user_id "
    "WHERE lower(u.email) = lower(:email)"
)
_LINE_SIZE = sa.text(
    "WITH RECURSIVE line(id) AS ("
    " SELECT id FROM employee WHERE manager_id = :manager"
    " UNION SELECT e.id FROM employee e JOIN line ON e.manager_id = line.id"
    ") SELECT count(*) FROM line"
)


_ASSESSING_ROUND_OF = sa.text(
    "SELECT min(p.round_id) FROM panel_member p JOIN hiring_round r ON r.id = p.round_id "
    "JOIN user_account u ON u.id = p.user_id "
    "WHERE lower(u.email) = lower(:email) AND r.status = 'assessing'"
)


def _hiring_ids(connection, accounts: dict[str, tuple[str, str]]) -> dict:
    """A ranked (or completed) round for HR's pages, and a round the employee sign-in assesses
    for their queue."""
    ranked = connection.scalar(
        sa.text("SELECT min(id) FROM hiring_round WHERE status IN ('ranked', 'completed')")
    )
    assessing = connection.scalar(_ASSESSING_ROUND_OF, {"email": accounts["employee"][0]})
    if ranked is None or assessing is None:
        raise BenchError("The bench database has no ranked round or no round for the assessor.")
    # An open posting (the demo's and the city's first open round), its agency, and a word of
    # its title: the jobs page searched and filtered as a candidate would.
    posting = connection.execute(
        sa.text(
            "SELECT id, agency_id, title FROM hiring_round WHERE status = 'open' "
            "AND closes_on > CURRENT_DATE ORDER BY id LIMIT 1"
        )
    ).first()
    if posting is None:
        raise BenchError("The bench database has no open hiring round (a public posting).")
    # The eligible list still making offers that holds the most candidates (a completed round's;
    # a city without one leaves its page out).
    eligible_list = connection.scalar(
        sa.text(
            "SELECT l.id FROM eligible_list l JOIN eligible_list_entry e ON e.list_id = l.id "
            "WHERE l.expires_on >= CURRENT_DATE GROUP BY l.id ORDER BY count(*) DESC, l.id "
            "LIMIT 1"
        )
    )
    return {
        "eligible_list_id": eligible_list,
        "ranked_round_id": ranked,
        "assessing_round_id": assessing,
        "open_round_id": posting.id,
        "open_round_agency_id": posting.agency_id,
        "open_round_word": posting.title.split()[0].lower(),
    }


def _report_ids(connection) -> dict:
    """The largest bargaining unit (its live report), and a published report when there is one
    (the demo publishes its units' last two quarters; a generated city publishes none)."""
    unit = connection.scalar(
        sa.text(
            "SELECT bargaining_unit_id FROM employee WHERE bargaining_unit_id IS NOT NULL "
            "GROUP BY bargaining_unit_id ORDER BY count(*) DESC, bargaining_unit_id LIMIT 1"
        )
    )
    snapshot = connection.scalar(
        sa.text("SELECT max(id) FROM report_snapshot WHERE bargaining_unit_id = :u"), {"u": unit}
    )
    code = connection.scalar(sa.text("SELECT code FROM bargaining_unit WHERE id = :u"), {"u": unit})
    return {"largest_unit_id": unit, "largest_unit_code": code, "report_snapshot_id": snapshot}


_HELD_ITEM = sa.text(
    "SELECT e.employee_number, i.key, i.limit_amount FROM autonomy_grant g "
    "JOIN employee e ON e.id = g.employee_id JOIN discretion_item i ON i.level_id = g.level_id "
    "WHERE g.status = 'active' AND e.status = 'active' "
    "ORDER BY i.limit_amount IS NULL, g.id LIMIT 1"
)


def _discretion_ids(connection) -> dict:
    """Someone holding a level, an item of it (one with a limit first) and an amount within
    the limit: the discretion check the API pages ask."""
    row = connection.execute(_HELD_ITEM).first()
    if row is None:
        return {"discretion_check": None}
    amount = None if row.limit_amount is None else f"{row.limit_amount / 2:.2f}"
    return {
        "discretion_check": {"employee": row.employee_number, "item": row.key, "amount": amount}
    }


def _credential_ids(connection, employee_id: int) -> dict:
    """A certificate of the employee sign-in's that is in force (not revoked, not expired;
    newest first), and a level someone holds: the signed credentials their holder and HR
    download (an expired certificate's credential rightly fails its check)."""
    certificate = connection.scalar(
        sa.text(
            "SELECT c.id FROM certificate c JOIN enrollment n ON n.id = c.enrollment_id "
            "WHERE n.employee_id = :e AND c.revoked_at IS NULL "
            "AND (c.expires_on IS NULL OR c.expires_on >= CURRENT_DATE) "
            "ORDER BY c.id DESC LIMIT 1"
        ),
        {"e": employee_id},
    )
    grant = connection.scalar(sa.text("SELECT min(id) FROM autonomy_grant WHERE status = 'active'"))
    return {"credential_certificate_id": certificate, "credential_grant_id": grant}


def _discover(connection, accounts: dict[str, tuple[str, str]]) -> dict:
    def employee_of(role: str) -> int:
        employee_id = connection.scalar(_EMPLOYEE_OF_USER, {"email": accounts[role][0]})
        if employee_id is None:
            raise BenchError(
                f"The bench database has no employee linked to the {role} sign-in "
                f"{accounts[role][0]}: prepare it again (unset BENCH_REUSE)."
            )
        return employee_id

    own = employee_of("employee")
    manager = employee_of("manager")
    in_line = connection.scalar(
        sa.text("SELECT id FROM employee WHERE manager_id = :m ORDER BY id LIMIT 1"),
        {"m": manager},
    )
    if in_line is None:
        raise BenchError("The manager sign-in has nobody reporting to them.")
    path = connection.scalar(
        sa.text(
            "SELECT d.path FROM department d JOIN employee e ON e.department_id = d.id "
            "WHERE e.id = :m"
        ),
        {"m": manager},
    )
    agency_path = path.split(" > ")[0]
    agency = connection.scalar(
        sa.text("SELECT id FROM department WHERE path = :p"), {"p": agency_path}
    )
    return (
        _hiring_ids(connection, accounts)
        | _report_ids(connection)
        | _discretion_ids(connection)
        | _credential_ids(connection, own)
        | {
            "employee_id": own,
            "manager_employee_id": manager,
            "line_employee_id": in_line,
            "agency_id": agency,
            "manager_department_id": connection.scalar(
                sa.text("SELECT department_id FROM employee WHERE id = :m"), {"m": manager}
            ),
            "agency": agency_path,
            "employees": connection.scalar(sa.text("SELECT count(*) FROM employee")),
            "manager_line_size": connection.scalar(_LINE_SIZE, {"manager": manager}),
        }
    )
