"""The API's ``Idempotency-Key`` header: a POST repeated with the same key runs once.

Registered on the whole API (``api.add_decorator`` in web/api.py) in ninja's "operation" mode,
so it runs after authentication and payload validation: the key is claimed for the
authenticated user (keys are scoped per user, a client cannot replay another's answer), with
the SHA-256 of the body. A repeat with the same key, path and body gets the stored status and
JSON body again (header ``Idempotent-Replayed: true``); the same key with another body or path
is refused with 422; a repeat arriving while the first is still running waits for its answer.
The middleware (:mod:`.middleware`) records the outcome: a 2xx is kept, anything else
releases the key for a corrected retry.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException

from . import claims
from .middleware import CLAIM_ATTRIBUTE
from .models import Submission

HEADER = "Idempotency-Key"
_MAX_KEY = 255


def body_sha256(request: HttpRequest) -> str:
    """SHA-256 of the request's body; for a multipart upload, whose raw body Django has
    streamed away, of its fields and files' names and contents."""
    try:
        return hashlib.sha256(request.body).hexdigest()
    except RawPostDataException:
        digest = hashlib.sha256()
        for name, values in sorted(request.POST.lists()):
            digest.update(repr((name, values)).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(repr((name, upload.name, upload.size)).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
        return digest.hexdigest()


def _valid_key(key: str) -> bool:
    return 0 < len(key) <= _MAX_KEY and all(" " < ch <= "~" for ch in key)


def idempotent(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an API operation: claim the request's ``Idempotency-Key`` before it runs."""

    @functools.wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return view_func(request, *args, **kwargs)
        if not _valid_key(key):
            return JsonResponse({"detail": [f"{HEADER}: 1 to {_MAX_KEY} visible ASCII characters"]}, status=400)
        try:
            outcome = claims.claim(user=request.auth, channel=Submission.API, key=key,  # type: ignore[attr-defined]
                                   method="POST", path=request.path, body_sha256=body_sha256(request))
        except claims.KeyReused as error:
            return JsonResponse({"detail": [f"{HEADER}: {error}"]}, status=422)
        except claims.StillRunning as error:
            return JsonResponse({"detail": [f"{HEADER}: {error}"]}, status=409)
        if isinstance(outcome, Submission):
            replay = HttpResponse(outcome.body, status=outcome.status_code or 200,
                                  content_type=outcome.content_type or "application/json")
            replay["Idempotent-Replayed"] = "true"
            return replay
        setattr(request, CLAIM_ATTRIBUTE, outcome)
        return view_func(request, *args, **kwargs)

    return wrapper
