"""The idle timeout extends a session at most once a minute instead of writing it on every page."""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stromalab.web.accounts import session_activity


def _session_writes(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries
            if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]


def test_pages_within_the_refresh_interval_do_not_rewrite_the_session(client_as: Any) -> None:
    client = client_as("investigator")
    client.get("/")  # the first page after login records when the session was refreshed
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        assert _session_writes(ctx) == []


def test_a_request_after_the_interval_extends_the_session(client_as: Any) -> None:
    client = client_as("investigator")
    client.get("/")
    key = client.session.session_key
    before = Session.objects.get(session_key=key).expire_date
    later = session_activity.time.time() + settings.SESSION_REFRESH_SECONDS + 5
    with mock.patch.object(session_activity.time, "time", return_value=later), \
            CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    assert _session_writes(ctx), "the session was not saved once the refresh interval had passed"
    assert Session.objects.get(session_key=key).expire_date > before


def test_the_session_never_outlives_the_configured_idle_lifetime() -> None:
    assert 0 < settings.SESSION_REFRESH_SECONDS < settings.SESSION_COOKIE_AGE
    assert not settings.SESSION_SAVE_EVERY_REQUEST


def test_a_page_reads_its_session_from_the_cache_and_the_user_row_still_decides(client_as: Any) -> None:
    """Sessions are cached and written through (one query less per page); a session in the
    cache does not outlive what the user row says: deactivated, the user is logged out."""
    client = client_as("investigator")
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"]]
    assert Session.objects.filter(session_key=client.session.session_key).exists()  # written through
    type(client.user).objects.filter(pk=client.user.pk).update(is_active=False)
    assert client.get("/").status_code == 302  # sent to the login page
