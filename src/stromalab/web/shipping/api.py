"""Shipments through the API: the same actions and permissions as the pages.

Refusals reach the client through the API's exception handlers (``web/api.py``): a wrong
signature password is counted there, like on the pages.
"""

from typing import Any

from ninja import File, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from stromalab.web.accounts.permissions import api_op

from .actions import MAX_LOGGER_BYTES, confirm_receipt, dispatch_shipment, upload_logger_file
from .models import Shipment
from .permissions import DISPATCHERS, LOGGER_UPLOADERS, READERS, RECEIVERS
from .queries import shipment_or_404
from .schemas import DispatchIn, LoggerOut, ReceiptIn, ShipmentOut

router = Router(tags=["shipping"])


@api_op(router, "GET", "/shipments", READERS, response=list[ShipmentOut])
def list_shipments(request: Any, status: str = "") -> Any:
    qs = Shipment.objects.select_related("dispatched_by", "received_by", "signature").order_by("-id")
    if status in dict(Shipment.STATUSES):
        qs = qs.filter(status=status)
    return list(qs[:200])


@api_op(router, "POST", "/shipments", DISPATCHERS, response={201: ShipmentOut})
def dispatch(request: Any, payload: DispatchIn) -> Any:
    data = payload.dict()
    shipment = dispatch_shipment(study_id=data.pop("study"), acting_user=request.auth, **data)
    return Status(201, shipment_or_404(shipment.pk))


@api_op(router, "GET", "/shipments/{shipment_id}", READERS, response=ShipmentOut)
def get_shipment(request: Any, shipment_id: int) -> Any:
    return shipment_or_404(shipment_id)


@api_op(router, "POST", "/shipments/{shipment_id}/logger", LOGGER_UPLOADERS, response={201: LoggerOut})
def upload_logger(request: Any, shipment_id: int, file: File[UploadedFile]) -> Any:
    if (file.size or 0) > MAX_LOGGER_BYTES:
        raise HttpError(413, f"{file.name}: larger than {MAX_LOGGER_BYTES // 2**20} MB, nothing was stored")
    logger = upload_logger_file(shipment=shipment_or_404(shipment_id), name=file.name or "logger.csv",
                                data=file.read(), acting_user=request.auth)
    return Status(201, logger)


@api_op(router, "POST", "/shipments/{shipment_id}/receipt", RECEIVERS, response=ShipmentOut)
def receipt(request: Any, shipment_id: int, payload: ReceiptIn) -> Any:
    confirm_receipt(shipment=shipment_or_404(shipment_id), acting_user=request.auth, **payload.dict())
    return shipment_or_404(shipment_id)
