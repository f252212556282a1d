"""On PostgreSQL a query the pages repeat is prepared on the server after five runs on a
connection (``settings.DATABASES``): PostgreSQL then neither parses nor plans it again."""

from __future__ import annotations

import pytest
from django.db import connection

from stromalab.web.accounts.models import User

pytestmark = pytest.mark.django_db


def test_a_repeated_query_is_prepared_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements: this test runs in the PostgreSQL half of the suite")

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    for name in ("a", "b", "c", "d"):
        assert not User.objects.filter(username=name).exists()
    assert not [s for s in prepared() if '"accounts_user"' in s]
    for name in ("e", "f"):  # the fifth run prepares it, whatever the parameters
        assert not User.objects.filter(username=name).exists()
    assert [s for s in prepared() if '"accounts_user"' in s and "$1" in s]
