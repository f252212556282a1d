"""The REST API (django-ninja): OpenAPI at ``/api/openapi.json``, docs at ``/api/docs``.

Authentication, for every operation: the browser session (with CSRF), a bearer token
(``Authorization: Bearer <token>``, created on the "API tokens" page) or HTTP basic auth
(same lockout as the login page). Each app contributes a ``router`` in its ``api.py``;
add new ones to ``ROUTERS``. Operations check roles with
:func:`stromalab.web.accounts.permissions.api_role` and call the same ``actions.py``
functions as the views.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from ninja import NinjaAPI

from stromalab.web.accounts.actions import SignatureError, record_login_failure
from stromalab.web.accounts.api_auth import default_auth
from stromalab.web.feedback import error_messages, field_problems
from stromalab.web.submissions.api import idempotent

#: (prefix, module with a ``router``): later apps append here.
ROUTERS = [
    ("/accounts", "stromalab.web.accounts.api"),
    ("/audit", "stromalab.web.audit.api"),
    ("/donors", "stromalab.web.donors.api"),
    ("/screening", "stromalab.web.screening.api"),
    ("/warehouse", "stromalab.web.warehouse.api"),
    ("/manufacturing", "stromalab.web.manufacturing.api"),
    ("/quality", "stromalab.web.quality.api"),
    ("/materials", "stromalab.web.materials.api"),
    ("/shipping", "stromalab.web.shipping.api"),
    ("/safety", "stromalab.web.safety.api"),
    ("/dashboard", "stromalab.web.dashboard.api"),
    ("/exports", "stromalab.web.exports.api"),
]


api = NinjaAPI(
    title="stromalab",
    version="1",
    description=("Study data API: donors, consent, screening, eligibility, enrollment, audit.\n\n"
                 "Every POST accepts an `Idempotency-Key` header (1 to 255 visible ASCII characters, "
                 "e.g. a UUID, scoped to the caller): a repeat with the same key and body is not run "
                 "again but answered with the first answer (`Idempotent-Replayed: true`); the same key "
                 "with another body is refused with 422. A refused request (4xx) frees its key."),
    auth=default_auth(),
    urls_namespace="api",
)
# a POST with an Idempotency-Key runs once (claimed after authentication: web/submissions/api.py)
api.add_decorator(idempotent)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: Any, exc: Exception) -> Any:
    return api.create_response(request, {"detail": str(exc) or "permission denied"}, status=403)


@api.exception_handler(DataError)
def _data_error(request: Any, exc: Exception) -> Any:
    # e.g. a NUL character or an over-long value refused by PostgreSQL: the client's input
    return api.create_response(request, {"detail": "invalid value for the database"}, status=400)


@api.exception_handler(UnicodeError)
def _unencodable_text(request: Any, exc: Exception) -> Any:
    # a lone surrogate ("\ud800") decoded from JSON, met before any row is saved
    return api.create_response(request, {"detail": ["text contains an invalid character (a lone "
                                                     "surrogate)"]}, status=400)


@api.exception_handler(SignatureError)
def _signature_refused(request: Any, exc: SignatureError) -> Any:
    """A wrong password on an e-signature counts toward the lockout, like a failed login; the
    action's transaction has rolled back, so the failure is recorded here, in one place."""
    record_login_failure(user=request.auth, channel="signature")
    return _validation_error(request, exc)


@api.exception_handler(ValidationError)
def _validation_error(request: Any, exc: ValidationError) -> Any:
    """400 with one readable line per problem (``detail``, the field's label first, as on the
    pages) and, for a client that marks its own fields, the problems by field key (``fields``)."""
    problems = dict(field_problems(exc))
    body: dict[str, Any] = {"detail": error_messages(exc)}
    fields = {field: lines for field, lines in problems.items() if field != "__all__"}
    if fields:
        body["fields"] = fields
    return api.create_response(request, body, status=400)


for _prefix, _module in ROUTERS:
    api.add_router(_prefix, importlib.import_module(_module).router)
