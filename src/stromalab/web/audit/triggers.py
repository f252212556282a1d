"""Database triggers that make ``audit_auditevent`` append-only (UPDATE/DELETE refused).

Created by migration ``0002_append_only_triggers``. :func:`drop_triggers` exists for the test
suite only (pytest-django flushes tables between transactional tests, and the tampering test).
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditevent"
MESSAGE = "audit_auditevent is append-only"

SQLITE_CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"]

POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql""",
    f"CREATE OR REPLACE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
    f"CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS audit_no_update ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
]


def create_sql(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}[vendor]


def drop_sql(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}[vendor]


def create_triggers(connection: Any) -> None:
    with connection.cursor() as cursor:
        for sql in create_sql(connection.vendor):
            cursor.execute(sql)


def drop_triggers(connection: Any) -> None:
    with connection.cursor() as cursor:
        for sql in drop_sql(connection.vendor):
            cursor.execute(sql)
