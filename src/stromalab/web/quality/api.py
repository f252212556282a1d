"""Quality control and release through the API: the same actions and permissions as the pages."""


import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from stromalab.web.accounts.permissions import api_op
from stromalab.web.manufacturing.models import Batch

from . import actions
from . import models as m
from .permissions import ANALYSTS, OOS_CLOSERS, READERS, RELEASERS

router = Router(tags=["quality"])


class ResultIn(Schema):
    test_id: str
    value: str
    performed_on: dt.date
    unit: str | None = None
    method: str = ""
    instrument: str = ""
    requested_dose: Decimal | None = None


class ResultOut(Schema):
    id: int
    batch: str
    test_id: str
    test_name: str
    value: str
    unit: str
    requested_dose: str | None
    method: str
    instrument: str
    performed_on: dt.date
    analyst: str
    limit: str
    specification_version: str
    status: str
    reason: str
    source: str
    panel: int | None
    voided: bool


class CorrectIn(Schema):
    changes: dict[str, Any]
    reason: str


class ReasonIn(Schema):
    reason: str


class OosOut(Schema):
    id: int
    batch: str
    result: int
    test_id: str
    value: str
    limit: str
    description: str
    status: str
    opened_by: str
    closed_by: str | None
    conclusion: str
    signature: str | None


class OosCloseIn(Schema):
    conclusion: str
    password: str


class PanelOut(Schema):
    id: int
    batch: str
    verdict: str
    uploaded_by: str
    files: list[dict[str, Any]]
    phenotype: dict[str, Any]
    results: list[int]


class SignIn(Schema):
    password: str


class RejectIn(Schema):
    password: str
    reason: str


class TestOut(Schema):
    test_id: str
    name: str
    limit: str
    required: bool
    status: str
    reason: str
    result: int | None


class SummaryOut(Schema):
    batch: str
    din: str
    batch_status: str
    specification_version: str
    eligibility: str
    eligibility_ok: bool
    tests: list[TestOut]
    open_oos: list[int]
    open_deviations: list[int]
    deviations: list[dict[str, Any]] = []
    containers: list[dict[str, str]]
    blockers: list[str]
    releasable: bool
    decision: str | None
    signed_by: str | None
    signed_at: str | None
    meaning: str | None
    content_hash: str | None
    signature_matches: bool | None


def _batch(code: str) -> Batch:
    return get_object_or_404(Batch.objects.select_related("donation__donor"), code=code)


def _result_out(r: m.QcResult) -> dict[str, Any]:
    return {"id": r.pk, "batch": r.batch.code, "test_id": r.test_id, "test_name": r.test_name,
            "value": r.value, "unit": r.unit,
            "requested_dose": None if r.requested_dose is None else str(r.requested_dose),
            "method": r.method, "instrument": r.instrument, "performed_on": r.performed_on,
            "analyst": r.analyst.username, "limit": r.limit_text,
            "specification_version": r.specification_version, "status": r.status,
            "reason": r.verdict_reason, "source": r.source, "panel": r.panel_id,
            "voided": r.voided_at is not None}


def _oos_out(o: m.OosRecord) -> dict[str, Any]:
    return {"id": o.pk, "batch": o.batch.code, "result": o.result_id, "test_id": o.test_id,
            "value": o.value, "limit": o.limit_text, "description": o.description, "status": o.status,
            "opened_by": o.opened_by.username, "closed_by": o.closed_by.username if o.closed_by else None,
            "conclusion": o.conclusion, "signature": o.signature.manifestation() if o.signature else None}


def _panel_out(p: m.FcsPanel) -> dict[str, Any]:
    return {"id": p.pk, "batch": p.batch.code, "verdict": p.verdict, "uploaded_by": p.uploaded_by.username,
            "files": [{"role": f.role, "name": f.original_name, "sha256": f.sha256, "size": f.size,
                       "events": f.events} for f in p.files.order_by("position")],
            "phenotype": p.phenotype, "results": list(p.results.values_list("pk", flat=True))}


def _summary_out(batch: Batch) -> dict[str, Any]:
    s = actions.release_summary(batch)
    d = s.decision
    sig = d.signature if d else None
    return {
        "batch": s.batch.code, "din": s.batch.din, "batch_status": s.batch.status,
        "specification_version": s.specification.version,
        "eligibility": s.eligibility.text, "eligibility_ok": s.eligibility.ok,
        "tests": [{"test_id": row.requirement.id, "name": row.requirement.name,
                   "limit": row.requirement.limit_text, "required": row.requirement.required,
                   "status": row.status, "reason": row.verdict.reason,
                   "result": row.result.pk if row.result else None} for row in s.rows],
        "open_oos": [o.pk for o in s.open_oos], "open_deviations": [x.pk for x in s.open_deviations],
        "deviations": [{"id": x.pk, "check": x.check_id, "description": x.description, "status": x.status,
                        "impact": x.impact, "conclusion": x.conclusion,
                        "closed_by": x.closed_by.username if x.closed_by_id else None,
                        "signature": x.signature.manifestation() if x.signature_id else None}
                       for x in s.deviations],
        "containers": [{"identifier": c.identifier, "status": c.status} for c in s.containers],
        "blockers": s.blockers, "releasable": s.releasable,
        "decision": d.decision if d else None,
        "signed_by": sig.printed_name if sig else None,
        "signed_at": sig.signed_at.isoformat() if sig else None,
        "meaning": sig.meaning if sig else None,
        "content_hash": sig.content_hash if sig else None,
        "signature_matches": actions.decision_matches(s),
    }


@api_op(router, "GET", "/batches/{qc_batch}/results", READERS, response=list[ResultOut])
def list_results(request: Any, qc_batch: str, include_voided: bool = False) -> Any:
    qs = m.QcResult.objects.filter(batch=_batch(qc_batch)).select_related("batch", "analyst").order_by("id")
    if not include_voided:
        qs = qs.filter(voided_at__isnull=True)
    return [_result_out(r) for r in qs]


@api_op(router, "POST", "/batches/{qc_batch}/results", ANALYSTS, response={201: ResultOut})
def add_result(request: Any, qc_batch: str, payload: ResultIn) -> Any:
    r = actions.record_result(batch=_batch(qc_batch), acting_user=request.auth, **payload.dict())
    return 201, _result_out(r)


@api_op(router, "POST", "/results/{qc_result_id}/correct", ANALYSTS, response=ResultOut)
def correct_result(request: Any, qc_result_id: int, payload: CorrectIn) -> Any:
    r = get_object_or_404(m.QcResult, pk=qc_result_id)
    r = actions.correct_result(result=r, changes=payload.changes, reason=payload.reason, acting_user=request.auth)
    return _result_out(r)


@api_op(router, "POST", "/results/{qc_result_id}/void", ANALYSTS, response=ResultOut)
def void_result(request: Any, qc_result_id: int, payload: ReasonIn) -> Any:
    r = get_object_or_404(m.QcResult, pk=qc_result_id)
    actions.void_result(result=r, reason=payload.reason, acting_user=request.auth)
    r.refresh_from_db()
    return _result_out(r)


@api_op(router, "GET", "/oos", READERS, response=list[OosOut])
def list_oos(request: Any, status: str = "open") -> Any:
    qs = m.OosRecord.objects.select_related("batch", "opened_by", "closed_by", "signature").order_by("-id")
    if status in dict(m.OosRecord.STATUSES):
        qs = qs.filter(status=status)
    return [_oos_out(o) for o in qs[:500]]


@api_op(router, "POST", "/oos/{oos_id}/close", OOS_CLOSERS, response=OosOut)
def close_oos(request: Any, oos_id: int, payload: OosCloseIn) -> Any:
    oos = get_object_or_404(m.OosRecord, pk=oos_id)
    oos = actions.close_oos(oos=oos, conclusion=payload.conclusion, password=payload.password,
                            acting_user=request.auth)
    return _oos_out(oos)


@api_op(router, "POST", "/batches/{qc_batch}/fcs", ANALYSTS, response={201: PanelOut})
def upload_fcs(request: Any, qc_batch: str, control: File[UploadedFile],
               stained: File[list[UploadedFile]], reason: Form[str] = "") -> Any:
    from .views import MAX_FCS_BYTES

    files = [control, *stained]
    too_big = [f.name for f in files if f.size > MAX_FCS_BYTES]
    if too_big:
        from ninja.errors import HttpError

        raise HttpError(413, f"{too_big[0]}: larger than {MAX_FCS_BYTES // 2**20} MB, nothing was stored")
    panel = actions.upload_panel(
        batch=_batch(qc_batch), control=actions.Upload(control.name or "control.fcs", control.read()),
        stained=[actions.Upload(f.name or f"stained{i}.fcs", f.read()) for i, f in enumerate(stained, 1)],
        reason=reason, acting_user=request.auth)
    return 201, _panel_out(panel)


@api_op(router, "GET", "/panels/{fcs_panel_id}", READERS, response=PanelOut)
def get_panel(request: Any, fcs_panel_id: int) -> Any:
    return _panel_out(get_object_or_404(m.FcsPanel.objects.select_related("batch", "uploaded_by"),
                                        pk=fcs_panel_id))


@api_op(router, "GET", "/batches/{qc_batch}/release", READERS, response=SummaryOut)
def release_summary(request: Any, qc_batch: str) -> Any:
    return _summary_out(_batch(qc_batch))


@api_op(router, "POST", "/batches/{qc_batch}/release", RELEASERS, response={201: SummaryOut})
def release(request: Any, qc_batch: str, payload: SignIn) -> Any:
    batch = _batch(qc_batch)
    actions.release_batch(acting_user=request.auth, batch=batch, password=payload.password)
    return 201, _summary_out(batch)


@api_op(router, "POST", "/batches/{qc_batch}/reject", RELEASERS, response={201: SummaryOut})
def reject(request: Any, qc_batch: str, payload: RejectIn) -> Any:
    batch = _batch(qc_batch)
    actions.reject_batch(acting_user=request.auth, batch=batch, password=payload.password, reason=payload.reason)
    return 201, _summary_out(batch)


@api_op(router, "GET", "/batches/{qc_batch}/certificate", READERS)
def certificate(request: Any, qc_batch: str) -> Any:
    from .certificate import render

    batch = _batch(qc_batch)
    response = HttpResponse(render(actions.certificate_data(batch)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{batch.code}.pdf"'
    return response
