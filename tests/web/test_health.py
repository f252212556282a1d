"""/healthz tells a load balancer whether this instance may take requests."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from django.db.migrations.executor import MigrationExecutor


def test_healthy_instance_answers_ok_without_login(client: Any, study: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok",
                               "checks": {"database": "ok", "migrations": "ok", "audit_head": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_pending_migrations_take_the_instance_out_of_rotation(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    real_plan = MigrationExecutor.migration_plan

    def plan_with_one_pending(self: MigrationExecutor, targets: Any, clean_start: bool = False) -> Any:
        applied = real_plan(self, targets, clean_start)
        return [*applied, (self.loader.graph.nodes[("audit", "0001_initial")], False)]

    monkeypatch.setattr(MigrationExecutor, "migration_plan", plan_with_one_pending)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 migrations not applied"


def test_an_unreachable_database_is_unavailable_and_says_no_more(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from stromalab.web import health

    def down() -> str:
        raise OperationalError("connection to server at 10.0.0.5 refused; password=secret")

    monkeypatch.setattr(health, "CHECKS", (("database", down), *health.CHECKS[1:]))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "error: OperationalError"}}


def test_only_reads_are_allowed(client: Any) -> None:
    assert client.post("/healthz").status_code == 405
