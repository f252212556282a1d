"""``/healthz``: may a load balancer send this instance requests?

Three checks, each cheap enough to run every few seconds: the database answers, every migration
of the installed code is applied (an instance started before ``migrate`` finished must not take
traffic), and the audit chain's head is readable (every write appends to it). 200 with
``{"status": "ok"}`` and the checks, or 503 naming the check that failed. No login: a balancer
has none, and the answer says nothing about study data.
"""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .accounts.permissions import public


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _migrations() -> str:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return f"{len(pending)} migrations not applied"
    return "ok"


def _audit_head() -> str:
    from .audit.models import ChainHead

    ChainHead.version()
    return "ok"


CHECKS = (("database", _database), ("migrations", _migrations), ("audit_head", _audit_head))


@public
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, Any] = {}
    for name, check in CHECKS:
        try:
            results[name] = check()
        except DatabaseError as error:
            results[name] = f"error: {type(error).__name__}"
        if results[name] != "ok":
            break
    healthy = all(value == "ok" for value in results.values()) and len(results) == len(CHECKS)
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": results},
                        status=200 if healthy else 503)
