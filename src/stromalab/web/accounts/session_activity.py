"""The idle session timeout without a database write on every page view.

``SESSION_SAVE_EVERY_REQUEST`` implements an idle timeout by rewriting the session row on every
request: a write transaction per page view, serialised on SQLite and measured as the largest
fixed cost per request under concurrent load (docs/performance.md). Here the session is saved
again only when its last save is more than ``SESSION_REFRESH_SECONDS`` old, so a session ends
between ``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS`` and ``SESSION_COOKIE_AGE`` seconds after
the last request — never later than the configured idle lifetime, which is the side a security
setting must err on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings

#: the session key holding when the session was last saved (seconds since the epoch)
REFRESHED_AT = "_stromalab_refreshed_at"


class SessionActivityMiddleware:
    """Extends an authenticated session's expiry at most once per refresh interval."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(REFRESHED_AT, 0)) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_AT] = now  # marks the session modified: SessionMiddleware saves it
        return response
