"""The trail's indexes: what its lookups need, and nothing that every written event pays for
without a query using it (migration audit 0003)."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_trail_keeps_its_unique_hash_and_subject_index_and_no_pattern_index() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "audit_auditevent")
    unique = {tuple(c["columns"]) for c in constraints.values() if c["unique"]}
    indexed = {tuple(c["columns"]) for c in constraints.values() if c["index"]}
    assert ("hash",) in unique  # a second event with the same hash is refused
    assert ("subject",) in indexed  # the subject's trail
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'audit_auditevent' "
                           "AND indexdef LIKE '%%pattern_ops%%'")
            assert cursor.fetchall() == []
