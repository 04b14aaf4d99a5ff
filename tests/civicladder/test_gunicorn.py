"""gunicorn.conf.py: one-time tokens never reach the access log, and forwarded headers are
believed only from the proxies the app is told about."""

from __future__ import annotations

import http.client
import importlib.util
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import url_for
from flask_migrate import upgrade
from gunicorn.config import Config
from werkzeug.routing import IntegerConverter

from civicladder.app import create_app
from civicladder.db import db

ROOT = Path(__file__).resolve().parents[2]
CONFIG_FILE = ROOT / "gunicorn.conf.py"


def load_config(monkeypatch, **env: str):
    """gunicorn.conf.py as gunicorn reads it, under the environment given (and no other
    PROXY_COUNT or FORWARDED_ALLOW_IPS)."""
    for name in ("PROXY_COUNT", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", CONFIG_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gunicorn_settings(module) -> Config:
    """The file's settings through gunicorn's own validation, as `--config` applies them."""
    config = Config()
    for name, value in vars(module).items():
        if name in config.settings:
            config.set(name, value)
    return config


@pytest.fixture
def conf(monkeypatch):
    return load_config(monkeypatch)


# --- tokens in the access log ------------------------------------------------------------


def test_status_and_password_link_tokens_are_redacted_in_the_request_line(conf):
    token = secrets.token_urlsafe(32)
    assert conf.redact(f"GET /jobs/status/{token} HTTP/1.1") == (
        "GET /jobs/status/[redacted] HTTP/1.1"
    )
    assert conf.redact(f"POST /jobs/status/{token}/withdraw HTTP/1.1") == (
        "POST /jobs/status/[redacted]/withdraw HTTP/1.1"
    )
    assert conf.redact(f"GET /reset/{token}?next=%2F HTTP/1.1") == (
        "GET /reset/[redacted]?next=/ HTTP/1.1"
    )


def test_token_query_parameters_and_referers_are_redacted(conf):
    token = secrets.token_urlsafe(32)
    assert conf.redact(f"page=2&token={token}&sort=name") == "page=2&token=[redacted]&sort=name"
    assert conf.redact(f"GET /x?reset_token={token} HTTP/1.1") == (
        "GET /x?reset_token=[redacted] HTTP/1.1"
    )
    assert conf.redact(f"https://jobs.city.example/jobs/status/{token}") == (
        "https://jobs.city.example/jobs/status/[redacted]"
    )


def test_percent_escaped_token_paths_are_redacted(conf):
    token = secrets.token_urlsafe(32)
    assert token not in conf.redact(f"GET /jobs%2Fstatus%2F{token} HTTP/1.1")
    assert token not in conf.redact(f"GET /%72eset/{token} HTTP/1.1")


def test_urls_without_tokens_are_logged_as_they_came(conf):
    for text in ("GET /people?q=O%27Brien&page=2 HTTP/1.1", "/jobs/3/apply", "-"):
        assert conf.redact(text) == text


def test_every_route_with_a_token_in_its_path_is_redacted(app, conf):
    token = secrets.token_urlsafe(32)
    covered = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            # A secret token is a string; a number naming a stored token (an API token's id)
            # is not one.
            secret = {
                argument
                for argument in rule.arguments
                if "token" in argument
                and not isinstance(rule._converters[argument], IntegerConverter)
            }
            if not secret:
                continue
            values = {argument: token if argument in secret else "1" for argument in rule.arguments}
            path = url_for(rule.endpoint, **values)
            assert token not in conf.redact(f"GET {path} HTTP/1.1"), rule.rule
            covered.append(rule.endpoint)
    assert {"hiring.status", "hiring.withdraw", "auth.reset_password"} <= set(covered)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, headers: dict | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@pytest.fixture
def served_sqlite(tmp_path):
    """A migrated SQLite database in a file, for a real server."""
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    migrating = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "migrating"})
    with migrating.app_context():
        upgrade()
        db.engine.dispose()
    return url


def test_real_gunicorn_access_log_never_shows_a_token(served_sqlite, tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PROXY_COUNT", "FORWARDED_ALLOW_IPS", "GUNICORN_BIND", "WEB_CONCURRENCY"}
    }
    env |= {
        "DATABASE_URL": served_sqlite,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RATELIMIT_ENABLED": "0",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "8",
        "ARGON2_PARALLELISM": "1",
    }
    log_path = tmp_path / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "--config", str(CONFIG_FILE)]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"]
    token = secrets.token_urlsafe(32)
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 (this interpreter's gunicorn, our own app)
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, log_path.read_text()
                try:
                    if _get(port, "/healthz") == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
            assert _get(port, f"/jobs/status/{token}") == 404
            assert _get(port, f"/jobs/status/{token}/withdraw") == 404
            assert _get(port, f"/reset/{token}") == 404
            referer = {"Referer": f"http://127.0.0.1:{port}/jobs/status/{token}"}
            assert _get(port, f"/healthz?token={token}", referer) == 200
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    logged = log_path.read_text()
    assert token not in logged
    assert '"GET /jobs/status/[redacted] HTTP/1.1" 404' in logged
    assert '"GET /jobs/status/[redacted]/withdraw HTTP/1.1" 404' in logged
    assert '"GET /reset/[redacted] HTTP/1.1" 404' in logged
    referred = re.search(r'"GET /healthz\?token=\[redacted\] HTTP/1.1" 200 \d+ "([^"]*)"', logged)
    assert referred is not None, logged
    assert referred.group(1) == f"http://127.0.0.1:{port}/jobs/status/[redacted]"


# --- forwarded headers -------------------------------------------------------------------


def test_no_proxy_count_trusts_no_forwarded_headers(monkeypatch):
    for env in ({}, {"PROXY_COUNT": "0"}, {"PROXY_COUNT": "0", "FORWARDED_ALLOW_IPS": "*"}):
        settings = gunicorn_settings(load_config(monkeypatch, **env))
        assert settings.forwarded_allow_ips == [], env


def test_proxy_count_trusts_the_named_proxies(monkeypatch):
    named = load_config(monkeypatch, PROXY_COUNT="1", FORWARDED_ALLOW_IPS="10.0.0.0/8,10.1.2.3")
    assert gunicorn_settings(named).forwarded_allow_ips == ["10.0.0.0/8", "10.1.2.3"]
    loopback = load_config(monkeypatch, PROXY_COUNT="2")
    assert gunicorn_settings(loopback).forwarded_allow_ips == ["127.0.0.1", "::1"]


def test_the_redacting_logger_is_gunicorns_logger(conf):
    from gunicorn.glogging import Logger

    settings = gunicorn_settings(conf)
    assert issubclass(settings.logger_class, Logger)
    assert settings.logger_class.__name__ == "RedactingLogger"


def test_the_master_compiles_every_template_before_it_forks(app, conf):
    """when_ready runs in gunicorn's master once the app is built (preload_app) and before
    any worker is forked: afterwards every template is in the app's cache, so a worker's first
    request for a page compiles none."""

    class Server:
        class app:  # noqa: N801 (gunicorn's server.app.wsgi())
            @staticmethod
            def wsgi():
                return app

    app.jinja_env.cache.clear()
    conf.when_ready(Server())
    names = app.jinja_env.list_templates()
    assert len(names) > 100
    cached = {key[1] for key in app.jinja_env.cache}
    assert set(names) <= cached
    assert gunicorn_settings(conf).preload_app
