"""The benchmark's parts that need no server: settings, sign-ins, the database guard, targets."""

from __future__ import annotations

import sys
import types

import pytest

from bench import database, report, run
from bench.client import Client
from bench.errors import BenchError
from bench.settings import from_env
from civicladder.config import load, new_signing_key

ROLES = ["admin", "hr", "manager", "employee", "union_rep"]


def test_demo_sign_ins_are_the_ones_the_readme_lists():
    accounts = database.sign_ins("demo")

    assert list(accounts) == ROLES
    assert accounts["admin"] == ("admin@demo.civicladder.example", "demo-admin-2026!")
    assert accounts["union_rep"] == ("union@demo.civicladder.example", "demo-union-2026!")


def test_city_data_without_the_generator_says_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "people.seed.city", None)  # as if the module did not exist

    with pytest.raises(BenchError, match=r"people\.seed\.city\.CITY_SIGN_INS.*BENCH_DATA=demo"):
        database.sign_ins("city")


def test_city_sign_ins_come_from_the_generator_and_must_cover_every_role(monkeypatch):
    city = types.ModuleType("people.seed.city")
    city.CITY_SIGN_INS = {role: (f"{role}@city.example", "pw") for role in reversed(ROLES)}
    monkeypatch.setitem(sys.modules, "people.seed.city", city)

    assert list(database.sign_ins("city")) == ROLES

    del city.CITY_SIGN_INS["union_rep"]
    with pytest.raises(BenchError, match="no sign-in for: union_rep"):
        database.sign_ins("city")


@pytest.mark.parametrize(
    "url",
    ["postgresql://postgres@127.0.0.1/civicladder", "postgresql://u@h/bench; drop", "SQLITE"],
)
def test_only_a_database_named_for_benchmarks_is_wiped(url, tmp_path, monkeypatch):
    precious = tmp_path / "civicladder.sqlite3"
    precious.write_text("real data")
    url = url.replace("SQLITE", f"sqlite:///{precious}")
    monkeypatch.setenv("BENCH_DATABASE_URL", url)

    with pytest.raises(BenchError, match="only prepares a database whose name contains 'bench'"):
        database.prepare(from_env(), print)
    assert precious.read_text() == "real data"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BENCH_DATA", "town", "BENCH_DATA='town' is not known"),
        ("BENCH_EMPLOYEES", "many", "BENCH_EMPLOYEES='many' is not usable"),
        ("BENCH_LOAD_SECONDS", "600", "seconds between 0 and 60"),
        ("BENCH_ENFORCE", "maybe", "give 1 or 0"),
    ],
)
def test_unusable_settings_are_refused_with_a_message(name, value, message, monkeypatch):
    monkeypatch.setenv(name, value)

    with pytest.raises(BenchError, match=message):
        from_env()


def test_percentiles_are_nearest_rank():
    samples = [float(n) for n in range(50, 0, -1)]

    assert report.percentile(samples, 0.50) == 25
    assert report.percentile(samples, 0.95) == 48
    assert report.percentile(samples, 0.99) == 50


def _row(**values) -> dict:
    row = {
        "page": "home",
        "role": "employee",
        "path": "/",
        "p95_ms": 50.0,
        "ratio": 0.5,
        "rps": 100.0,
        "ratio_target": True,
        "load_failures": {},
    }
    return {**row, **values}


def test_missed_targets_say_which_and_by_how_much():
    found = report.misses(
        [
            _row(),
            _row(page="audit log", role="admin", p95_ms=250.0, ratio=0.1, ratio_target=False),
            _row(page="own profile", ratio=0.25),
            _row(page="users", p95_ms=200.0, load_failures={"500": 3}),
            # A page with bars of its own (the discretion check).
            _row(page="check", p95_ms=25.0, ratio=0.4, p95_target_ms=20.0, ratio_floor=0.5),
        ]
    )

    assert found == [
        "p95 of audit log (admin, /) is 250.0 ms: 50.0 ms over the 200 ms target",
        "throughput of own profile (employee, /) is 0.25x the bare route's (100.0 req/s): "
        "0.08 under the 0.33x target",
        "p95 of users (employee, /) is 200.0 ms: 0.0 ms over the 200 ms target",
        "users (employee, /) answered under load with {'500': 3}",
        "p95 of check (employee, /) is 25.0 ms: 5.0 ms over the 20 ms target",
        "throughput of check (employee, /) is 0.40x the bare route's (100.0 req/s): "
        "0.10 under the 0.50x target",
    ]


def test_a_missed_target_fails_the_run_unless_enforcement_is_off(capsys):
    assert run._verdict([], enforce=True) == 0
    assert run._verdict(["p95 of home is 250 ms"], enforce=True) == 1
    assert run._verdict(["p95 of home is 250 ms"], enforce=False) == 0
    assert "BENCH_ENFORCE=0: reported, not failed." in capsys.readouterr().out


def test_the_client_never_sends_a_secure_cookie_back_over_plain_http():
    client = Client("127.0.0.1", 9)
    client._keep_cookies(
        [
            "session=abc; HttpOnly; Path=/; SameSite=Lax",
            "remember=xyz; Secure; HttpOnly; Path=/",
        ]
    )
    client._keep_cookies(["gone=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/"])

    assert client.cookies == {"session": "abc"}
    assert client.dropped_secure == ["remember"]


def test_secure_cookies_follow_production_unless_turned_off_explicitly(monkeypatch, tmp_path):
    monkeypatch.setenv("CIVICLADDER_PRODUCTION", "1")
    monkeypatch.setenv("SECRET_KEY", "a-key-for-this-test")
    monkeypatch.setenv("CREDENTIAL_SIGNING_KEY", new_signing_key())
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    assert load(str(tmp_path))["SESSION_COOKIE_SECURE"] is True

    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")
    config = load(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["REMEMBER_COOKIE_SECURE"] is False


def test_the_statement_header_is_off_unless_set(monkeypatch, tmp_path):
    monkeypatch.setenv("CIVICLADDER_PRODUCTION", "1")
    monkeypatch.setenv("SECRET_KEY", "a-key-for-this-test")
    monkeypatch.setenv("CREDENTIAL_SIGNING_KEY", new_signing_key())
    monkeypatch.delenv("SQL_STATEMENT_HEADER", raising=False)
    assert load(str(tmp_path))["SQL_STATEMENT_HEADER"] is False

    monkeypatch.setenv("SQL_STATEMENT_HEADER", "1")
    assert load(str(tmp_path))["SQL_STATEMENT_HEADER"] is True


def test_client_counts_and_servers_come_from_the_environment():
    assert from_env({}).clients == (4, 16) and from_env({}).servers == 1
    assert from_env({}).commands and not from_env({"BENCH_COMMANDS": "0"}).commands
    assert from_env({"BENCH_CLIENTS": "4"}).clients == (4,)
    chosen = from_env({"BENCH_CLIENTS": "2, 8", "BENCH_SERVERS": "2", "BENCH_PGBOUNCER": "1"})
    assert (chosen.clients, chosen.servers, chosen.pgbouncer) == ((2, 8), 2, True)
    for wrong in ("0", "4,x", "4,65"):
        with pytest.raises(BenchError, match="BENCH_CLIENTS"):
            from_env({"BENCH_CLIENTS": wrong})


def test_the_table_gives_each_client_count_its_throughput_and_ratio():
    rows = [
        _row(page="bare", rps_at={"4": 400.0, "16": 420.0}, ratio_at={"4": 1.0, "16": 1.0}),
        _row(rps_at={"4": 100.0, "16": 84.0}, ratio_at={"4": 0.25, "16": 0.2}),
    ]
    for row in rows:
        row.update(p50_ms=1.0, p99_ms=2.0, statements=3)
    text = report.table(rows, (4, 16), servers=2, pgbouncer=True)
    head, _, bare, home, legend = text.splitlines()
    assert "req/s@4" in head and "x bare@16" in head
    assert home.split()[-4:] == ["100.0", "0.25*", "84.0", "0.20"]
    assert "2 gunicorn app servers through PgBouncer" in legend


def test_pages_can_be_chosen_by_name():
    from bench.settings import from_env

    chosen = from_env({"BENCH_PAGES": "discretion, home"})
    assert chosen.pages == ("discretion", "home")
    assert chosen.measures("discretion check") and chosen.measures("home")
    assert not chosen.measures("directory")
    assert from_env({}).measures("directory")
