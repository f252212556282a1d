"""`stromalab serve`: gunicorn with DEBUG off, static files and the API docs from the package,
`manage check --deploy` clean with the production environment. Runs real processes."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.web.processes import process_environment

PRODUCTION = {
    "STROMALAB_SECRET_KEY": "k" * 20 + "Q9x$2vLm#pR7tW4zY8nB6cF1hJ3dS5gA0eU",
    "STROMALAB_ALLOWED_HOSTS": "stromalab.hopital.example,127.0.0.1",
    "STROMALAB_SECURE_COOKIES": "1",
    "STROMALAB_SSL_REDIRECT": "1",
    "STROMALAB_PROXY_SSL_HEADER": "1",
    "STROMALAB_HSTS_SECONDS": "31536000",
    "STROMALAB_HSTS_INCLUDE_SUBDOMAINS": "1",
    "STROMALAB_CSRF_TRUSTED_ORIGINS": "https://stromalab.hopital.example",
}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return process_environment(STROMALAB_VAR_DIR=str(tmp_path / "var"),
                               STROMALAB_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}", **extra)


def _stromalab(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stromalab.cli", *args], env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_check_deploy_is_clean_with_the_production_environment(tmp_path: Path) -> None:
    checked = _stromalab(_env(tmp_path, **PRODUCTION), "manage", "check", "--deploy", "--fail-level", "WARNING")
    assert checked.returncode == 0, checked.stderr + checked.stdout


def test_serve_refuses_debug_and_pending_migrations(tmp_path: Path) -> None:
    refused = _stromalab(_env(tmp_path), "serve")
    assert refused.returncode == 2 and "migrations not applied" in refused.stderr
    assert _stromalab(_env(tmp_path), "manage", "migrate", "--verbosity", "0").returncode == 0
    debug = _stromalab(_env(tmp_path, STROMALAB_DEBUG="1"), "serve")
    assert debug.returncode == 2 and "STROMALAB_DEBUG" in debug.stderr


def test_gunicorn_serves_pages_static_files_and_api_docs(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert _stromalab(env, "manage", "migrate", "--verbosity", "0").returncode == 0
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "stromalab.cli", "serve", "--bind", f"127.0.0.1:{port}",
                               "--workers", "2", "--threads", "2"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=30) as response:
                    assert response.status == 200
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("gunicorn did not answer /healthz")
                time.sleep(0.3)
        with urllib.request.urlopen(f"{base}/static/ninja/swagger-ui.css", timeout=30) as response:
            assert response.status == 200 and b"swagger-ui" in response.read()
        with urllib.request.urlopen(f"{base}/api/docs", timeout=30) as response:
            page = response.read().decode()
        assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
        with urllib.request.urlopen(f"{base}/accounts/login/", timeout=30) as response:
            assert response.status == 200 and response.headers["X-Request-ID"]
            assert response.headers["Connection"] == "close"  # the next request queues for any worker
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert '"path": "/healthz"' in output and '"status": 200' in output


@pytest.mark.django_db(transaction=True)
def test_serve_keeps_database_connections_and_shares_its_cache_unless_told_otherwise(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A served instance reuses its connections (CONN_MAX_AGE 60 s): a PostgreSQL connection per
    page view costs a server fork; and its workers share the cache folder (one counts the
    dashboard again after a change, not each). An operator's explicit values win."""
    import argparse
    import os

    from stromalab.commands import serve

    class Replaced(Exception):
        pass

    def execv(path: str, argv: list[str]) -> None:
        raise Replaced(f'{os.environ.get("STROMALAB_DB_CONN_MAX_AGE")} {os.environ.get("STROMALAB_CACHE")}')

    monkeypatch.setattr(serve.os, "execv", execv)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    args = argparse.Namespace(bind="127.0.0.1:0", workers=1, threads=1, timeout=5)
    for presets, expected in (({}, "60 files"), ({"STROMALAB_DB_CONN_MAX_AGE": "0", "STROMALAB_CACHE": "memory"},
                                                 "0 memory")):
        for name in ("STROMALAB_DB_CONN_MAX_AGE", "STROMALAB_CACHE"):
            monkeypatch.delenv(name, raising=False)
        for name, value in presets.items():
            monkeypatch.setenv(name, value)
        with pytest.raises(Replaced) as replaced:
            serve.run(args)
        assert str(replaced.value) == expected


def test_serve_sizes_its_workers_from_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """cores + 1 workers of one thread unless told (docs/performance.md: more requests at once
    on the same cores stretched the heavy pages and cost more CPU per request)."""
    import argparse

    from stromalab.commands import serve

    monkeypatch.setattr(serve, "usable_cores", lambda: 2)
    parser = argparse.ArgumentParser()
    serve.add_arguments(parser)
    args = parser.parse_args([])
    assert (args.workers, args.threads) == (3, 1)
    args = parser.parse_args(["--workers", "5", "--threads", "2"])
    assert (args.workers, args.threads) == (5, 2)


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this system")
def test_serve_counts_only_the_cores_it_may_run_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """A service pinned to one core of a larger machine (systemd's CPUAffinity, a cpuset) gets
    the workers of one core, not of the machine's."""
    from stromalab.commands import serve

    monkeypatch.setattr(serve.os, "sched_getaffinity", lambda pid: {0})
    monkeypatch.setattr(serve.os, "cpu_count", lambda: 64)
    assert serve.default_workers() == 2


@pytest.mark.django_db(transaction=True)
def test_serve_queues_waiting_requests_in_the_listening_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker accepts no more connections than it has threads and keeps none open after the
    response: a request waiting behind a busy worker stays in the one queue that the next free
    worker reads, instead of waiting for that worker."""
    import argparse

    from stromalab.commands import serve

    class Replaced(Exception):
        pass

    def execv(path: str, argv: list[str]) -> None:
        raise Replaced(argv)

    monkeypatch.setattr(serve.os, "execv", execv)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    with pytest.raises(Replaced) as replaced:
        serve.run(argparse.Namespace(bind="127.0.0.1:0", workers=3, threads=2, timeout=5))
    argv = replaced.value.args[0]
    options = {option: value for option, value in itertools.pairwise(argv) if option.startswith("--")}
    assert (options["--threads"], options["--worker-connections"], options["--keep-alive"]) == ("2", "2", "0")
