"""Drop the pattern-matching copies PostgreSQL got of the audit trail's ``hash`` and ``subject``
indexes.

Django gives every indexed ``CharField`` on PostgreSQL a second, ``varchar_pattern_ops`` index
for ``LIKE 'x%'`` lookups. Nothing searches the trail by a prefix of a hash or a subject (the
trail filters by equality), yet every event written updated both. The hash one is the costly one:
hashes are random, so each event lands on a random page of an index as large as the trail (a
screening save of 48 events: its insert took 25 ms of the database's time at a million events,
13 ms without them, docs/performance.md). The unique index on ``hash`` and the index on
``subject`` stay. SQLite has no such indexes: nothing to do there.
"""

from typing import Any

from django.db import migrations

#: Django's names for them (``_create_index_name`` of the table, the column and ``_like``)
PATTERN_INDEXES = {
    "audit_auditevent_hash_d0c402da_like": "hash",
    "audit_auditevent_subject_213f9c8e_like": "subject",
}


def drop_pattern_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for name in PATTERN_INDEXES:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_pattern_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for name, column in PATTERN_INDEXES.items():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "audit_auditevent" ("{column}" varchar_pattern_ops)')


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(drop_pattern_indexes, create_pattern_indexes)]
