"""On PostgreSQL the server connects as a runtime role that owns nothing: it works, and it can
neither disable nor drop the audit trail's triggers, bypass them, nor rewrite or delete events.

Real roles, a real database migrated by its owner, the commands run as processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from tests.web.processes import database_url, process_environment

pytestmark = pytest.mark.postgres

TAMPERING = [
    "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_no_update ON audit_auditevent",
    "SET session_replication_role = replica",
    "UPDATE audit_auditevent SET reason = 'rewritten' WHERE id = 1",
    "DELETE FROM audit_auditevent WHERE id = (SELECT max(id) FROM audit_auditevent)",
    "TRUNCATE audit_auditevent",
    "UPDATE audit_chainhead SET last_hash = repeat('0', 64)",  # allowed by grants, refused below by verify
]


def _url(user: str, database: str) -> str:
    return database_url(connection.settings_dict, name=database, user=user)


def _stromalab(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stromalab.cli", *args],
                          env=process_environment(STROMALAB_DATABASE_URL=url), capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def roles() -> Iterator[dict[str, str]]:
    """Two roles and a database owned by the first, migrated by it (once for the module)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL roles: this test runs in the PostgreSQL half of the suite")
    import psycopg

    suffix = str(os.getpid())
    names = {"owner": f"stromalab_owner_{suffix}", "runtime": f"stromalab_app_{suffix}",
             "database": f"stromalab_roles_{suffix}"}
    admin = _url(connection.settings_dict["USER"], "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{names["database"]}" WITH (FORCE)')
        for role in (names["runtime"], names["owner"]):
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
        conn.execute(f'CREATE ROLE "{names["owner"]}" LOGIN')
        conn.execute(f'CREATE ROLE "{names["runtime"]}" LOGIN')
        conn.execute(f'CREATE DATABASE "{names["database"]}" OWNER "{names["owner"]}"')
    with psycopg.connect(_url(connection.settings_dict["USER"], names["database"]), autocommit=True) as conn:
        conn.execute(f'ALTER SCHEMA public OWNER TO "{names["owner"]}"')
        conn.execute('REVOKE ALL ON SCHEMA public FROM PUBLIC')
    migrated = _stromalab(_url(names["owner"], names["database"]), "manage", "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    yield names
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{names["database"]}" WITH (FORCE)')
        for role in (names["runtime"], names["owner"]):
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_the_runtime_role_runs_the_application_and_cannot_rewrite_the_trail(roles: dict[str, str]) -> None:
    import psycopg

    owner, runtime = _url(roles["owner"], roles["database"]), _url(roles["runtime"], roles["database"])
    granted = _stromalab(owner, "manage", "grant_runtime_role", roles["runtime"])
    assert granted.returncode == 0, granted.stderr
    # the application's own work, as the runtime role: an account (audited), then the trail verified
    created = _stromalab(runtime, "createuser", "--role", "monitor", "monica")
    assert created.returncode == 0, created.stderr
    assert _stromalab(runtime, "audit", "verify").returncode == 0

    refused: list[str] = []
    with psycopg.connect(runtime, autocommit=True) as conn:
        for statement in TAMPERING[:-1]:
            try:
                conn.execute(statement)
            except psycopg.Error:
                refused.append(statement)
        conn.execute(TAMPERING[-1])
    assert refused == TAMPERING[:-1]
    broken = _stromalab(runtime, "audit", "verify")
    assert broken.returncode == 1 and "BROKEN" in broken.stdout


@pytest.mark.parametrize("who", ["owner", "missing"])
def test_the_command_refuses_an_owner_or_a_missing_role(roles: dict[str, str], who: str) -> None:
    owner = _url(roles["owner"], roles["database"])
    target = roles["owner"] if who == "owner" else "no_such_role_xyz"
    refused = _stromalab(owner, "manage", "grant_runtime_role", target)
    assert refused.returncode != 0
    assert ("current (owner) role" if who == "owner" else "does not exist") in refused.stderr


def test_sqlite_has_no_roles(tmp_path: Any) -> None:
    done = _stromalab(f"sqlite:///{tmp_path / 'x.sqlite3'}", "manage", "grant_runtime_role", "anyone")
    assert done.returncode != 0 and "SQLite has no roles" in done.stderr
