"""Helpers of the shipping actions (undecorated: they run in the calling action's transaction):
a custody movement of a container already out of storage, and the deviations an excursion opens.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.manufacturing.actions.deviations import open_deviation
from stromalab.web.manufacturing.models import Batch, Container, Movement

from ..models import LoggerFile, Shipment, ShipmentDeviation


def custody_move(container: Container, *, from_location: str, to_location: str, reason: str,
                 acting_user: Any) -> Movement:
    """A movement of the chain of custody outside storage (to the courier, to the site): the
    container has no box any more, so the places are named; audited like every movement."""
    movement = Movement.objects.create(container=container, kind=Movement.MOVE, from_location=from_location[:200],
                                       to_location=to_location[:200], at=timezone.now(), by=acting_user,
                                       reason=reason)
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=movement,
                 new={"kind": Movement.MOVE, "from": movement.from_location, "to": movement.to_location},
                 reason=reason)
    return movement


def lock_batches(shipment: Shipment) -> list[Batch]:
    """The shipment's batches, locked in id order (release and deviation closure lock the batch
    first too, so the actions never wait on each other in a cycle)."""
    ids = list(Container.objects.filter(shipment_item__shipment=shipment).values_list("batch_id", flat=True))
    return list(Batch.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def open_excursion_deviations(shipment: Shipment, batches: list[Batch], *, check_id: str, description: str,
                              value: str, limit: str, acting_user: Any,
                              logger_file: LoggerFile | None = None) -> list[ShipmentDeviation]:
    """One open deviation per batch of the shipment, through manufacturing's own way of opening
    one (it then blocks like any deviation), each linked to the shipment; audited."""
    reason = f"opened automatically by shipment {shipment.code}: {description}"
    links = []
    for batch in batches:
        deviation = open_deviation(batch=batch, check_id=check_id, description=description, value=value,
                                   limit=limit, reason=reason, acting_user=acting_user)
        link = ShipmentDeviation.objects.create(shipment=shipment, deviation=deviation, logger_file=logger_file)
        record_event(acting_user=acting_user, action=EventKind.CREATE, record=link,
                     new={"deviation": deviation.pk, "batch": batch.code, "check": check_id,
                          "logger_file": logger_file.pk if logger_file else None})
        links.append(link)
    return links
