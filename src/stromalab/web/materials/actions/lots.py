"""Lots of media, reagents and consumables: received into quarantine with the supplier's
certificate, then released or rejected by the qualified person under an e-signature.

Four eyes: whoever received a lot may not release or reject it, whatever their role now; the
receipt is the first check (the right product, the certificate on file), the release the
second. A release needs the certificate on file and a lot not yet expired; a rejection is
final. Every change is audited in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.web.accounts.actions import sign
from stromalab.web.accounts.models import Signature
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_changes, record_event
from stromalab.web.audit.kinds import EventKind

from .. import certificates
from ..inputs import choice, date, text
from ..models import Lot
from ..permissions import LOT_DECIDERS, RECEIVERS


@transaction.atomic(durable=True)
def receive_lot(*, kind: str, name: str, supplier: str, catalogue_number: str, lot_number: str,
                expires_on: Any, acting_user: Any,
                certificate: certificates.Certificate | None = None) -> Lot:
    """Register a lot as received (in quarantine), with the supplier's certificate (a PDF)."""
    check_role(acting_user, RECEIVERS)
    lot = Lot(kind=choice(kind, "kind", Lot.KINDS), name=text(name, "name"), supplier=text(supplier, "supplier"),
              catalogue_number=text(catalogue_number, "catalogue_number", max_length=100),
              lot_number=text(lot_number, "lot_number", max_length=100),
              expires_on=date(expires_on, "expires_on"), received_by=acting_user)
    if Lot.objects.filter(supplier=lot.supplier, catalogue_number=lot.catalogue_number,
                          lot_number=lot.lot_number).exists():
        raise ValidationError({"lot_number": _("lot %(lot)s of %(supplier)s %(catalogue)s is already registered") % {
            "lot": lot.lot_number, "supplier": lot.supplier, "catalogue": lot.catalogue_number}})
    if certificate is not None:
        certificates.check(certificate)
    lot.save()
    staged = None
    try:
        if certificate is not None:
            staged = certificates.stage(certificate, lot.pk)
            lot.certificate_name, lot.certificate_path = staged.name, staged.relative
            lot.certificate_sha256, lot.certificate_size = staged.sha256, staged.size
            lot.save(update_fields=["certificate_name", "certificate_path", "certificate_sha256",
                                    "certificate_size"])
        record_event(acting_user=acting_user, action=EventKind.CREATE, record=lot, new={
            "kind": lot.kind, "name": lot.name, "supplier": lot.supplier,
            "catalogue_number": lot.catalogue_number, "lot_number": lot.lot_number,
            "expires_on": lot.expires_on, "status": lot.status,
            "certificate": {"name": lot.certificate_name, "sha256": lot.certificate_sha256,
                            "path": lot.certificate_path} if staged else None})
        # last, once every row is written: the file moves into place just before the commit
        if staged is not None:
            certificates.publish(staged)
    except BaseException:
        certificates.discard(staged)
        raise
    return lot


@transaction.atomic(durable=True)
def attach_certificate(*, lot: Lot, certificate: certificates.Certificate, acting_user: Any) -> Lot:
    """File the supplier's certificate of a lot received without it (while in quarantine)."""
    check_role(acting_user, RECEIVERS)
    certificates.check(certificate)
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    if lot.certificate_sha256:
        raise ValidationError({"certificate": _("lot %(lot)s already has its certificate on file") % {
            "lot": lot.lot_number}})
    if lot.status != Lot.QUARANTINE:
        raise ValidationError({"certificate": _("lot %(lot)s is no longer in quarantine") % {"lot": lot.lot_number}})
    staged = certificates.stage(certificate, lot.pk)
    try:
        lot.certificate_name, lot.certificate_path = staged.name, staged.relative
        lot.certificate_sha256, lot.certificate_size = staged.sha256, staged.size
        lot.save(update_fields=["certificate_name", "certificate_path", "certificate_sha256", "certificate_size"])
        record_changes(acting_user=acting_user, record=lot, require_reason=False, changes={
            "certificate": (None, {"name": staged.name, "sha256": staged.sha256, "path": staged.relative})})
        certificates.publish(staged)
    except BaseException:
        certificates.discard(staged)
        raise
    return lot


@transaction.atomic(durable=True)
def decide_lot(*, lot: Lot, decision: str, reason: str, password: str, acting_user: Any) -> Lot:
    """Release or reject a lot (``decision``: ``released`` / ``rejected``) with a reason and the
    qualified person's e-signature (password re-asked; a wrong one raises
    :class:`~stromalab.web.accounts.actions.SignatureError`, counted toward the lockout by the
    page or the API, and nothing is written)."""
    check_role(acting_user, LOT_DECIDERS)
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    decision = choice(decision, "decision", [(Lot.RELEASED, _("released")), (Lot.REJECTED, _("rejected"))])
    reason = text(reason, "reason", max_length=2000)
    if lot.received_by_id == acting_user.pk:
        raise PermissionDenied(_("four eyes: %(user)s received lot %(lot)s; another qualified person must "
                                 "release or reject it") % {"user": acting_user.username, "lot": lot.lot_number})
    allowed = {Lot.QUARANTINE: (Lot.RELEASED, Lot.REJECTED), Lot.RELEASED: (Lot.REJECTED,)}.get(lot.status, ())
    if decision not in allowed:
        raise ValidationError({"decision": _("lot %(lot)s is %(status)s: it cannot be %(decision)s") % {
            "lot": lot.lot_number, "status": lot.get_status_display(),
            "decision": dict(Lot.STATUSES)[decision]}})
    if decision == Lot.RELEASED:
        if not lot.certificate_sha256:
            raise ValidationError({"decision": _("lot %(lot)s has no supplier's certificate on file") % {
                "lot": lot.lot_number}})
        if lot.expires_on < timezone.localdate():
            raise ValidationError({"decision": _("lot %(lot)s expired on %(date)s") % {
                "lot": lot.lot_number, "date": lot.expires_on.isoformat()}})
    old = lot.status
    lot.status, lot.status_reason = decision, reason
    lot.status_signature = sign(
        acting_user=acting_user, password=password,
        meaning=Signature.RELEASED if decision == Lot.RELEASED else Signature.REVIEWED,
        record_type=lot._meta.label, record_id=str(lot.pk), content=lot.signed_content(), subject=lot.lot_number)
    lot.status_changed_at, lot.status_changed_by = timezone.now(), acting_user
    lot.save(update_fields=["status", "status_reason", "status_signature", "status_changed_at",
                            "status_changed_by"])
    record_changes(acting_user=acting_user, record=lot, changes={"status": (old, decision)}, reason=reason,
                   action=EventKind.RELEASE if decision == Lot.RELEASED else EventKind.REJECT)
    return lot
