"""The temperature logger's file (stored with its SHA-256, judged against the shipment's limits,
an excursion opening a deviation that blocks use; a malformed file refused naming the row, no
file left) and the site's signed receipt (four eyes; a wrong password refused and counted)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from stromalab.web.accounts.actions import SignatureError
from stromalab.web.audit.models import AuditEvent
from stromalab.web.manufacturing.models import Deviation, Movement
from stromalab.web.quality import storage
from stromalab.web.shipping.actions import confirm_receipt, dispatch_shipment, upload_logger_file
from stromalab.web.shipping.models import LoggerFile, Shipment
from stromalab.web.shipping.queries import use_blockers

from .conftest import PASSWORD, logger_csv


@pytest.fixture()
def shipment(released_batch: Any, operator: Any) -> Shipment:
    batch = released_batch(vials=2)
    return dispatch_shipment(study_id="NCT05947682", site="aphp-cochin", courier="hospital-transport",
                             packing="validated-box", packing_identifier="BOX 12",
                             containers=[c.pk for c in batch.containers.all()], acting_user=operator)


def _files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_readings_in_range_store_the_file_and_open_nothing(shipment: Shipment, investigator: Any,
                                                           media: Path) -> None:
    data = logger_csv(["-182.5", "-180.1", "-179.9"])
    logger = upload_logger_file(shipment=shipment, name="logger.csv", data=data, acting_user=investigator)
    assert not logger.excursion and logger.reading_count == 3
    assert (logger.minimum_c, logger.maximum_c) == (Decimal("-182.5"), Decimal("-179.9"))
    assert storage.read(logger.stored_path, logger.sha256) == data
    assert not Deviation.objects.exists() and not use_blockers(shipment)
    event = AuditEvent.objects.get(record_type="shipping.LoggerFile", record_id=str(logger.pk))
    assert logger.sha256 in (event.new or "")


def test_french_csv_with_an_excursion_opens_a_deviation_that_blocks_use(shipment: Shipment, operator: Any,
                                                                       investigator: Any) -> None:
    data = logger_csv(["-182.5", "-140.3", "-181.0"], french=True)
    logger = upload_logger_file(shipment=shipment, name="export.csv", data=data, acting_user=operator)
    assert logger.excursion
    deviation = Deviation.objects.get()
    assert deviation.status == Deviation.OPEN and deviation.check_id == "shipping-temperature"
    assert deviation.value == "-140.3 °C" and deviation.limit == "-196 °C to -150 °C"
    assert shipment.code in deviation.reason
    assert AuditEvent.objects.filter(record_type="manufacturing.Deviation", record_id=str(deviation.pk)).exists()
    assert use_blockers(shipment) == [deviation]
    with pytest.raises(ValidationError, match="already uploaded"):
        upload_logger_file(shipment=shipment, name="again.csv", data=data, acting_user=investigator)


@pytest.mark.parametrize(("data", "message"), [
    (b"time,temperature_c\n2026-03-01 10:00,-180\n2026-03-01 10:10,cold\n", "row 3: temperature “cold” is not a number"),
    (b"time;temperature_c\n01/03/2026 10:00;-180,5;x\n", "row 2: expected 2 columns"),
    (b"when,degrees\n2026-03-01 10:00,-180\n", "row 1: the first row must name the columns"),
    (b"time,temperature_c\n2026-03-01 10:00,-480\n", "row 2: -480 °C is not a plausible logger reading"),
    (b"time,temperature_c\nyesterday,-180\n", "row 2: time “yesterday” is not a date and time"),
    (b"time,temperature_c\n2026-03-01 10:00,-180\n2026-03-01 09:00,-180\n", "row 3: time not after"),
    (b"time,temperature_c\n2026-03-01 10:00,NaN\n", "row 2: temperature “NaN” is not a number"),
])
def test_malformed_csv_refused_in_one_line_with_no_file_left(shipment: Shipment, investigator: Any, media: Path,
                                                              data: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        upload_logger_file(shipment=shipment, name="bad.csv", data=data, acting_user=investigator)
    lines = refused.value.message_dict["file"]
    assert len(lines) == 1 and message in lines[0] and "nothing was stored" in lines[0]
    assert not LoggerFile.objects.exists() and not _files(media)


def test_receipt_signed_by_the_site_continues_the_custody(shipment: Shipment, investigator: Any) -> None:
    received_at = timezone.now().replace(second=0, microsecond=0)  # to the minute, as a page gives it
    confirm_receipt(shipment=shipment, received_at=received_at, condition=Shipment.INTACT, notes="",
                    password=PASSWORD, acting_user=investigator)
    shipment.refresh_from_db()
    assert shipment.status == Shipment.RECEIVED and shipment.received_by == investigator
    assert shipment.signature is not None and shipment.signature_matches()
    for item in shipment.items.select_related("container"):
        moves = list(item.container.movements.order_by("id"))
        assert [m.kind for m in moves][-3:] == [Movement.DISPATCH, Movement.MOVE, Movement.MOVE]
        assert moves[-2].to_location.startswith("in transit with AP-HP hospital transport")
        assert moves[-1].from_location == moves[-2].to_location
        assert moves[-1].to_location == "received at Hôpital Cochin (AP-HP), Paris — Internal Medicine"
        assert AuditEvent.objects.filter(record_type="manufacturing.Movement", record_id=str(moves[-1].pk)).exists()
    assert not Deviation.objects.exists()
    with pytest.raises(ValidationError, match="already received"):
        confirm_receipt(shipment=shipment, received_at=received_at, condition=Shipment.INTACT, notes="",
                        password=PASSWORD, acting_user=investigator)


def test_wrong_password_refused_and_nothing_written(shipment: Shipment, investigator: Any) -> None:
    with pytest.raises(SignatureError):
        confirm_receipt(shipment=shipment, received_at=timezone.now(), condition=Shipment.INTACT, notes="",
                        password="not my password", acting_user=investigator)
    shipment.refresh_from_db()
    assert shipment.status == Shipment.IN_TRANSIT and shipment.signature is None
    assert not Movement.objects.filter(to_location__startswith="received at").exists()


def test_the_dispatcher_cannot_confirm_the_receipt(shipment: Shipment, operator: Any, make_user: Any) -> None:
    operator.role = "investigator"  # even after a change of role: four eyes
    operator.save(update_fields=["role"])
    with pytest.raises(PermissionDenied, match="four eyes"):
        confirm_receipt(shipment=shipment, received_at=timezone.now(), condition=Shipment.INTACT, notes="",
                        password=PASSWORD, acting_user=operator)
    with pytest.raises(PermissionDenied):
        confirm_receipt(shipment=shipment, received_at=timezone.now(), condition=Shipment.INTACT, notes="",
                        password=PASSWORD, acting_user=make_user("coordinator"))


def test_a_transit_too_long_or_a_damaged_arrival_opens_deviations(shipment: Shipment, investigator: Any) -> None:
    Shipment.objects.filter(pk=shipment.pk).update(dispatched_at=timezone.now() - dt.timedelta(hours=60))
    shipment.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        confirm_receipt(shipment=shipment, received_at=timezone.now(), condition=Shipment.DAMAGED, notes="",
                        password=PASSWORD, acting_user=investigator)
    assert "notes" in refused.value.message_dict
    confirm_receipt(shipment=shipment, received_at=timezone.now(), condition=Shipment.DAMAGED,
                    notes="lid cracked", password=PASSWORD, acting_user=investigator)
    checks = sorted(Deviation.objects.values_list("check_id", flat=True))
    assert checks == ["shipping-condition", "shipping-transit"]
    assert Deviation.objects.get(check_id="shipping-transit").limit == "≤ 48 h"


def test_received_before_dispatch_refused_beside_its_field(shipment: Shipment, investigator: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        confirm_receipt(shipment=shipment, received_at=shipment.dispatched_at - dt.timedelta(hours=1),
                        condition=Shipment.INTACT, notes="", password=PASSWORD, acting_user=investigator)
    assert "before the dispatch" in refused.value.message_dict["received_at"][0]
