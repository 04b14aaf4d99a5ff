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

# The longest request is committing a roster import: the file is checked again and written
# in one transaction. A 100,000-row roster (12.6 MB, under the 16 MiB upload limit) took
# 13-19 s on this 2-core machine with PostgreSQL beside it, and about 30 s while other
# processes kept both cores busy. Two minutes leaves room for a larger city or a busier
# server; a worker past it is killed and the import rolls back whole (nothing half-written).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then, so any slow growth in memory is returned.
max_requests = 1000
max_requests_jitter = 100

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
