"""gunicorn settings for production; `gunicorn wsgi:app` run from the repository root reads them.

These are the server's settings (how many processes, how long a request may run), not the app's:
the app reads its own from the environment in civicladder/config.py. Each can be overridden
from the environment as shown, or on the command line.
"""

import multiprocessing
import os
import re
from urllib.parse import unquote

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Sync workers gave the lowest tail latency for these CPU-bound pages (measured on 2 cores).
# Two per core plus one keeps the cores busy while some workers wait on PostgreSQL.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))

# Imports, publishing and large exports run as jobs (`flask worker`), so no request should
# come near this; a worker past it is killed and its request's transaction rolls back whole.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5

# The app is built once, in the master, before the workers are forked: a new worker (at start
# or when one is recycled) is serving within milliseconds instead of importing and building
# the app for a second or more, during which the others carry its share (at 1,000 requests
# per second, recycling after 1,000 requests each had cold workers most of the time). Each
# worker lets go of the database connections it inherited (`post_fork`).
preload_app = True

# Recycle workers now and then, so any slow growth in memory is returned.
max_requests = 10_000
max_requests_jitter = 1_000


def when_ready(server):
    """Before the first worker is forked: the app, built once here (preload_app), compiles its
    templates, and every worker starts with them."""
    from civicladder.app import load_templates

    load_templates(server.app.wsgi())


def post_fork(server, worker):
    """A forked worker opens database connections of its own: connections the master opened
    while building the app are left to it, never used by two processes at once."""
    from civicladder.db import db

    app = server.app.wsgi()
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


# Logs to stdout/stderr, for the service manager or container runtime to collect.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


# The one-time tokens that travel in a URL: an application's status link and a password (or
# invitation) link. Anyone who reads the access log could otherwise follow them, so the path
# segment after these prefixes, and the value of any query parameter named like "token", are
# logged as [redacted], wherever they appear (request line, path, query, Referer, ...).
# tests/civicladder/test_gunicorn.py fails on any route with a token argument not covered here.
TOKEN_PATH = re.compile(r"(?P<keep>/(?:jobs/status|reset)/)[^/?#\s\"]+")
TOKEN_PARAMETER = re.compile(
    r"(?P<keep>(?:^|[?&;])[^=&;#\s\"]*token[^=&;#\s\"]*=)[^&;#\s\"]*", re.I
)
REDACTED = r"\g<keep>[redacted]"


def redact(text: str) -> str:
    """`text` with every one-time token in it replaced by [redacted]. A path written with
    percent-escapes (/jobs%2Fstatus%2F...) reaches the same page, so it is read decoded."""
    decoded = unquote(text)
    hidden = TOKEN_PARAMETER.sub(REDACTED, TOKEN_PATH.sub(REDACTED, decoded))
    return text if hidden == decoded else hidden


class RedactingLogger(Logger):
    """gunicorn's logger, with one-time tokens kept out of every access-log field."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():
            if value is None or isinstance(value, int | float):
                continue
            atoms[name] = redact(value if isinstance(value, str) else str(value))
        return atoms


logger_class = RedactingLogger


def forwarded_allow_ips_for(env) -> str:
    """The addresses whose X-Forwarded-Proto (and gunicorn's other forwarded headers) gunicorn
    believes: none unless the app is told it stands behind proxies (PROXY_COUNT, which the
    app's ProxyFix reads too), then FORWARDED_ALLOW_IPS (comma-separated addresses or
    networks of the proxies; gunicorn's own default, 127.0.0.1,::1, when unset)."""
    if int(env.get("PROXY_COUNT") or "0") == 0:
        return ""  # gunicorn reads "" as no address at all (connections on a UNIX socket excepted)
    return env.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"


forwarded_allow_ips = forwarded_allow_ips_for(os.environ)
