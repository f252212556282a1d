"""``stromalab manage grant_runtime_role ROLE``: least privilege for the running application.

On PostgreSQL the application should not connect as the role that owns its tables: an owner can
drop or disable the audit trail's triggers and rewrite history. The hospital creates two roles
(docs/deploy.md): an owner that runs ``migrate`` and this command, and a runtime role, owning
nothing, that the server connects as. This command, run as the owner after every ``migrate``,
grants the runtime role what the application does and nothing more: reading and writing the
study tables, only reading and appending the audit trail (no UPDATE, DELETE or TRUNCATE, on top
of the triggers), using the sequences. Without ownership the runtime role cannot ALTER or DROP a
table or trigger, and, not being a superuser, cannot ``SET session_replication_role`` to bypass
triggers.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from stromalab.web.audit.triggers import TABLE as AUDIT_TABLE


class Command(BaseCommand):
    help = "Grant a PostgreSQL runtime role (owning nothing) exactly the rights the application needs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the runtime role the server connects as")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("grant_runtime_role applies to PostgreSQL; SQLite has no roles")
        role = options["role"]
        from psycopg import sql

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper, rolname = current_user FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                raise CommandError(f"role {role} does not exist; create it first (docs/deploy.md)")
            if found[0] or found[1]:
                raise CommandError(f"role {role} is a superuser or the current (owner) role; the runtime "
                                   "role must be a separate role without privileges of its own")
            cursor.execute("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                           "WHERE r.rolname = %s", [role])
            if cursor.fetchone()[0]:
                raise CommandError(f"role {role} owns tables; the runtime role must own nothing")
            cursor.execute("SELECT current_database(), current_schema()")
            database, schema = cursor.fetchone()
            name, db, sch = sql.Identifier(role), sql.Identifier(database), sql.Identifier(schema)
            statements = [
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, name),
                sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sch, name),
                sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(sch, name),
                sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}").format(
                    sql.Identifier(AUDIT_TABLE), name),
                sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(sch, name),
            ]
            raw = cursor.connection  # psycopg composes identifiers safely on its own connection
            for statement in statements:
                cursor.execute(statement.as_string(raw))
        self.stdout.write(f"granted {role} the runtime rights on {database}.{schema}; "
                          f"{AUDIT_TABLE}: SELECT and INSERT only")
