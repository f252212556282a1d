"""Dispatch: released containers leave storage for a clinical site, in one transaction.

Each container is taken out of storage by manufacturing's own rule and movement
(:func:`~stromalab.web.manufacturing.actions.storage.take_out_of_storage`: released, consent
valid, status ``dispatched``, box and position freed) into the packing, then handed to the
courier (a second movement, "in transit"). A dispatched container can no longer be moved,
dispatched again or stored by the manufacturing actions, so a container in an open shipment is
used by nothing else. Every refusal names the field at fault and leaves nothing written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.core.shipping.plan import ShippingPlan
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.manufacturing.actions.storage import take_out_of_storage
from stromalab.web.manufacturing.models import Batch, Container

from ..config import shipping_plan
from ..models import Shipment, ShipmentItem
from ..permissions import DISPATCHERS
from ..queries import container_refusal, containers_by_id
from .custody import custody_move

#: a packing's identifier as engraved or labelled on it (dry shipper serial, box number)
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./_-]{0,39}")
#: the most containers one shipment carries (a dry shipper holds a few canisters)
MAX_CONTAINERS = 100


def _chosen(plan: ShippingPlan, kind: str, field: str, value: str) -> str:
    """The English label of the plan's choice ``value`` (refused beside ``field`` otherwise)."""
    choice = plan.choice(kind, str(value or ""))
    if choice is None:
        raise ValidationError({field: _("choose one of the protocol's values (%(values)s)") % {
            "values": ", ".join(c.value for c in getattr(plan, kind))}})
    return choice.en


def _identifier(value: Any) -> str:
    text = " ".join(str(value or "").split())
    if not IDENTIFIER.fullmatch(text):
        raise ValidationError({"packing_identifier": _(
            "the packing's identifier as written on it: 1 to 40 letters, digits, spaces or . / _ -")})
    return text


def _containers(ids: Sequence[Any], study_id: str) -> list[Container]:
    """The containers asked for, locked, each allowed to ship (every refusal listed at once)."""
    try:
        wanted = sorted({int(i) for i in ids})
    except (TypeError, ValueError):
        raise ValidationError({"containers": _("containers are named by their ids")}) from None
    if not wanted:
        raise ValidationError({"containers": _("choose at least one container")})
    if len(wanted) > MAX_CONTAINERS:
        raise ValidationError({"containers": _("at most %(count)s containers in one shipment") % {
            "count": MAX_CONTAINERS}})
    batch_ids = set(Container.objects.filter(pk__in=wanted).values_list("batch_id", flat=True))
    list(Batch.objects.select_for_update().filter(pk__in=batch_ids).order_by("pk"))  # release's lock order
    list(Container.objects.select_for_update(of=("self",)).filter(pk__in=wanted).order_by("pk"))
    containers = containers_by_id(wanted)
    if len(containers) != len(wanted):
        raise ValidationError({"containers": _("no such container: %(ids)s") % {
            "ids": ", ".join(str(i) for i in sorted(set(wanted) - {c.pk for c in containers}))}})
    today = timezone.localdate()
    problems = []
    for container in containers:
        refusal = container_refusal(container, today)
        if refusal is None and container.batch.donation.donor.study_id != study_id:
            refusal = _("it belongs to another study than %(study)s") % {"study": study_id}
        if refusal is not None:
            problems.append(_("container %(container)s (batch %(batch)s): %(why)s") % {
                "container": container.identifier, "batch": container.batch.code, "why": refusal})
    if problems:
        raise ValidationError({"containers": problems})
    return containers


@transaction.atomic(durable=True)
def dispatch_shipment(*, study_id: str, site: str, courier: str, packing: str, packing_identifier: str,
                      containers: Sequence[Any], acting_user: Any) -> Shipment:
    """Dispatch the containers (ids) of ``study_id`` to ``site`` with ``courier`` in ``packing``.

    The site, courier and packing are values of the study's ``shipping.yaml``; its limits are
    copied onto the shipment. Each container must be released, its batch released without an
    open deviation, in storage and never shipped. Audited: the shipment, each container's
    status and its two movements (into the packing; to the courier, in transit)."""
    check_role(acting_user, DISPATCHERS)
    plan = shipping_plan(study_id)
    labels = {"site": _chosen(plan, "sites", "site", site), "courier": _chosen(plan, "couriers", "courier", courier),
              "packing": _chosen(plan, "packings", "packing", packing)}
    identifier = _identifier(packing_identifier)
    chosen = _containers(containers, study_id)
    shipment = Shipment.objects.create(
        study_id=study_id, site=site, site_label=labels["site"], courier=courier, courier_label=labels["courier"],
        packing=packing, packing_label=labels["packing"], packing_identifier=identifier,
        temperature_min_c=plan.limits.temperature_min_c, temperature_max_c=plan.limits.temperature_max_c,
        max_transit_hours=plan.limits.max_transit_hours, dispatched_at=timezone.now(), dispatched_by=acting_user)
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=shipment, new={
        "site": site, "courier": courier, "packing": packing, "packing_identifier": identifier,
        "containers": [c.identifier for c in chosen],
        "limits": {"temperature_min_c": shipment.temperature_min_c, "temperature_max_c": shipment.temperature_max_c,
                   "max_transit_hours": shipment.max_transit_hours}})
    packed = f"shipment {shipment.code}: packed in {labels['packing']} {identifier}"
    in_transit = f"in transit with {labels['courier']} to {labels['site']}"
    for container in chosen:
        out = take_out_of_storage(container, destination=packed, acting_user=acting_user,
                                  reason=f"dispatched to {labels['site']} (shipment {shipment.code})")
        transit = custody_move(container, from_location=packed, to_location=in_transit, acting_user=acting_user,
                               reason=f"handed to the courier {labels['courier']} (shipment {shipment.code})")
        item = ShipmentItem.objects.create(shipment=shipment, container=container, dispatch_movement=out,
                                           transit_movement=transit)
        record_event(acting_user=acting_user, action=EventKind.CREATE, record=item,
                     new={"container": container.identifier, "dispatch_movement": out.pk,
                          "transit_movement": transit.pk})
    return shipment
