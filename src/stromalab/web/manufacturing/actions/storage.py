"""Storage and chain of custody: boxes, the batch's initial storage, moves and dispatch.

Every placement is a :class:`~..models.Movement` (from, to, who, when, why), audited with the
container's old and new position.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stromalab.core.manufacturing import batch_record
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_changes, record_event
from stromalab.web.audit.kinds import EventKind

from ..models import Batch, Box, Container, Movement, Step
from ..permissions import WRITERS
from .guards import TransitionError, open_step, require
from .inputs import text
from .recording import complete


@transaction.atomic(durable=True)
def create_box(*, tank: str, rack: str, name: str, rows: int = 9, columns: int = 9, acting_user: Any) -> Box:
    check_role(acting_user, WRITERS)
    rows, columns = int(rows), int(columns)
    if not 1 <= rows <= 26:
        raise ValidationError({"rows": "a box has 1 to 26 rows"})
    if not 1 <= columns <= 26:
        raise ValidationError({"columns": "a box has 1 to 26 columns"})
    tank, rack, name = (text(tank, "tank", max_length=50), text(rack, "rack", max_length=50),
                        text(name, "name", max_length=50))
    if Box.objects.filter(tank=tank, rack=rack, name=name).exists():
        raise ValidationError({"name": f"box {tank} / {rack} / {name} already exists"})
    box = Box.objects.create(tank=tank, rack=rack, name=name, rows=rows, columns=columns)
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=box,
                 new={"tank": tank, "rack": rack, "name": name, "rows": rows, "columns": columns})
    return box


def _move(container: Container, box: Box | None, position: int | None, kind: str, reason: str,
          acting_user: Any, destination: str = "") -> Movement:
    old_location = container.location
    old = {"box": container.box_id, "position": container.position}
    container.box, container.position = box, position
    container.save(update_fields=["box", "position"])
    to_location = container.location or destination
    movement = Movement.objects.create(container=container, kind=kind, from_location=old_location,
                                       to_location=to_location, at=timezone.now(), by=acting_user,
                                       reason=reason)
    record_changes(acting_user=acting_user, record=container, require_reason=False, reason=reason,
                   action=EventKind.UPDATE,
                   changes={"box": (old["box"], container.box_id), "position": (old["position"], position)})
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=movement,
                 new={"kind": kind, "from": old_location, "to": to_location}, reason=reason)
    return movement


@transaction.atomic(durable=True)
def store_batch(*, batch: Batch, box: Box, password: str, acting_user: Any, start_position: int = 1) -> Step:
    """Put every container of the batch into free positions of ``box`` (from ``start_position``)
    and sign the storage step."""
    check_role(acting_user, WRITERS)
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    steps = require(batch, batch_record.STORAGE)
    step = open_step(batch, steps, Step.STORAGE, acting_user=acting_user)
    box = Box.objects.select_for_update().get(pk=box.pk)
    containers = list(Container.objects.select_for_update().filter(batch=batch, box__isnull=True)
                      .exclude(status=Container.DISPATCHED).order_by("division"))
    used = set(Container.objects.filter(box=box).values_list("position", flat=True))
    free = [p for p in range(max(1, int(start_position)), box.capacity + 1) if p not in used]
    if len(free) < len(containers):
        raise ValidationError({"box": f"box {box}: {len(free)} free positions from position {start_position}, "
                                      f"{len(containers)} containers to store"})
    placed = []
    for container, position in zip(containers, free, strict=False):
        _move(container, box, position, Movement.STORE, "initial storage after freezing", acting_user)
        placed.append({"container": container.identifier, "position": box.position_label(position)})
    data = {"box": str(box), "box_id": box.pk, "placed": placed, "stored_at": timezone.now()}
    complete(step, data, password=password, acting_user=acting_user)
    return step


@transaction.atomic(durable=True)
def move_container(*, container: Container, box: Box, position: int, reason: str, acting_user: Any) -> Movement:
    """Move a stored container to a free position (chain of custody: from, to, who, when, why)."""
    check_role(acting_user, WRITERS)
    container = Container.objects.select_for_update(of=("self",)).select_related("box").get(pk=container.pk)
    reason = text(reason, "reason", max_length=500)
    if container.status == Container.DISPATCHED:
        raise TransitionError(f"container {container.identifier}: dispatched, it is no longer in storage")
    box = Box.objects.select_for_update().get(pk=box.pk)
    position = int(position)
    if not 1 <= position <= box.capacity:
        raise ValidationError({"position": f"box {box}: position {position} outside 1–{box.capacity}"})
    if Container.objects.filter(box=box, position=position).exclude(pk=container.pk).exists():
        raise ValidationError({"position": f"box {box}: position {box.position_label(position)} is occupied"})
    return _move(container, box, position, Movement.MOVE, reason, acting_user)


@transaction.atomic(durable=True)
def dispatch_container(*, container: Container, destination: str, reason: str, acting_user: Any) -> Movement:
    """Take a container out of storage: only a released container (and consent still valid)."""
    check_role(acting_user, WRITERS)
    container = Container.objects.select_for_update(of=("self",)).select_related("box", "batch__donation__donor").get(
        pk=container.pk)
    return take_out_of_storage(container, destination=destination, reason=reason, acting_user=acting_user)


def take_out_of_storage(container: Container, *, destination: str, reason: str, acting_user: Any) -> Movement:
    """Dispatch one container, locked by the caller, in the caller's transaction: the rule
    (released and consent valid), the status change and the movement with their audit events.
    :func:`dispatch_container` and the shipping app's dispatch of a whole shipment share it."""
    destination = text(destination, "destination")
    reason = text(reason, "reason", max_length=500)
    if container.effective_status != Container.RELEASED:
        raise TransitionError(f"container {container.identifier} (batch {container.batch.code}): dispatch refused: "
                              f"it is {container.get_effective_status_display()}, only released containers "
                              "may leave storage")
    old = container.status
    container.status = Container.DISPATCHED
    container.save(update_fields=["status"])
    record_changes(acting_user=acting_user, record=container, changes={"status": (old, container.status)},
                   reason=reason, require_reason=False, action=EventKind.UPDATE)
    return _move(container, None, None, Movement.DISPATCH, f"{reason} (to {destination})", acting_user,
                 destination=destination)
