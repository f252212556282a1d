"""Receipt at the clinical site: the site's investigator takes custody, with an e-signature.

The receiver states when the shipment arrived and in what condition; the signature (password
re-asked, meaning "reviewed": the receiver checked the packing and each container's identity)
covers the shipment's :meth:`~..models.Shipment.signed_content`. Each container's custody
continues with a movement from the courier to the site. A transit longer than the shipment's
limit, or a damaged arrival, opens a deviation on each batch of the shipment in the same
transaction. Four eyes: whoever dispatched the shipment may not confirm its receipt.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.core.shipping.logger import transit_excursion
from stromalab.web.accounts.actions import sign
from stromalab.web.accounts.models import Signature
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_changes
from stromalab.web.audit.kinds import EventKind

from ..models import Shipment
from ..permissions import RECEIVERS
from .custody import custody_move, lock_batches, open_excursion_deviations

#: the longest receipt note (a paragraph)
MAX_NOTES = 2000


def _received_at(value: Any, shipment: Shipment) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValidationError({"received_at": _("a date and time is required")})
    at = value if timezone.is_aware(value) else timezone.make_aware(value)
    if at < shipment.dispatched_at.replace(second=0, microsecond=0):  # people give the minute
        raise ValidationError({"received_at": _("before the dispatch (%(at)s)") % {
            "at": f"{timezone.localtime(shipment.dispatched_at):%Y-%m-%d %H:%M}"}})
    if at > timezone.now():
        raise ValidationError({"received_at": _("in the future")})
    return at


def _already_received(shipment: Shipment) -> str:
    by = shipment.received_by.printed_name if shipment.received_by is not None else "?"
    at = f"{timezone.localtime(shipment.received_at):%Y-%m-%d %H:%M}" if shipment.received_at else "?"
    return _("shipment %(code)s was already received (by %(by)s on %(at)s): a receipt is signed once") % {
        "code": shipment.code, "by": by, "at": at}


@transaction.atomic(durable=True)
def confirm_receipt(*, shipment: Shipment, received_at: Any, condition: str, notes: str, password: str,
                    acting_user: Any) -> Shipment:
    """The receiving investigator confirms the shipment's arrival (see the module's docstring)."""
    check_role(acting_user, RECEIVERS)
    batches = lock_batches(shipment)
    shipment = Shipment.objects.select_for_update(of=("self",)).select_related("received_by").get(pk=shipment.pk)
    if shipment.status != Shipment.IN_TRANSIT:
        raise ValidationError(_already_received(shipment))
    if shipment.dispatched_by_id == acting_user.pk:
        raise PermissionDenied(_("four eyes: %(user)s dispatched shipment %(code)s; someone at the site confirms "
                                 "its receipt") % {"user": acting_user.username, "code": shipment.code})
    at = _received_at(received_at, shipment)
    if condition not in dict(Shipment.CONDITIONS):
        raise ValidationError({"condition": _("choose one of the listed conditions")})
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise ValidationError({"notes": _("at most %(count)s characters") % {"count": MAX_NOTES}})
    if condition == Shipment.DAMAGED and not notes:
        raise ValidationError({"notes": _("describe the damage")})
    old = {"status": shipment.status, "received_at": None, "condition": "", "receipt_notes": ""}
    shipment.status, shipment.received_at, shipment.received_by = Shipment.RECEIVED, at, acting_user
    shipment.condition, shipment.receipt_notes = condition, notes
    shipment.save(update_fields=["status", "received_at", "received_by", "condition", "receipt_notes"])
    shipment.signature = sign(acting_user=acting_user, password=password, meaning=Signature.REVIEWED,
                              record_type="shipping.Shipment", record_id=str(shipment.pk),
                              content=shipment.signed_content(), subject=shipment.code)
    shipment.save(update_fields=["signature"])
    record_changes(acting_user=acting_user, record=shipment, action=EventKind.UPDATE, require_reason=False,
                   reason=f"receipt confirmed at {shipment.site_label}",
                   changes={"status": (old["status"], shipment.status), "received_at": (None, at),
                            "condition": ("", condition), "receipt_notes": ("", notes),
                            "received_by": (None, acting_user.username)})
    for item in shipment.items.select_related("container", "transit_movement"):
        item.receipt_movement = custody_move(
            item.container, from_location=item.transit_movement.to_location,
            to_location=f"received at {shipment.site_label}", acting_user=acting_user,
            reason=f"receipt confirmed (shipment {shipment.code}, condition: {condition})")
        item.save(update_fields=["receipt_movement"])
        record_changes(acting_user=acting_user, record=item, action=EventKind.UPDATE, require_reason=False,
                       changes={"receipt_movement": (None, item.receipt_movement.pk)})
    transit = transit_excursion(shipment.dispatched_at, at, shipment.limits)
    if transit is not None:
        open_excursion_deviations(shipment, batches, check_id="shipping-transit", value=transit.value,
                                  limit=transit.limit, acting_user=acting_user,
                                  description=f"transit of shipment {shipment.code} lasted {transit.value}, "
                                              f"longer than {transit.limit}")
    if condition == Shipment.DAMAGED:
        open_excursion_deviations(shipment, batches, check_id="shipping-condition", value=condition, limit="intact",
                                  acting_user=acting_user,
                                  description=f"shipment {shipment.code} arrived damaged: {notes}"[:2000])
    return shipment
