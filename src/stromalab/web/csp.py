"""Content-Security-Policy: the browser runs only the application's own scripts.

An escaping mistake somewhere in a page must not become script execution: scripts load only from
the application itself, or inline with this response's nonce (``request.csp_nonce``, a fresh
random value per response, which a template puts on its ``<script>`` tags); no inline event
handlers, plugins, foreign frames, base tags or form targets. Styles may be inline (the pages and
the API documentation's Swagger UI use style attributes); images come from the application or
``data:`` URLs (Swagger UI's icons). Django 5.2 has no CSP of its own (6.0 will).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


def policy(nonce: str) -> str:
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault(HEADER, policy(nonce))
        return response
