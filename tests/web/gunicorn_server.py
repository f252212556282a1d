"""The browser tests against the production server: `stromalab serve` (gunicorn) on the test
database, instead of Django's threaded test server, when ``STROMALAB_BROWSER_SERVER=gunicorn``
(tools/test.sh does this once, on PostgreSQL).

The server is a separate process: it reads the test database (the test's data are committed,
the browser tests being transactional) and receives the test's STROMALAB_* settings (media folder,
warehouses, ...) as its environment, as a hospital's server receives its own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.web.processes import database_url, process_environment

WANTED = os.environ.get("STROMALAB_BROWSER_SERVER", "") == "gunicorn"


class _NoSettingsToChange:
    """pytest-django's ``_live_server_helper`` (autouse) points the in-process settings at its
    own server around each test; a separate process needs nothing of the kind."""

    def enable(self) -> None:
        pass

    def disable(self) -> None:
        pass


class GunicornServer:
    """What the tests use of pytest-django's ``live_server``: its ``url``.

    The process starts when the test first asks for the URL, not when the fixture is set up:
    pytest-django's autouse helper requests ``live_server`` before the tests' own autouse
    fixtures have changed the settings (media folder, warehouses) the server must receive."""

    def __init__(self, settings_dict: dict[str, Any], var_dir: str) -> None:
        self._settings_dict, self._var_dir = settings_dict, var_dir
        self._process: subprocess.Popen[str] | None = None
        self._url = ""
        self._live_server_modified_settings = _NoSettingsToChange()

    @property
    def url(self) -> str:
        if self._process is None:
            self._start()
        return self._url

    def __str__(self) -> str:
        return self.url

    def _start(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = _environment(database_url(self._settings_dict), self._var_dir)
        self._process = process = subprocess.Popen(
            # serve's own sizing and connection handling, as a hospital runs it
            [sys.executable, "-m", "stromalab.cli", "serve", "--bind", f"127.0.0.1:{port}"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{self._url}/healthz", timeout=30) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.communicate(timeout=10)[0] if process.poll() is not None else ""
                raise RuntimeError(f"stromalab serve did not start: {output[-2000:]}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.communicate(timeout=60)


def _environment(database_url: str, var_dir: str) -> dict[str, str]:
    # the settings as the test changed them (through pytest-django's `settings` fixture)
    from django.conf import settings

    env = process_environment()
    for name in dir(settings._wrapped):
        if not name.startswith("STROMALAB_"):
            continue
        value = getattr(settings, name)
        if isinstance(value, str | Path | int) and not isinstance(value, bool):
            env[name] = str(value)
    env.update(STROMALAB_DATABASE_URL=database_url, STROMALAB_VAR_DIR=var_dir,
               STROMALAB_ALLOWED_HOSTS="127.0.0.1,localhost", STROMALAB_REQUEST_LOG_LEVEL="WARNING")
    return env


def serve(settings_dict: dict[str, Any]) -> Iterator[GunicornServer]:
    with tempfile.TemporaryDirectory(prefix="stromalab-gunicorn-") as var_dir:
        server = GunicornServer(settings_dict, var_dir)
        try:
            yield server
        finally:
            server.stop()
