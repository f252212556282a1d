"""Read-only look-ups of the shipping pages, API and actions: which containers may ship (and why
not), what blocks the use of a shipment's containers, the custody of each container."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.web.manufacturing.models import Batch, Container, Deviation, Movement

from .models import Shipment, ShipmentItem


def container_refusal(container: Container, today: dt.date) -> str | None:
    """Why ``container`` may not be dispatched now (None when it may), in the reader's language.

    It must be released, its batch released with no open deviation, in storage (a box and a
    position), never shipped before, its donor's consent still valid and not expired."""
    batch = container.batch
    if container.status == Container.DISPATCHED or hasattr(container, "shipment_item"):
        return _("already dispatched: a container ships once")
    if container.effective_status == Container.BLOCKED:
        return _("blocked: the donor's consent no longer allows its use")
    if batch.status != Batch.RELEASED:
        return _("its batch is %(status)s, not released by the qualified person") % {
            "status": batch.get_status_display()}
    if container.status != Container.RELEASED:
        return _("it is %(status)s, not released") % {"status": container.get_status_display()}
    if container.box_id is None or container.position is None:
        return _("it is not in storage (no box and position)")
    if container.expires_on is not None and container.expires_on < today:
        return _("expired on %(date)s") % {"date": container.expires_on.isoformat()}
    open_deviations = [d for d in batch.deviations.all() if d.status == Deviation.OPEN]
    if open_deviations:
        return _("its batch has an open deviation (%(label)s): the qualified person closes it first") % {
            "label": open_deviations[0].label}
    return None


def _with_batch(containers: QuerySet[Container]) -> QuerySet[Container]:
    return containers.select_related("box", "batch__donation__donor", "shipment_item").prefetch_related(
        "batch__deviations")


def shippable_containers(study_id: str) -> list[Container]:
    """The containers of ``study_id`` that may be dispatched today, in DIN order."""
    candidates = _with_batch(Container.objects.filter(
        status=Container.RELEASED, box__isnull=False, batch__status=Batch.RELEASED,
        batch__donation__donor__study_id=study_id)).order_by("din", "division")
    today = timezone.localdate()
    return [c for c in candidates if container_refusal(c, today) is None]


def containers_by_id(ids: Iterable[int]) -> list[Container]:
    """The containers ``ids`` names, with what :func:`container_refusal` reads."""
    return list(_with_batch(Container.objects.filter(pk__in=list(ids))).order_by("pk"))


def shipment_or_404(shipment_id: int) -> Shipment:
    return get_object_or_404(Shipment.objects.select_related("dispatched_by", "received_by", "signature"),
                             pk=shipment_id)


def shipment_batches(shipment: Shipment) -> QuerySet[Batch]:
    """The batches whose containers travel in ``shipment``."""
    return Batch.objects.filter(containers__shipment_item__shipment=shipment).distinct().order_by("pk")


def use_blockers(shipment: Shipment) -> list[Deviation]:
    """The open deviations of the shipment's batches: while any is open, the containers are not
    to be used (the qualified person investigates and closes it, like any deviation)."""
    return list(Deviation.objects.filter(batch__in=shipment_batches(shipment), status=Deviation.OPEN)
                .select_related("batch").order_by("id"))


@dataclass(frozen=True)
class Custody:
    """One container of a shipment and the movements of its journey, in order."""

    item: ShipmentItem
    movements: tuple[Movement, ...]


def custody(shipment: Shipment) -> list[Custody]:
    """Each container's movements from storage to the site (dispatch, in transit, received)."""
    items = shipment.items.select_related(
        "container", "dispatch_movement__by", "transit_movement__by", "receipt_movement__by")
    return [Custody(item, tuple(m for m in (item.dispatch_movement, item.transit_movement, item.receipt_movement)
                                if m is not None)) for item in items]
