"""``stromalab serve``: the application under gunicorn, as a hospital runs it.

    stromalab serve --bind 127.0.0.1:8000          # behind the hospital's reverse proxy

Refuses to start with ``STROMALAB_DEBUG=1`` or with migrations not applied (run ``stromalab manage
migrate`` first: an instance must never serve a schema older than its code), collects the static
files (served by whitenoise, so no CDN and no separate file server), then replaces itself with
gunicorn. Workers default to 2 × cores + 1 (gunicorn's advice: one worker per core waits on the
database while another computes) with 4 threads each; override with ``--workers``/``--threads``.
The access log is the application's own JSON line per request (``web/request_log.py``).
Database connections are kept 60 s between requests unless ``STROMALAB_DB_CONN_MAX_AGE`` says
otherwise, and the cache is a folder shared by the workers (``VAR_DIR/cache``) unless
``STROMALAB_CACHE`` says otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys


def default_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


#: threads per worker: with 5 workers, 20 requests run at once on 2 cores. Fewer (cores + 1
#: workers of 2 threads) spent 8 % less CPU per request but queued requests behind each other: a
#: keep-alive connection stays with its worker, and every page's p95 rose above 210 ms at 10
#: clients (docs/performance.md)
DEFAULT_THREADS = 4


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port or unix:PATH (default %(default)s)")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="worker processes (default 2 × cores + 1 = %(default)s)")
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
                "--error-logfile", "-"]
    sys.stdout.flush()
    os.execv(sys.executable, gunicorn)
    return 0  # not reached: execv replaces the process
