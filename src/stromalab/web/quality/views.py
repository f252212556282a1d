"""Quality pages: QC results per batch, FCS panels with histograms, OOS records, the release
summary and decision, the certificate of analysis. Thin: parse, check permission, call an
action, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stromalab.core.manufacturing.specification import Requirement
from stromalab.web.accounts.permissions import has_role, require_role
from stromalab.web.audit.models import AuditEvent
from stromalab.web.feedback import report_refusal, run_action
from stromalab.web.manufacturing.checks import shown_name
from stromalab.web.manufacturing.models import Batch
from stromalab.web.manufacturing.queries import batch_or_404

from . import models as m
from .actions.fcs import Upload, upload_panel
from .actions.oos import close_oos
from .actions.release import reject_batch, release_batch
from .actions.results import CORRECTABLE, correct_result, record_result, void_result
from .forms import CorrectionForm, DecisionForm, FcsUploadForm, OosCloseForm, ResultForm
from .permissions import ANALYSTS, OOS_CLOSERS, READERS, RELEASERS
from .queries import (
    ReleaseSummary,
    batch_overview,
    decision_matches,
    file_intact,
    panel_histograms,
    qc_participants,
    release_summary,
    specification,
)
from .spec import shown_limit, shown_value

#: largest FCS file accepted by upload (bytes)
MAX_FCS_BYTES = 512 * 1024 * 1024

#: names of refused fields that no form on these pages shows
LABELS = {"files": gettext_lazy("FCS files"), "changes": gettext_lazy("Correction")}

#: the words shown for a result's status or a panel's ISCT verdict (the stored values stay English)
STATUS_LABELS = {"pass": gettext_lazy("pass"), "fail": gettext_lazy("fail"), "missing": gettext_lazy("missing"),
                 "invalid": gettext_lazy("invalid"), "incomplete": gettext_lazy("incomplete")}


def _status(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


def _tests(batch: Batch) -> list[tuple[str, str]]:
    return [(r.id, f"{shown_name(r)} ({shown_limit(r)})") for r in specification(batch).requirements]


def _requirement(batch: Batch, test_id: Any) -> Requirement | None:
    """The batch's specification test ``test_id``, None when it has none of that id."""
    try:
        return specification(batch).requirement(str(test_id or ""))
    except KeyError:
        return None


def _next_test(summary: ReleaseSummary, asked: Any) -> Requirement:
    """The test whose entry form the page shows: the one asked for (``?test=``), else the first
    without a current result, else the first (the summary's rows: the specification's tests in
    order, each with its current result, read once for the page)."""
    return (_requirement(summary.batch, asked)
            or next((row.requirement for row in summary.rows if row.result is None), summary.rows[0].requirement))


@require_role(READERS)
@require_GET
def batch_list(request: Any) -> HttpResponse:
    # one query, not three per batch: the counts and the decision come with the batches
    batches = batch_overview()[:500]
    rows = [{"batch": b, "results": b.n_results, "open_oos": b.n_open_oos,
             "decision": getattr(b, "release_decision", None)} for b in batches]
    return render(request, "quality/batch_list.html", {"rows": rows})


@require_role(READERS)
@require_GET
def batch_qc(request: Any, qc_batch: str) -> HttpResponse:
    return _batch_page(request, batch_or_404(qc_batch))


def _batch_page(request: Any, batch: Batch, form: ResultForm | None = None,
                upload_form: FcsUploadForm | None = None) -> HttpResponse:
    """The batch's QC page; a refused form is shown again, bound, with its errors. The entry form
    is that of one test (picked with ``?test=``): a select of its choices for a qualitative test,
    a number in the specification's unit for another."""
    summary = release_summary(batch)
    chosen = _requirement(batch, form["test_id"].value()) if form is not None else None
    chosen = chosen or _next_test(summary, request.GET.get("test"))
    return render(request, "quality/batch.html", {
        "batch": batch, "summary": summary, "tests": _tests(batch), "chosen": chosen,
        "chosen_limit": shown_limit(chosen), "chosen_name": shown_name(chosen),
        "form": form or ResultForm(tests=_tests(batch), requirement=chosen),
        "upload_form": upload_form or FcsUploadForm(),
        "panels": m.FcsPanel.objects.filter(batch=batch).select_related("uploaded_by").order_by("-id"),
        "voided": m.QcResult.objects.filter(batch=batch, voided_at__isnull=False).order_by("id"),
        "can_enter": has_role(request.user, ANALYSTS) and summary.decision is None
        and batch.status in (Batch.IN_PROCESS, Batch.QUARANTINE),
    })


@require_role(ANALYSTS)
@require_POST
def result_add(request: Any, qc_batch: str) -> HttpResponse:
    batch = batch_or_404(qc_batch)
    form = ResultForm(request.POST, tests=_tests(batch), requirement=_requirement(batch, request.POST.get("test_id")))
    if not form.is_valid():
        return _batch_page(request, batch, form=form)
    try:
        result = record_result(batch=batch, acting_user=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as e:
        report_refusal(request, e, form=form, labels=LABELS)
        return _batch_page(request, batch, form=form)
    # stored either way; out of specification is not good news: it opened an OOS record
    notify = messages.success if result.status == "pass" else messages.warning
    requirement = _requirement(batch, result.test_id)
    shown = f"{shown_value(requirement, result.value)} {result.unit}".strip() if requirement else result.shown_value
    notify(request, _("Result recorded: %(test)s %(value)s — %(status)s") % {
        "test": result.test_name, "value": shown, "status": _status(result.status)})
    return redirect("quality:batch", qc_batch=batch.code)


@require_role(READERS, write=ANALYSTS)
@require_http_methods(["GET", "POST"])
def result_detail(request: Any, qc_result_id: int) -> HttpResponse:
    result = get_object_or_404(m.QcResult.objects.select_related("batch", "analyst"), pk=qc_result_id)
    requirement = _requirement(result.batch, result.test_id)
    form = CorrectionForm(request.POST or None, requirement=requirement, initial={
        "value": result.value, "method": result.method,
        "instrument": result.instrument, "performed_on": result.performed_on,
        "requested_dose": result.requested_dose or ""})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        if cd["step"] == "void":
            def call() -> Any:
                return void_result(result=result, reason=cd["reason"], acting_user=request.user)
        else:
            changes = {k: cd[k] for k in CORRECTABLE if k in form.changed_data}
            if "requested_dose" in changes and result.requested_dose is None and not changes["requested_dose"]:
                del changes["requested_dose"]

            def call() -> Any:
                return correct_result(result=result, changes=changes, reason=cd["reason"],
                                      acting_user=request.user)
        if run_action(request, call, _("Result updated."), form=form, labels=LABELS):
            return redirect("quality:result", qc_result_id=result.pk)
    history = AuditEvent.objects.filter(record_type="quality.QcResult", record_id=str(result.pk)).order_by("id")
    return render(request, "quality/result.html", {
        "result": result, "form": form, "history": history,
        "oos": result.oos_records.order_by("id"),
        "can_edit": has_role(request.user, ANALYSTS) and result.voided_at is None})


@require_role(ANALYSTS)
@require_POST
def fcs_upload(request: Any, qc_batch: str) -> HttpResponse:
    batch = batch_or_404(qc_batch)
    form = FcsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _batch_page(request, batch, upload_form=form)
    files = [form.cleaned_data["control"], *form.cleaned_data["stained"]]
    too_big = [f.name for f in files if f.size > MAX_FCS_BYTES]
    if too_big:
        messages.error(request, _("%(name)s: larger than %(mb)d MB, nothing was stored") % {
            "name": too_big[0], "mb": MAX_FCS_BYTES // 2**20})
        return _batch_page(request, batch, upload_form=form)
    uploads = [Upload(f.name, f.read()) for f in files]
    try:
        panel = upload_panel(batch=batch, control=uploads[0], stained=uploads[1:],
                             reason=form.cleaned_data["reason"], acting_user=request.user)
    except (ValidationError, PermissionDenied) as e:
        report_refusal(request, e, form=form, labels=LABELS)
        return _batch_page(request, batch, upload_form=form)
    messages.success(request, _("Panel stored: ISCT verdict %(verdict)s.") % {"verdict": _status(panel.verdict)})
    return redirect("quality:panel", fcs_panel_id=panel.pk)


@require_role(READERS)
@require_GET
def panel_detail(request: Any, fcs_panel_id: int) -> HttpResponse:
    panel = get_object_or_404(m.FcsPanel.objects.select_related("batch", "uploaded_by"), pk=fcs_panel_id)
    files = [(f, file_intact(f)) for f in panel.files.order_by("position")]
    return render(request, "quality/panel.html", {
        "panel": panel, "batch": panel.batch, "files": files,
        "criteria": panel.criteria(), "tubes": panel.phenotype.get("tubes", []),
        "histograms": list(enumerate(panel_histograms(panel))),
        "results": panel.results.filter(voided_at__isnull=True).order_by("id")})


@require_role(READERS)
@require_GET
def histogram(request: Any, fcs_panel_id: int, histogram_index: int) -> HttpResponse:
    from .histograms import render_png

    panel = get_object_or_404(m.FcsPanel, pk=fcs_panel_id)
    histograms = panel_histograms(panel)
    if not 0 <= histogram_index < len(histograms):
        raise Http404("no such histogram")
    response = HttpResponse(render_png(histograms[histogram_index]), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_role(READERS)
@require_GET
def oos_list(request: Any) -> HttpResponse:
    status = request.GET.get("status", "open")
    qs = m.OosRecord.objects.select_related("batch", "opened_by", "closed_by").order_by("-id")
    if status in dict(m.OosRecord.STATUSES):
        qs = qs.filter(status=status)
    return render(request, "quality/oos_list.html", {"records": qs[:500], "status": status})


@require_role(READERS, write=OOS_CLOSERS)
@require_http_methods(["GET", "POST"])
def oos_detail(request: Any, oos_id: int) -> HttpResponse:
    oos = get_object_or_404(m.OosRecord.objects.select_related("batch", "result", "signature"), pk=oos_id)
    form = OosCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and run_action(
            request, lambda: close_oos(oos=oos, acting_user=request.user, **form.cleaned_data),
            _("OOS record closed."), form=form):
        return redirect("quality:oos", oos_id=oos.pk)
    return render(request, "quality/oos.html", {
        "oos": oos, "form": form,
        "matches": oos.signature.matches(oos.signed_content()) if oos.signature else None,
        "can_close": has_role(request.user, OOS_CLOSERS) and oos.status == m.OosRecord.OPEN})


@require_role(READERS, write=RELEASERS)
@require_http_methods(["GET", "POST"])
def release(request: Any, qc_batch: str) -> HttpResponse:
    batch = batch_or_404(qc_batch)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        if cd["decision"] == "release":
            def call() -> Any:
                return release_batch(batch=batch, password=cd["password"], acting_user=request.user)
        else:
            def call() -> Any:
                return reject_batch(batch=batch, password=cd["password"], reason=cd["reason"],
                                    acting_user=request.user)
        if run_action(request, call, _("Decision signed."), form=form):
            return redirect("quality:release", qc_batch=batch.code)
    summary = release_summary(batch)
    participant = request.user.pk in qc_participants(batch)
    return render(request, "quality/release.html", {
        "batch": batch, "summary": summary, "form": form,
        "matches": decision_matches(summary), "participant": participant,
        "can_decide": has_role(request.user, RELEASERS) and summary.decision is None and not participant,
    })


@require_role(READERS)
@require_GET
def certificate(request: Any, qc_batch: str) -> HttpResponse:
    from .certificate import certificate_pdf

    batch = batch_or_404(qc_batch)
    pdf = certificate_pdf(batch, language=request.LANGUAGE_CODE)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{batch.code}.pdf"'
    return response
