"""Closing an investigated record with the closer's e-signature: deviations and OOS records.

Both are closed the same way, and an inspector reads them the same way: the investigation's
conclusion is required, the closer re-enters the password (meaning "reviewed"), the signature
covers the record's ``signed_content()`` as it stands with the conclusion, and the change of
status, conclusion and any other decided field is audited as one ``close`` event per field.
The caller has locked the record (``select_for_update``) and checked its role rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from stromalab.web.audit.actions import record_changes
from stromalab.web.audit.kinds import EventKind

from .actions import sign
from .models import Signature

#: the longest conclusion stored (a page of text)
CONCLUSION_MAX_LENGTH = 4000


def clean_conclusion(conclusion: str) -> str:
    """The conclusion, stripped; refused (on the ``conclusion`` field) when empty or too long."""
    text = (conclusion or "").strip()
    if not text:
        raise ValidationError({"conclusion": "the investigation's summary and conclusion are required"})
    if len(text) > CONCLUSION_MAX_LENGTH:
        raise ValidationError({"conclusion": f"at most {CONCLUSION_MAX_LENGTH} characters"})
    return text


def close_with_signature(record: Any, *, conclusion: str, password: str, acting_user: Any,
                         open_status: str, closed_status: str,
                         decided: Mapping[str, tuple[Any, Any]] | None = None) -> Signature:
    """Set ``record`` closed with its conclusion (and ``decided`` fields: name → (old, new)),
    sign it and audit every change; returns the signature.

    A wrong password raises :class:`~stromalab.web.accounts.actions.SignatureError` before
    anything is saved; the caller's transaction then leaves the record as it was.
    """
    conclusion = clean_conclusion(conclusion)
    record.conclusion = conclusion
    for name, (_old, new) in (decided or {}).items():
        setattr(record, name, new)
    signature = sign(acting_user=acting_user, password=password, meaning=Signature.REVIEWED,
                     record_type=record._meta.label, record_id=str(record.pk),
                     content=record.signed_content(), subject=record.batch.code)
    record.status, record.closed_at, record.closed_by, record.signature = (
        closed_status, timezone.now(), acting_user, signature)
    record.save(update_fields=["status", "conclusion", "closed_at", "closed_by", "signature",
                               *(decided or {})])
    record_changes(acting_user=acting_user, record=record, action=EventKind.CLOSE,
                   reason=conclusion, require_reason=False,
                   changes={"status": (open_status, closed_status), **(decided or {}),
                            "conclusion": ("", conclusion)})
    return signature
