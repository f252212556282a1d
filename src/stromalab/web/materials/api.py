"""The registers and CAPAs through the API: same actions and permissions as the pages.

A lot's certificate is a multipart upload of its own (``POST /lots/{lot_id}/certificate``); a
manufacturing step names lots by the ``id`` these operations return.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from ninja import File, Router, Status
from ninja.files import UploadedFile

from stromalab.web.accounts.permissions import api_op

from . import actions, links
from .certificates import Certificate
from .models import Capa, Instrument, Lot
from .permissions import (
    CAPA_CLOSERS,
    CAPA_WRITERS,
    INSTRUMENT_KEEPERS,
    LOT_DECIDERS,
    READERS,
    RECEIVERS,
)
from .queries import overdue_capas, recall
from .schemas import (
    CapaCloseIn,
    CapaIn,
    CapaOut,
    InstrumentIn,
    InstrumentOut,
    InstrumentUpdateIn,
    LotDecisionIn,
    LotIn,
    LotOut,
    RecallOut,
)

router = Router(tags=["materials"])

_LOTS = Lot.objects.select_related("received_by", "status_changed_by")
_CAPAS = Capa.objects.select_related("owner", "closed_by", "signature", "deviation__batch", "oos__batch")


@api_op(router, "GET", "/lots", READERS, response=list[LotOut])
def list_lots(request: Any, kind: str = "", status: str = "") -> Any:
    qs = _LOTS.order_by("-id")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return list(qs[:500])


@api_op(router, "POST", "/lots", RECEIVERS, response={201: LotOut})
def receive_lot(request: Any, payload: LotIn) -> Any:
    return Status(201, actions.receive_lot(acting_user=request.auth, **payload.dict()))


@api_op(router, "GET", "/lots/{lot_id}", READERS, response=LotOut)
def get_lot(request: Any, lot_id: int) -> Any:
    return get_object_or_404(_LOTS, pk=lot_id)


@api_op(router, "POST", "/lots/{lot_id}/certificate", RECEIVERS, response=LotOut)
def attach_certificate(request: Any, lot_id: int, certificate: File[UploadedFile]) -> Any:
    lot = get_object_or_404(Lot, pk=lot_id)
    return actions.attach_certificate(lot=lot, acting_user=request.auth,
                                      certificate=Certificate(certificate.name or "certificate.pdf",
                                                              certificate.read()))


@api_op(router, "POST", "/lots/{lot_id}/decision", LOT_DECIDERS, response=LotOut)
def decide_lot(request: Any, lot_id: int, payload: LotDecisionIn) -> Any:
    lot = get_object_or_404(Lot, pk=lot_id)
    return actions.decide_lot(lot=lot, acting_user=request.auth, **payload.dict())


@api_op(router, "GET", "/lots/{lot_id}/recall", READERS, response=list[RecallOut])
def lot_recall(request: Any, lot_id: int) -> Any:
    lot = get_object_or_404(Lot, pk=lot_id)
    return [{"batch": row.batch.code, "batch_status": row.batch.status, "steps": list(row.steps),
             "problems": list(row.problems),
             "containers": [{"identifier": c.identifier, "status": c.effective_status, "location": c.location}
                            for c in row.containers]} for row in recall(lot)]


@api_op(router, "GET", "/instruments", READERS, response=list[InstrumentOut])
def list_instruments(request: Any) -> Any:
    return list(Instrument.objects.order_by("identifier")[:1000])


@api_op(router, "POST", "/instruments", INSTRUMENT_KEEPERS, response={201: InstrumentOut})
def register_instrument(request: Any, payload: InstrumentIn) -> Any:
    return Status(201, actions.register_instrument(acting_user=request.auth, **payload.dict()))


@api_op(router, "POST", "/instruments/{instrument_id}", INSTRUMENT_KEEPERS, response=InstrumentOut)
def update_instrument(request: Any, instrument_id: int, payload: InstrumentUpdateIn) -> Any:
    instrument = get_object_or_404(Instrument, pk=instrument_id)
    return actions.update_instrument(instrument=instrument, acting_user=request.auth, **payload.dict())


@api_op(router, "GET", "/capas", READERS, response=list[CapaOut])
def list_capas(request: Any, status: str = "") -> Any:
    qs = _CAPAS.order_by("due_on", "id")
    return list((qs.filter(status=status) if status else qs)[:500])


@api_op(router, "GET", "/capas/overdue", READERS, response=list[CapaOut])
def list_overdue_capas(request: Any) -> Any:
    return list(overdue_capas().select_related("closed_by", "signature")[:500])


@api_op(router, "POST", "/capas", CAPA_WRITERS, response={201: CapaOut})
def open_capa(request: Any, payload: CapaIn) -> Any:
    d = payload.dict()
    key = f"deviation-{d['deviation']}" if d["deviation"] is not None else f"oos-{d['oos']}"
    answered = links.answered(key) if (d["deviation"] is None) != (d["oos"] is None) else {}
    owner = get_user_model().objects.filter(username=d["owner"]).first()
    return Status(201, actions.open_capa(kind=d["kind"], action=d["action"], owner=owner, due_on=d["due_on"],
                                         acting_user=request.auth, **answered))


@api_op(router, "GET", "/capas/{capa_id}", READERS, response=CapaOut)
def get_capa(request: Any, capa_id: int) -> Any:
    return get_object_or_404(_CAPAS, pk=capa_id)


@api_op(router, "POST", "/capas/{capa_id}/close", CAPA_CLOSERS, response=CapaOut)
def close_capa(request: Any, capa_id: int, payload: CapaCloseIn) -> Any:
    capa = get_object_or_404(Capa, pk=capa_id)
    return actions.close_capa(capa=capa, acting_user=request.auth, **payload.dict())
