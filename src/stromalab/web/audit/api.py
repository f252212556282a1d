"""Audit trail through the API (read only)."""


from typing import Any

from ninja import Router, Schema

from stromalab.web.accounts.permissions import api_op

from .checkpoints import CheckpointError, verify_trail
from .models import AuditEvent
from .permissions import READERS, VERIFIERS
from .visibility import as_seen_by

router = Router(tags=["audit"])


class EventOut(Schema):
    id: int
    at: str
    username: str
    action: str
    record_type: str
    record_id: str
    subject: str
    field: str
    old: str | None
    new: str | None
    reason: str
    hash: str


class VerifyOut(Schema):
    ok: bool
    count: int
    broken_id: int | None
    problem: str


@api_op(router, "GET", "/events", READERS, response=list[EventOut])
def list_events(request: Any, subject: str = "", after_id: int = 0, limit: int = 100) -> Any:
    limit = max(1, min(limit, 1000))
    qs = AuditEvent.objects.filter(id__gt=max(after_id, 0)).order_by("id")
    if subject:
        qs = qs.filter(subject=subject)
    return as_seen_by(request.auth, qs[:limit])


@api_op(router, "GET", "/verify", VERIFIERS, response=VerifyOut)
def verify(request: Any) -> Any:
    try:
        return verify_trail()
    except CheckpointError as error:
        return VerifyOut(ok=False, count=0, broken_id=None, problem=str(error))
