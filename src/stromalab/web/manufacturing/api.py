"""Manufacturing through the API: same actions and permissions as the pages.

Times are ISO 8601 with a UTC offset; quantities are decimal text or numbers. A refused
transition or a limit breach without a deviation reason is a 400 with the action's message.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from stromalab.core.manufacturing.isbt128 import Isbt128Error
from stromalab.web.accounts.permissions import api_op
from stromalab.web.donors.models import Donor

from . import actions
from .models import Batch, Box, Container, Deviation, Step
from .permissions import DEVIATION_CLOSERS, READERS, TRACE_READERS, WRITERS

router = Router(tags=["manufacturing"])


class StepOut(Schema):
    id: int
    kind: str
    number: int
    label: str
    state: str
    data: dict[str, Any]
    signed_by: str | None = None
    signed_at: str | None = None
    signature_matches: bool | None = None


class ContainerOut(Schema):
    id: int
    identifier: str
    din: str
    division: str
    product_code: str
    product_description: str
    batch: str
    donor: str
    status: str
    stored_status: str
    location: str


class BatchOut(Schema):
    code: str
    din: str
    donor: str
    status: str
    product_code: str
    product_description: str
    steps: list[StepOut] = []
    cumulative_population_doublings: float | None = None


class HarvestIn(Schema):
    donor: str
    harvested_at: dt.datetime
    surgeon: str
    mass_g: Decimal
    container: str
    transport_temperature: str
    departed_at: dt.datetime
    password: str
    deviation_reason: str = ""


class ReceiptIn(Schema):
    received_at: dt.datetime
    temperature_c: Decimal
    integrity: str
    mass_g: Decimal
    password: str
    deviation_reason: str = ""


class IsolationIn(Schema):
    isolated_at: dt.datetime
    cell_count: int
    viability_pct: Decimal
    password: str
    deviation_reason: str = ""


class SeedIn(Schema):
    seeded_at: dt.datetime
    cells_seeded: int
    vessel: str
    surface_cm2: Decimal
    medium_lot: str
    reagent_lots: str = ""
    deviation_reason: str = ""


class PassageHarvestIn(Schema):
    harvested_at: dt.datetime
    cells_harvested: int
    viability_pct: Decimal
    confluence_pct: Decimal | None = None
    password: str
    deviation_reason: str = ""


class FreezingIn(Schema):
    frozen_at: dt.datetime
    container_type: str
    container_count: int
    volume_ml: Decimal
    cells_per_container: int
    product_description: str = ""
    password: str


class StorageIn(Schema):
    box_id: int
    start_position: int = 1
    password: str


class BoxIn(Schema):
    tank: str
    rack: str
    name: str
    rows: int = 9
    columns: int = 9


class BoxOut(Schema):
    id: int
    tank: str
    rack: str
    name: str
    rows: int
    columns: int
    used: int


class MoveIn(Schema):
    box_id: int
    position: int
    reason: str


class DispatchIn(Schema):
    destination: str
    reason: str


class ReasonIn(Schema):
    reason: str


class DeviationIn(Schema):
    description: str
    reason: str


class DeviationCloseIn(Schema):
    impact: str
    conclusion: str
    password: str


class DeviationOut(Schema):
    id: int
    batch: str
    step: str | None = None
    check: str
    description: str
    value: str
    limit: str
    reason: str
    recorded_by: str
    recorded_at: str
    status: str
    impact: str
    conclusion: str
    closed_by: str | None = None
    closed_at: str | None = None
    signature: str | None = None
    signature_matches: bool | None = None


class TraceOut(Schema):
    din: str
    donor: str | None = None
    collected_at: str | None = None
    containers: list[ContainerOut]


def _step_out(s: Step) -> dict[str, Any]:
    sig = s.signature
    return {"id": s.pk, "kind": s.kind, "number": s.number, "label": s.label, "state": s.state, "data": s.data,
            "signed_by": sig.printed_name if sig else None, "signed_at": sig.signed_at.isoformat() if sig else None,
            "signature_matches": s.signature_matches()}


def _batch_out(b: Batch, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"code": b.code, "din": b.din, "donor": b.donation.donor.pseudonym, "status": b.status,
                           "product_code": b.product_code, "product_description": b.product_description}
    if full:
        steps = sorted(b.steps.select_related("signature"), key=lambda s: s.sort_key)
        out["steps"] = [_step_out(s) for s in steps]
        out["cumulative_population_doublings"] = actions.batch_growth(b).cumulative_population_doublings
    return out


def _container_out(c: Container) -> dict[str, Any]:
    return {"id": c.pk, "identifier": c.identifier, "din": c.din, "division": c.division,
            "product_code": c.product_code, "product_description": c.product_description, "batch": c.batch.code,
            "donor": c.batch.donation.donor.pseudonym, "status": c.effective_status, "stored_status": c.status,
            "location": c.location}


def _deviation_out(d: Deviation) -> dict[str, Any]:
    return {"id": d.pk, "batch": d.batch.code, "step": d.step.label if d.step_id else None, "check": d.check_id,
            "description": d.description, "value": d.value, "limit": d.limit, "reason": d.reason,
            "recorded_by": d.recorded_by.username, "recorded_at": d.recorded_at.isoformat(), "status": d.status,
            "impact": d.impact, "conclusion": d.conclusion,
            "closed_by": d.closed_by.username if d.closed_by_id else None,
            "closed_at": d.closed_at.isoformat() if d.closed_at else None,
            "signature": d.signature.manifestation() if d.signature_id else None,
            "signature_matches": d.signature_matches()}


def _batch(code: str) -> Batch:
    return get_object_or_404(Batch.objects.select_related("donation__donor"), code=code)


@api_op(router, "GET", "/batches", READERS, response=list[BatchOut])
def list_batches(request: Any, status: str = "") -> Any:
    qs = Batch.objects.select_related("donation__donor").order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    return [_batch_out(b, full=False) for b in qs[:500]]


@api_op(router, "POST", "/harvests", WRITERS, response={201: BatchOut})
def record_harvest(request: Any, payload: HarvestIn) -> Any:
    donor = get_object_or_404(Donor, pseudonym=payload.donor)
    d = payload.dict()
    d.pop("donor")
    batch = actions.record_harvest(donor=donor, acting_user=request.auth, **d)
    return 201, _batch_out(batch)


@api_op(router, "GET", "/batches/{code}", READERS, response=BatchOut)
def get_batch(request: Any, code: str) -> Any:
    return _batch_out(_batch(code))


@api_op(router, "POST", "/batches/{code}/receipt", WRITERS, response={201: StepOut})
def record_receipt(request: Any, code: str, payload: ReceiptIn) -> Any:
    batch = _batch(code)
    step = actions.record_receipt(batch=batch, acting_user=request.auth, **payload.dict())
    return 201, _step_out(step)


@api_op(router, "POST", "/batches/{code}/isolation", WRITERS, response={201: StepOut})
def record_isolation(request: Any, code: str, payload: IsolationIn) -> Any:
    batch = _batch(code)
    step = actions.record_isolation(batch=batch, acting_user=request.auth,
                                                             **payload.dict())
    return 201, _step_out(step)


@api_op(router, "POST", "/batches/{code}/passages", WRITERS, response={201: StepOut})
def seed_passage(request: Any, code: str, payload: SeedIn) -> Any:
    step = actions.seed_passage(batch=_batch(code), acting_user=request.auth, **payload.dict())
    return 201, _step_out(step)


@api_op(router, "POST", "/batches/{code}/passages/harvest", WRITERS, response={201: StepOut})
def harvest_passage(request: Any, code: str, payload: PassageHarvestIn) -> Any:
    batch = _batch(code)
    step = actions.harvest_passage(batch=batch, acting_user=request.auth,
                                                            **payload.dict())
    return 201, _step_out(step)


@api_op(router, "POST", "/batches/{code}/freezing", WRITERS, response={201: list[ContainerOut]})
def record_freezing(request: Any, code: str, payload: FreezingIn) -> Any:
    batch = _batch(code)
    containers = actions.record_freezing(batch=batch, acting_user=request.auth,
                                                                  **payload.dict())
    return 201, [_container_out(c) for c in containers]


@api_op(router, "POST", "/batches/{code}/storage", WRITERS, response={201: StepOut})
def store_batch(request: Any, code: str, payload: StorageIn) -> Any:
    batch = _batch(code)
    box = get_object_or_404(Box, pk=payload.box_id)
    step = actions.store_batch(batch=batch, box=box, start_position=payload.start_position,
                                                        password=payload.password, acting_user=request.auth)
    return 201, _step_out(step)


@api_op(router, "POST", "/batches/{code}/steps/{step_id}/reject", WRITERS, response=StepOut)
def reject_step(request: Any, code: str, step_id: int, payload: ReasonIn) -> Any:
    step = get_object_or_404(Step, pk=step_id, batch=_batch(code))
    return _step_out(actions.reject_step(step=step, reason=payload.reason, acting_user=request.auth))


@api_op(router, "POST", "/batches/{code}/deviations", WRITERS, response={201: dict[str, Any]})
def record_deviation(request: Any, code: str, payload: DeviationIn) -> Any:
    d = actions.record_deviation(batch=_batch(code), description=payload.description, reason=payload.reason,
                                 acting_user=request.auth)
    return 201, {"id": d.pk, "check": d.check_id, "description": d.description, "reason": d.reason}


@api_op(router, "GET", "/batches/{code}/deviations", READERS, response=list[DeviationOut])
def list_deviations(request: Any, code: str) -> Any:
    qs = _batch(code).deviations.select_related("batch", "step", "recorded_by", "closed_by", "signature")
    return [_deviation_out(d) for d in qs]


@api_op(router, "POST", "/batches/{code}/deviations/{deviation_id}/close", DEVIATION_CLOSERS, response=DeviationOut)
def close_deviation(request: Any, code: str, deviation_id: int, payload: DeviationCloseIn) -> Any:
    deviation = get_object_or_404(Deviation, pk=deviation_id, batch=_batch(code))
    d = actions.close_deviation(deviation=deviation, impact=payload.impact,
                                                         conclusion=payload.conclusion, password=payload.password,
                                                         acting_user=request.auth)
    return _deviation_out(d)


@api_op(router, "GET", "/batches/{code}/containers", READERS, response=list[ContainerOut])
def batch_containers(request: Any, code: str) -> Any:
    return [_container_out(c) for c in _batch(code).containers.select_related("box", "batch__donation__donor")]


@api_op(router, "GET", "/boxes", READERS, response=list[BoxOut])
def list_boxes(request: Any) -> Any:
    return [{"id": b.pk, "tank": b.tank, "rack": b.rack, "name": b.name, "rows": b.rows, "columns": b.columns,
             "used": b.containers.count()} for b in Box.objects.all()]


@api_op(router, "POST", "/boxes", WRITERS, response={201: BoxOut})
def create_box(request: Any, payload: BoxIn) -> Any:
    b = actions.create_box(acting_user=request.auth, **payload.dict())
    return 201, {"id": b.pk, "tank": b.tank, "rack": b.rack, "name": b.name, "rows": b.rows, "columns": b.columns,
                 "used": 0}


@api_op(router, "GET", "/containers/{container_id}", TRACE_READERS, response=ContainerOut)
def get_container(request: Any, container_id: int) -> Any:
    return _container_out(get_object_or_404(Container.objects.select_related("box", "batch__donation__donor"),
                                            pk=container_id))


@api_op(router, "POST", "/containers/{container_id}/move", WRITERS, response=ContainerOut)
def move_container(request: Any, container_id: int, payload: MoveIn) -> Any:
    c = get_object_or_404(Container, pk=container_id)
    actions.move_container(container=c, box=get_object_or_404(Box, pk=payload.box_id), position=payload.position,
                           reason=payload.reason, acting_user=request.auth)
    c.refresh_from_db()
    return _container_out(c)


@api_op(router, "POST", "/containers/{container_id}/dispatch", WRITERS, response=ContainerOut)
def dispatch_container(request: Any, container_id: int, payload: DispatchIn) -> Any:
    c = get_object_or_404(Container, pk=container_id)
    actions.dispatch_container(container=c, destination=payload.destination, reason=payload.reason,
                               acting_user=request.auth)
    c.refresh_from_db()
    return _container_out(c)


@api_op(router, "GET", "/trace/donors/{pseudonym}", TRACE_READERS, response=list[ContainerOut])
def trace_donor(request: Any, pseudonym: str) -> Any:
    return [_container_out(c) for c in actions.containers_of_donor(get_object_or_404(Donor, pseudonym=pseudonym))]


@api_op(router, "GET", "/trace/label", TRACE_READERS, response=TraceOut)
def trace_label(request: Any, text: str = "") -> Any:
    try:
        reading, donation, containers = actions.find_by_label(text)
    except Isbt128Error as e:
        raise HttpError(400, str(e)) from e
    return {"din": reading.din.text, "donor": donation.donor.pseudonym if donation else None,
            "collected_at": donation.collected_at.isoformat() if donation else None,
            "containers": [_container_out(c) for c in containers]}
