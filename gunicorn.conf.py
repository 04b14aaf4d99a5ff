"""gunicorn settings for production; `gunicorn wsgi:app` run from the repository root reads them.

These are the server's settings (how many processes, how long a request may run), not the app's:
the app reads its own from the environment in civicladder/config.py. Each can be overridden
from the environment as shown, or on the command line.
"""

import multiprocessing
import os

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
