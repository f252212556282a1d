"""What the tests that start real processes (stromalab commands, gunicorn, a killed upload) give
them: the URL of a database the test process uses, and an environment without the test
process's own Django switches."""

from __future__ import annotations

import os
from typing import Any


def database_url(settings_dict: dict[str, Any], *, name: str | None = None, user: str | None = None) -> str:
    """``settings_dict``'s database (or another ``name`` on the same server, as ``user``) as a URL."""
    name = name or settings_dict["NAME"]
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{name}"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") and user is None else ""
    return (f"postgres://{user or settings_dict['USER']}{password}@{settings_dict['HOST'] or '127.0.0.1'}:"
            f"{settings_dict['PORT'] or 5432}/{name}")


def process_environment(**extra: str) -> dict[str, str]:
    """This process's environment less DJANGO_ALLOW_ASYNC_UNSAFE (set for Playwright in the tests,
    refused by `check --deploy`, and no business of a server's), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(extra)
    return env
