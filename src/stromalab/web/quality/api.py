"""Quality control and release through the API: the same actions and permissions as the pages.

Responses are the schemas of :mod:`.schemas`; refusals reach the client through the API's
exception handlers (``web/api.py``).
"""

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from stromalab.web.accounts.permissions import api_op
from stromalab.web.manufacturing.queries import batch_or_404

from . import models as m
from . import queries
from .actions import fcs as fcs_actions
from .actions import oos as oos_actions
from .actions import release as release_actions
from .actions import results as result_actions
from .permissions import ANALYSTS, OOS_CLOSERS, READERS, RELEASERS
from .schemas import (
    CorrectIn,
    OosCloseIn,
    OosOut,
    PanelOut,
    ReasonIn,
    RejectIn,
    ResultIn,
    ResultOut,
    SignIn,
    SummaryOut,
)

router = Router(tags=["quality"])


@api_op(router, "GET", "/batches/{qc_batch}/results", READERS, response=list[ResultOut])
def list_results(request: Any, qc_batch: str, include_voided: bool = False) -> Any:
    qs = m.QcResult.objects.filter(batch=batch_or_404(qc_batch)).select_related("batch", "analyst").order_by("id")
    if not include_voided:
        qs = qs.filter(voided_at__isnull=True)
    return list(qs)


@api_op(router, "POST", "/batches/{qc_batch}/results", ANALYSTS, response={201: ResultOut})
def add_result(request: Any, qc_batch: str, payload: ResultIn) -> Any:
    return Status(201, result_actions.record_result(batch=batch_or_404(qc_batch), acting_user=request.auth, **payload.dict()))


@api_op(router, "POST", "/results/{qc_result_id}/correct", ANALYSTS, response=ResultOut)
def correct_result(request: Any, qc_result_id: int, payload: CorrectIn) -> Any:
    r = get_object_or_404(m.QcResult, pk=qc_result_id)
    return result_actions.correct_result(result=r, changes=payload.changes, reason=payload.reason,
                                  acting_user=request.auth)


@api_op(router, "POST", "/results/{qc_result_id}/void", ANALYSTS, response=ResultOut)
def void_result(request: Any, qc_result_id: int, payload: ReasonIn) -> Any:
    r = get_object_or_404(m.QcResult, pk=qc_result_id)
    result_actions.void_result(result=r, reason=payload.reason, acting_user=request.auth)
    r.refresh_from_db()
    return r


@api_op(router, "GET", "/oos", READERS, response=list[OosOut])
def list_oos(request: Any, status: str = "open") -> Any:
    qs = m.OosRecord.objects.select_related("batch", "opened_by", "closed_by", "signature").order_by("-id")
    if status in dict(m.OosRecord.STATUSES):
        qs = qs.filter(status=status)
    return list(qs[:500])


@api_op(router, "POST", "/oos/{oos_id}/close", OOS_CLOSERS, response=OosOut)
def close_oos(request: Any, oos_id: int, payload: OosCloseIn) -> Any:
    record = get_object_or_404(m.OosRecord, pk=oos_id)
    return oos_actions.close_oos(oos=record, conclusion=payload.conclusion, password=payload.password,
                                 acting_user=request.auth)


@api_op(router, "POST", "/batches/{qc_batch}/fcs", ANALYSTS, response={201: PanelOut})
def upload_fcs(request: Any, qc_batch: str, control: File[UploadedFile],
               stained: File[list[UploadedFile]], reason: Form[str] = "") -> Any:
    from .views import MAX_FCS_BYTES

    too_big = [f.name for f in (control, *stained) if (f.size or 0) > MAX_FCS_BYTES]
    if too_big:
        raise HttpError(413, f"{too_big[0]}: larger than {MAX_FCS_BYTES // 2**20} MB, nothing was stored")
    panel = fcs_actions.upload_panel(
        batch=batch_or_404(qc_batch), control=fcs_actions.Upload(control.name or "control.fcs", control.read()),
        stained=[fcs_actions.Upload(f.name or f"stained{i}.fcs", f.read()) for i, f in enumerate(stained, 1)],
        reason=reason, acting_user=request.auth)
    return Status(201, panel)


@api_op(router, "GET", "/panels/{fcs_panel_id}", READERS, response=PanelOut)
def get_panel(request: Any, fcs_panel_id: int) -> Any:
    return get_object_or_404(m.FcsPanel.objects.select_related("batch", "uploaded_by"), pk=fcs_panel_id)


@api_op(router, "GET", "/batches/{qc_batch}/release", READERS, response=SummaryOut)
def release_summary(request: Any, qc_batch: str) -> Any:
    return queries.release_summary(batch_or_404(qc_batch))


@api_op(router, "POST", "/batches/{qc_batch}/release", RELEASERS, response={201: SummaryOut})
def release(request: Any, qc_batch: str, payload: SignIn) -> Any:
    batch = batch_or_404(qc_batch)
    release_actions.release_batch(acting_user=request.auth, batch=batch, password=payload.password)
    return Status(201, queries.release_summary(batch))


@api_op(router, "POST", "/batches/{qc_batch}/reject", RELEASERS, response={201: SummaryOut})
def reject(request: Any, qc_batch: str, payload: RejectIn) -> Any:
    batch = batch_or_404(qc_batch)
    release_actions.reject_batch(acting_user=request.auth, batch=batch, password=payload.password, reason=payload.reason)
    return Status(201, queries.release_summary(batch))


@api_op(router, "GET", "/batches/{qc_batch}/certificate", READERS)
def certificate(request: Any, qc_batch: str) -> Any:
    from .certificate import certificate_pdf

    batch = batch_or_404(qc_batch)
    response = HttpResponse(certificate_pdf(batch, language=request.LANGUAGE_CODE), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{batch.code}.pdf"'
    return response
