"""Make audit_auditevent append-only: the database refuses UPDATE and DELETE (and TRUNCATE on
PostgreSQL). Vendor-specific SQL, from stromalab.web.audit.triggers."""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import ProjectState

from stromalab.web.audit import triggers


class VendorRunSQL(migrations.RunSQL):
    """RunSQL whose statements depend on the database vendor (sqlite, postgresql)."""

    def __init__(self, forward: dict[str, list[str]], backward: dict[str, list[str]]) -> None:
        self.by_vendor = forward
        self.back_by_vendor = backward
        super().__init__(sql=[], reverse_sql=[])

    def database_forwards(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor,
                          from_state: ProjectState, to_state: ProjectState) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in self.by_vendor:
            raise RuntimeError(f"no append-only triggers for database vendor {vendor!r}")
        # RunSQL._run_sql (Django's own statement runner) is private, so django-stubs omit it.
        self._run_sql(schema_editor, self.by_vendor[vendor])  # type: ignore[attr-defined]

    def database_backwards(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor,
                           from_state: ProjectState, to_state: ProjectState) -> None:
        self._run_sql(schema_editor, self.back_by_vendor[schema_editor.connection.vendor])  # type: ignore[attr-defined]

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__name__, [self.by_vendor, self.back_by_vendor], {})


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        VendorRunSQL(
            forward={"sqlite": triggers.SQLITE_CREATE, "postgresql": triggers.POSTGRES_CREATE},
            backward={"sqlite": triggers.SQLITE_DROP, "postgresql": triggers.POSTGRES_DROP},
        ),
        migrations.RunSQL(
            "INSERT INTO audit_chainhead (id, last_id, last_hash) VALUES "
            "(1, 0, '0000000000000000000000000000000000000000000000000000000000000000')",
            reverse_sql="DELETE FROM audit_chainhead WHERE id = 1",
        ),
    ]
