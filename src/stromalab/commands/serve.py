"""``stromalab serve``: the application under gunicorn, as a hospital runs it.

    stromalab serve --bind 127.0.0.1:8000          # behind the hospital's reverse proxy

Refuses to start with ``STROMALAB_DEBUG=1`` or with migrations not applied (run ``stromalab manage
migrate`` first: an instance must never serve a schema older than its code), collects the static
files (served by whitenoise, so no CDN and no separate file server), then replaces itself with
gunicorn. Workers default to cores + 1 of one thread each; override with ``--workers``/``--threads``.
A worker takes a connection only when one of its threads is free, and closes it after the
response (keep-alive off): waiting requests queue once, in the listening socket, and the next free
worker takes the oldest (see ``DEFAULT_THREADS``). The reverse proxy keeps the browsers'
connections alive; between it and gunicorn a connection per request costs a local TCP handshake.
The access log is the application's own JSON line per request (``web/request_log.py``).
Database connections are kept 60 s between requests unless ``STROMALAB_DB_CONN_MAX_AGE`` says
otherwise, and the cache is a folder shared by the workers (``VAR_DIR/cache``) unless
``STROMALAB_CACHE`` says otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys


def usable_cores() -> int:
    """The cores this process may run on: those of its CPU affinity (systemd's ``CPUAffinity=``,
    ``taskset``, a container's cpuset), not all the machine's, where the system tells them."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def default_workers() -> int:
    """cores + 1: one more than the cores keeps them busy while a worker waits on the database;
    more workers than that share the same cores and each request took 28 % more CPU (2 × cores +
    1, docs/performance.md)."""
    return usable_cores() + 1


#: threads per worker. The work is CPU-bound under the interpreter lock: requests running at once
#: in one process share the cores by turns, so a 50 ms page among ten requests took ten times its
#: cost (5 workers × 4 threads: p95 of the dashboard 730 ms at 10 clients while the light pages
#: took 250). One request at a time per worker, taken from the one queue in arrival order, makes
#: every page wait about as long as the others and no page wait longer than its own work plus
#: the queue ahead of it (worst p95 360 ms on the same run, docs/performance.md)
DEFAULT_THREADS = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port or unix:PATH (default %(default)s)")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="worker processes (default cores + 1 = %(default)s)")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="threads per worker (default %(default)s)")
    parser.add_argument("--timeout", type=int, default=60, help="seconds before a stuck worker is restarted")


def run(args: argparse.Namespace) -> int:
    if args.workers < 1 or args.threads < 1:
        print("stromalab serve: error: --workers and --threads must be at least 1", file=sys.stderr)
        return 2
    from stromalab.commands.environment import setup_django

    # a served instance keeps its database connections between requests (checked before reuse):
    # a new PostgreSQL connection per page view costs a server process fork and 3-7 ms
    os.environ.setdefault("STROMALAB_DB_CONN_MAX_AGE", "60")
    # the workers share the dashboard's figures: one counts again after a change, not each
    os.environ.setdefault("STROMALAB_CACHE", "files")
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if settings.DEBUG:
        print("stromalab serve: error: STROMALAB_DEBUG=1 shows internals to every visitor; "
              "unset it to serve", file=sys.stderr)
        return 2
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        print(f"stromalab serve: error: {len(pending)} migrations not applied; run "
              "'stromalab manage migrate' first", file=sys.stderr)
        return 2
    connection.close()
    call_command("collectstatic", interactive=False, verbosity=0)
    gunicorn = [sys.executable, "-m", "gunicorn", "stromalab.web.wsgi:application",
                "--bind", args.bind, "--workers", str(args.workers), "--threads", str(args.threads),
                "--worker-class", "gthread", "--preload", "--timeout", str(args.timeout),
                # a worker accepts only what its threads can serve and keeps no idle connection:
                # the waiting requests stay in the listening socket's one queue, not a worker's
                "--worker-connections", str(args.threads), "--keep-alive", "0",
                "--error-logfile", "-"]
    sys.stdout.flush()
    os.execv(sys.executable, gunicorn)
    return 0  # not reached: execv replaces the process
