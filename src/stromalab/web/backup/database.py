"""A consistent copy of the configured database, and its restore, per engine.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies pages under the database's
own locking, so writers may go on and the copy is one committed state. PostgreSQL: ``pg_dump``
in its custom format takes one snapshot for the whole dump; ``pg_restore`` loads it with the
restoring role as owner (``--no-owner``), so the backup carries no role names of the source.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why, for the operator."""


def engine_of(database: Mapping[str, Any]) -> str:
    engine = str(database["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"unsupported database engine {engine}")


def _libpq_environment(database: Mapping[str, Any]) -> dict[str, str]:
    """Connection parameters for pg_dump/pg_restore as libpq variables (never on the command
    line, where ``ps`` would show the password)."""
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if database.get(key):
            env[variable] = str(database[key])
    return env


def _run(command: list[str], database: Mapping[str, Any]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} not found: install the PostgreSQL client programs")
    done = subprocess.run([tool, *command[1:]], env=_libpq_environment(database),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip() or done.returncode}")


def dump(database: Mapping[str, Any], folder: Path) -> Path:
    """Write the database's copy into ``folder``; returns the file written."""
    if engine_of(database) == "sqlite":
        target = folder / SQLITE_FILE
        source = sqlite3.connect(f"file:{database['NAME']}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    target = folder / POSTGRES_FILE
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"], database)
    return target


def is_empty(database: Mapping[str, Any]) -> bool:
    """True when the database holds no table at all (a restore never overwrites data)."""
    if engine_of(database) == "sqlite":
        path = Path(str(database["NAME"]))
        if not path.exists() or path.stat().st_size == 0:
            return True
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            tables: int = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            return tables == 0
    import psycopg

    params = {k: v for k, v in (("host", database.get("HOST")), ("port", database.get("PORT")),
                                ("user", database.get("USER")), ("password", database.get("PASSWORD")),
                                ("dbname", database.get("NAME"))) if v}
    with psycopg.connect(**params) as conn:
        row = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").fetchone()
        return row is not None and row[0] == 0


def load(database: Mapping[str, Any], copy: Path) -> None:
    """Restore ``copy`` (from :func:`dump`) into the configured, empty database."""
    if engine_of(database) == "sqlite":
        if copy.name != SQLITE_FILE:
            raise BackupError(f"{copy.name}: this backup was not taken from SQLite")
        target = Path(str(database["NAME"]))
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".restoring")
        shutil.copyfile(copy, partial)
        for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        os.replace(partial, target)
        return
    if copy.name != POSTGRES_FILE:
        raise BackupError(f"{copy.name}: this backup was not taken from PostgreSQL")
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={database['NAME']}", str(copy)], database)
