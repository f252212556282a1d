"""The qualified person's signed decision on a batch: released or rejected.

The decision signs the release summary's content (:meth:`ReleaseSummary.content
<stromalab.web.quality.queries.ReleaseSummary.content>`); a release is refused while the
summary lists any blocker, and for anyone who took part in the batch's QC (four eyes). The
batch and its quarantined containers then take the decision's status, audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from stromalab.web.accounts.actions import sign
from stromalab.web.accounts.models import Signature
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_changes, record_event
from stromalab.web.audit.canonical import canonical_json
from stromalab.web.audit.kinds import EventKind
from stromalab.web.manufacturing.models import Batch, Container

from .. import models as m
from ..permissions import RELEASERS
from ..queries import qc_participants, release_summary
from .inputs import clean_text


class ReleaseRefused(ValidationError):
    """The batch cannot be released now; ``messages`` lists every reason."""


class FourEyesViolation(PermissionDenied):
    """The acting user took part in the batch's QC and so may not decide on its release."""


@transaction.atomic(durable=True)
def release_batch(*, batch: Batch, password: str, acting_user: Any) -> m.ReleaseDecision:
    """The qualified person releases the batch with an e-signature (meaning "released").

    Refused (:class:`ReleaseRefused`, every reason listed) unless the release summary has no
    blocker; refused (:class:`FourEyesViolation`) for anyone who took part in its QC. Sets the
    batch and its quarantined containers to released, audited."""
    return _decide(batch=batch, password=password, acting_user=acting_user,
                   decision=m.ReleaseDecision.RELEASED, reason="")


@transaction.atomic(durable=True)
def reject_batch(*, batch: Batch, password: str, reason: str, acting_user: Any) -> m.ReleaseDecision:
    """The qualified person rejects the batch with an e-signature (meaning "reviewed") and a
    reason; the batch and its quarantined containers become rejected."""
    reason = clean_text(reason, "reason", 2000)
    if not reason:
        raise ValidationError({"reason": "a reason is required to reject a batch"})
    return _decide(batch=batch, password=password, acting_user=acting_user,
                   decision=m.ReleaseDecision.REJECTED, reason=reason)


def _decide(*, batch: Batch, password: str, acting_user: Any, decision: str, reason: str) -> m.ReleaseDecision:
    """Sign ``decision`` on the batch and apply it to the batch and its quarantined containers."""
    check_role(acting_user, RELEASERS)
    batch = Batch.objects.select_for_update().select_related("donation__donor").get(pk=batch.pk)
    if acting_user.pk in qc_participants(batch):
        raise FourEyesViolation(
            f"four eyes: {acting_user.username} entered or corrected QC results of {batch.code}; "
            "another qualified person must decide on its release")
    summary = release_summary(batch)
    if summary.decision is not None:
        raise ReleaseRefused(f"batch {batch.code} is already {summary.decision.decision}")
    if decision == m.ReleaseDecision.RELEASED and summary.blockers:
        raise ReleaseRefused(summary.blockers)
    if decision == m.ReleaseDecision.REJECTED and batch.status not in (Batch.IN_PROCESS, Batch.QUARANTINE):
        raise ReleaseRefused(f"batch is {batch.get_status_display()}: it cannot be rejected")
    content = summary.content(decision)
    record = m.ReleaseDecision.objects.create(batch=batch, decision=decision, reason=reason,
                                              summary_json=canonical_json(content), decided_by=acting_user)
    released = decision == m.ReleaseDecision.RELEASED
    record.signature = sign(acting_user=acting_user, password=password,
                            meaning=Signature.RELEASED if released else Signature.REVIEWED,
                            record_type="quality.ReleaseDecision", record_id=str(record.pk),
                            content=content, subject=batch.code)
    record.save(update_fields=["signature"])
    record_event(acting_user=acting_user, action=EventKind.RELEASE if released else EventKind.REJECT,
                 record=record, reason=reason,
                 new={"decision": decision, "content_hash": record.signature.content_hash,
                      "specification_version": summary.specification.version})
    why = reason or f"batch {decision} by the qualified person"
    record_changes(acting_user=acting_user, record=batch, changes={"status": (batch.status, decision)},
                   reason=why)
    batch.status = decision
    batch.save(update_fields=["status"])
    target = Container.RELEASED if released else Container.REJECTED
    for container in Container.objects.select_for_update().filter(batch=batch, status=Container.QUARANTINE):
        record_changes(acting_user=acting_user, record=container,
                       changes={"status": (container.status, target)}, reason=why)
        container.status = target
        container.save(update_fields=["status"])
    return record
