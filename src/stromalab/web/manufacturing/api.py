"""Manufacturing through the API: same actions and permissions as the pages.

Routers return model objects; the schemas of ``schemas.py`` say what a response holds.

Times are ISO 8601 with a UTC offset; quantities are decimal text or numbers. A refused
transition or a limit breach without a deviation reason is a 400 with the action's message.
"""

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.errors import HttpError

from stromalab.core.manufacturing.isbt128 import Isbt128Error
from stromalab.web.accounts.permissions import api_op
from stromalab.web.donors.models import Donor

from .actions import culture, deviations, intake, rejection, storage
from .models import Batch, Box, Container, Deviation, Step
from .permissions import DEVIATION_CLOSERS, READERS, TRACE_READERS, WRITERS
from .queries import batch_or_404, containers_of_donor, find_by_label
from .schemas import (
    BatchOut,
    BatchSummaryOut,
    BoxIn,
    BoxOut,
    ContainerOut,
    DeviationCloseIn,
    DeviationCreatedOut,
    DeviationIn,
    DeviationOut,
    DispatchIn,
    FreezingIn,
    HarvestIn,
    IsolationIn,
    LabelLookup,
    MoveIn,
    PassageHarvestIn,
    ReasonIn,
    ReceiptIn,
    SeedIn,
    StepOut,
    StorageIn,
    TraceOut,
)

router = Router(tags=["manufacturing"])


_CONTAINERS = Container.objects.select_related("box", "batch__donation__donor")


@api_op(router, "GET", "/batches", READERS, response=list[BatchSummaryOut])
def list_batches(request: Any, status: str = "") -> Any:
    qs = Batch.objects.select_related("donation__donor").order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:500])


@api_op(router, "POST", "/harvests", WRITERS, response={201: BatchOut})
def record_harvest(request: Any, payload: HarvestIn) -> Any:
    donor = get_object_or_404(Donor, pseudonym=payload.donor)
    d = payload.dict()
    d.pop("donor")
    return Status(201, intake.record_harvest(donor=donor, acting_user=request.auth, **d))


@api_op(router, "GET", "/batches/{code}", READERS, response=BatchOut)
def get_batch(request: Any, code: str) -> Any:
    return batch_or_404(code)


@api_op(router, "POST", "/batches/{code}/receipt", WRITERS, response={201: StepOut})
def record_receipt(request: Any, code: str, payload: ReceiptIn) -> Any:
    return Status(201, intake.record_receipt(batch=batch_or_404(code), acting_user=request.auth, **payload.dict()))


@api_op(router, "POST", "/batches/{code}/isolation", WRITERS, response={201: StepOut})
def record_isolation(request: Any, code: str, payload: IsolationIn) -> Any:
    return Status(201, intake.record_isolation(batch=batch_or_404(code), acting_user=request.auth, **payload.dict()))


@api_op(router, "POST", "/batches/{code}/passages", WRITERS, response={201: StepOut})
def seed_passage(request: Any, code: str, payload: SeedIn) -> Any:
    return Status(201, culture.seed_passage(batch=batch_or_404(code), acting_user=request.auth, **payload.dict()))


@api_op(router, "POST", "/batches/{code}/passages/harvest", WRITERS, response={201: StepOut})
def harvest_passage(request: Any, code: str, payload: PassageHarvestIn) -> Any:
    return Status(201, culture.harvest_passage(batch=batch_or_404(code), acting_user=request.auth, **payload.dict()))


@api_op(router, "POST", "/batches/{code}/freezing", WRITERS, response={201: list[ContainerOut]})
def record_freezing(request: Any, code: str, payload: FreezingIn) -> Any:
    return Status(201, culture.record_freezing(batch=batch_or_404(code), acting_user=request.auth, **payload.dict()))


@api_op(router, "POST", "/batches/{code}/storage", WRITERS, response={201: StepOut})
def store_batch(request: Any, code: str, payload: StorageIn) -> Any:
    box = get_object_or_404(Box, pk=payload.box_id)
    return Status(201, storage.store_batch(batch=batch_or_404(code), box=box, start_position=payload.start_position,
                                    password=payload.password, acting_user=request.auth))


@api_op(router, "POST", "/batches/{code}/steps/{step_id}/reject", WRITERS, response=StepOut)
def reject_step(request: Any, code: str, step_id: int, payload: ReasonIn) -> Any:
    step = get_object_or_404(Step, pk=step_id, batch=batch_or_404(code))
    return rejection.reject_step(step=step, reason=payload.reason, acting_user=request.auth)


@api_op(router, "POST", "/batches/{code}/deviations", WRITERS, response={201: DeviationCreatedOut})
def record_deviation(request: Any, code: str, payload: DeviationIn) -> Any:
    return Status(201, deviations.record_deviation(batch=batch_or_404(code), description=payload.description,
                                            reason=payload.reason, acting_user=request.auth))


@api_op(router, "GET", "/batches/{code}/deviations", READERS, response=list[DeviationOut])
def list_deviations(request: Any, code: str) -> Any:
    return list(batch_or_404(code).deviations.select_related("batch", "step", "recorded_by", "closed_by", "signature"))


@api_op(router, "POST", "/batches/{code}/deviations/{deviation_id}/close", DEVIATION_CLOSERS, response=DeviationOut)
def close_deviation(request: Any, code: str, deviation_id: int, payload: DeviationCloseIn) -> Any:
    deviation = get_object_or_404(Deviation, pk=deviation_id, batch=batch_or_404(code))
    return deviations.close_deviation(deviation=deviation, impact=payload.impact, conclusion=payload.conclusion,
                                      password=payload.password, acting_user=request.auth)


@api_op(router, "GET", "/batches/{code}/containers", READERS, response=list[ContainerOut])
def batch_containers(request: Any, code: str) -> Any:
    return list(_CONTAINERS.filter(batch=batch_or_404(code)))


@api_op(router, "GET", "/boxes", READERS, response=list[BoxOut])
def list_boxes(request: Any) -> Any:
    return list(Box.objects.all())


@api_op(router, "POST", "/boxes", WRITERS, response={201: BoxOut})
def create_box(request: Any, payload: BoxIn) -> Any:
    return Status(201, storage.create_box(acting_user=request.auth, **payload.dict()))


@api_op(router, "GET", "/containers/{container_id}", TRACE_READERS, response=ContainerOut)
def get_container(request: Any, container_id: int) -> Any:
    return get_object_or_404(_CONTAINERS, pk=container_id)


@api_op(router, "POST", "/containers/{container_id}/move", WRITERS, response=ContainerOut)
def move_container(request: Any, container_id: int, payload: MoveIn) -> Any:
    container = get_object_or_404(Container, pk=container_id)
    storage.move_container(container=container, box=get_object_or_404(Box, pk=payload.box_id),
                           position=payload.position, reason=payload.reason, acting_user=request.auth)
    return _CONTAINERS.get(pk=container.pk)


@api_op(router, "POST", "/containers/{container_id}/dispatch", WRITERS, response=ContainerOut)
def dispatch_container(request: Any, container_id: int, payload: DispatchIn) -> Any:
    container = get_object_or_404(Container, pk=container_id)
    storage.dispatch_container(container=container, destination=payload.destination, reason=payload.reason,
                               acting_user=request.auth)
    return _CONTAINERS.get(pk=container.pk)


@api_op(router, "GET", "/trace/donors/{pseudonym}", TRACE_READERS, response=list[ContainerOut])
def trace_donor(request: Any, pseudonym: str) -> Any:
    return containers_of_donor(get_object_or_404(Donor, pseudonym=pseudonym))


@api_op(router, "GET", "/trace/label", TRACE_READERS, response=TraceOut)
def trace_label(request: Any, text: str = "") -> Any:
    try:
        return LabelLookup(*find_by_label(text))
    except Isbt128Error as e:
        raise HttpError(400, str(e)) from e
