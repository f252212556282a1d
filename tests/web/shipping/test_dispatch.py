"""Dispatch: only released containers in storage, of a released batch, ship, once; each leaves
storage by manufacturing's movement and is handed to the courier, audited in the same
transaction; a container in an open shipment can be moved or dispatched by nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stromalab.web.audit.models import AuditEvent
from stromalab.web.manufacturing import actions as manufacturing
from stromalab.web.manufacturing.models import Box, Container, Movement
from stromalab.web.shipping.actions import dispatch_shipment
from stromalab.web.shipping.models import Shipment

STUDY = "NCT05947682"


def _dispatch(containers: list[Container], user: Any, **overrides: Any) -> Shipment:
    values = {"study_id": STUDY, "site": "aphp-saint-louis", "courier": "specialised-courier",
              "packing": "dry-shipper", "packing_identifier": "DS-07", **overrides}
    return dispatch_shipment(containers=[c.pk for c in containers], acting_user=user, **values)


def test_released_containers_ship_with_their_custody(released_batch: Any, operator: Any) -> None:
    batch = released_batch(vials=3)
    containers = list(batch.containers.order_by("division"))
    stored_at = {c.pk: c.location for c in containers}
    shipment = _dispatch(containers[:2], operator)
    assert shipment.status == Shipment.IN_TRANSIT and shipment.code == f"SHP-{shipment.pk:06d}"
    assert (shipment.temperature_min_c, shipment.temperature_max_c, shipment.max_transit_hours) == (-196, -150, 48)
    for container in containers[:2]:
        container.refresh_from_db()
        assert container.status == Container.DISPATCHED and container.box_id is None
        moves = list(container.movements.order_by("id"))
        assert [m.kind for m in moves] == [Movement.MOVE, Movement.DISPATCH, Movement.MOVE]
        assert moves[1].from_location == stored_at[container.pk]
        assert moves[1].to_location == f"shipment {shipment.code}: packed in Dry shipper (LN2 vapour phase) DS-07"
        assert moves[2].to_location.startswith("in transit with Specialised cryogenic courier to Hôpital Saint-Louis")
        for movement in moves[1:]:
            assert AuditEvent.objects.filter(record_type="manufacturing.Movement", record_id=str(movement.pk)).exists()
    containers[2].refresh_from_db()
    assert containers[2].status == Container.RELEASED and containers[2].box_id is not None
    assert AuditEvent.objects.filter(record_type="shipping.Shipment", record_id=str(shipment.pk),
                                     action="create").count() == 1
    assert AuditEvent.objects.filter(record_type="shipping.ShipmentItem").count() == 2


def test_unreleased_batch_refused_beside_the_containers(released_batch: Any, operator: Any) -> None:
    batch = released_batch(release=False)
    with pytest.raises(ValidationError) as refused:
        _dispatch(list(batch.containers.all()), operator)
    messages = refused.value.message_dict["containers"]
    assert len(messages) == batch.containers.count()
    assert "its batch is quarantine, not released by the qualified person" in messages[0]
    assert not Shipment.objects.exists()
    assert not Movement.objects.filter(kind=Movement.DISPATCH).exists()


def test_unstored_container_refused(released_batch: Any, operator: Any) -> None:
    batch = released_batch()
    container = batch.containers.first()
    Container.objects.filter(pk=container.pk).update(box=None, position=None)
    with pytest.raises(ValidationError, match="not in storage"):
        _dispatch([container], operator)


def test_a_container_ships_once_and_nothing_else_moves_it(released_batch: Any, operator: Any) -> None:
    batch = released_batch()
    container = batch.containers.first()
    _dispatch([container], operator)
    with pytest.raises(ValidationError, match="already dispatched: a container ships once"):
        _dispatch([container], operator)
    box = Box.objects.get(name="B1")
    with pytest.raises(ValidationError, match="dispatched, it is no longer in storage"):
        manufacturing.move_container(container=container, box=box, position=80, reason="tidy", acting_user=operator)
    with pytest.raises(ValidationError, match="only released containers may leave storage"):
        manufacturing.dispatch_container(container=container, destination="elsewhere", reason="x",
                                         acting_user=operator)
    assert Shipment.objects.count() == 1


def test_choices_come_from_the_protocol(released_batch: Any, operator: Any) -> None:
    containers = list(released_batch().containers.all())
    for field, value in (("site", "Hôpital inconnu"), ("courier", "taxi"), ("packing", "cardboard")):
        with pytest.raises(ValidationError) as refused:
            _dispatch(containers, operator, **{field: value})
        assert "choose one of the protocol's values" in refused.value.message_dict[field][0]
    with pytest.raises(ValidationError) as refused:
        _dispatch(containers, operator, packing_identifier="<script>")
    assert "packing_identifier" in refused.value.message_dict
    with pytest.raises(ValidationError, match="choose at least one container"):
        _dispatch([], operator)


def test_open_deviation_blocks_dispatch(released_batch: Any, operator: Any) -> None:
    batch = released_batch()
    manufacturing.record_deviation(batch=batch, description="freezer door", reason="found open",
                                   acting_user=operator)
    with pytest.raises(ValidationError, match="open deviation"):
        _dispatch(list(batch.containers.all()), operator)


def test_only_the_operator_dispatches(released_batch: Any, investigator: Any) -> None:
    with pytest.raises(PermissionDenied):
        _dispatch(list(released_batch().containers.all()), investigator)
