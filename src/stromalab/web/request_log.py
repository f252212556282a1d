"""One JSON line per request, for the hospital's log collector.

Each line carries the request id (the proxy's ``X-Request-ID`` when it is a plain token, else a new
one, sent back in the response so a user's report can be matched to the line), the method, the
path without its query string (a search may hold a name), the status, the duration in
milliseconds and the user's numeric id. Never a donor's identity, a username or a form value:
the lines leave the application's access control.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("stromalab.request")

_TOKEN = re.compile(r"[A-Za-z0-9._-]{8,64}")

#: attributes every LogRecord has; anything else given through ``extra=`` is a field of the line
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes each record to ``sys.stderr`` as it is at that moment, not as it was when logging
    was configured: a test runner swaps standard error per test, and a server thread that
    outlives one test would otherwise write into a closed stream."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass  # set by StreamHandler.__init__; the current sys.stderr is always used


class JsonLineFormatter(logging.Formatter):
    """A log record as one JSON object: time (UTC), level, logger, message and extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class RequestLogMiddleware:
    """Assigns the request id and writes the request's line once the response is ready."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _TOKEN.fullmatch(offered) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        start = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            user = getattr(request, "auth", None)  # API: token or basic authentication
        logger.info("request", extra={
            "request_id": request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - start) * 1000, 1),
            "user_id": getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None,
        })
        response["X-Request-ID"] = request_id
        return response
