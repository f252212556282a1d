"""Manufacturing pages: batches and their record, storage, containers, traceability, printouts.

Thin: parse a form, check the role (``require_role``), call one action, render or redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stromalab.core.manufacturing import batch_record
from stromalab.core.manufacturing.isbt128 import Isbt128Error
from stromalab.printing.labels import LabelError
from stromalab.web.accounts.permissions import has_role, require_role
from stromalab.web.donors.models import Donor
from stromalab.web.feedback import report_refusal, run_action, submit_form

from . import forms, reports
from .actions.culture import harvest_passage, record_freezing, seed_passage
from .actions.deviations import close_deviation, record_deviation
from .actions.intake import record_harvest, record_isolation, record_receipt
from .actions.rejection import block_withdrawn_containers, reject_step
from .actions.storage import create_box, dispatch_container, move_container, store_batch
from .checks import check_lines
from .models import Batch, Box, Container, Deviation, Step
from .permissions import DEVIATION_CLOSERS, READERS, TRACE_READERS, WRITERS
from .queries import (
    batch_cell_balance,
    batch_growth,
    batch_or_404,
    containers_of_donor,
    find_by_label,
    is_container_identifier,
    listed_batches,
    used_positions,
)
from .step_fields import step_values
from .wording import label_refusal_text


def _run(request: Any, call: Callable[[], Any], success: str, form: Any = None) -> bool:
    """Call an action; report its refusal beside the form's field or as a message (nothing
    was written)."""
    return run_action(request, call, success, refusals=(Isbt128Error,), form=form)


def _submit(request: Any, form: BaseForm, call: Callable[[dict[str, Any]], Any], success: str) -> bool:
    """Validate the posted form, then :func:`_run` the action with its cleaned data."""
    return submit_form(request, form, call, success, refusals=(Isbt128Error,))


# --- batches --------------------------------------------------------------------------------


@require_role(READERS, write=WRITERS)
@require_GET
def batch_list(request: Any) -> HttpResponse:
    qs, filters = listed_batches(request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "manufacturing/batch_list.html", {
        "page": page, "q": filters.get("q", ""), "can_write": has_role(request.user, WRITERS)})


@require_role(WRITERS)
@require_http_methods(["GET", "POST"])
def harvest_new(request: Any) -> HttpResponse:
    form = forms.HarvestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        result: dict[str, Batch] = {}

        def call() -> None:
            result["batch"] = record_harvest(
                donor=d["donor"], harvested_at=d["harvested_at"], surgeon=d["surgeon"], mass_g=d["mass_g"],
                container=d["container"], transport_temperature=d["transport_temperature"],
                departed_at=d["departed_at"], password=d["password"], deviation_reason=d["deviation_reason"],
                acting_user=request.user)

        if _run(request, call, _("Harvest recorded."), form):
            return redirect("manufacturing:batch", code=result["batch"].code)
    return render(request, "manufacturing/harvest.html", {"form": form})


def _steps(batch: Batch) -> list[dict[str, Any]]:
    rows = []
    for step in sorted(batch.steps.select_related("signature", "completed_by", "started_by"),
                       key=lambda s: s.sort_key):
        rows.append({"step": step, "verdicts": check_lines(step),
                     "matches": step.signature_matches(),
                     "data": step_values(step)})
    return rows


def _next(batch: Batch, steps: list[Step]) -> dict[str, bool]:
    """Which step forms the page offers: the moves the batch record's state machine allows."""
    allowed = batch_record.allowed_moves([(s.kind, s.number, s.state) for s in steps], batch_status=batch.status)
    return {move: move in allowed for move in batch_record.MOVES}


@require_role(READERS, write=WRITERS)
@require_GET
def batch_detail(request: Any, code: str) -> HttpResponse:
    batch = batch_or_404(code)
    rows = _steps(batch)
    steps = [r["step"] for r in rows]
    growth = batch_growth(batch)
    can_write = has_role(request.user, WRITERS)
    deviations = list(batch.deviations.select_related("batch", "step", "recorded_by", "closed_by", "signature"))
    close_forms = [(d, forms.DeviationCloseForm(auto_id=f"id_deviation{d.pk}_%s")) for d in deviations
                   if d.status == Deviation.OPEN] if has_role(request.user, DEVIATION_CLOSERS) else []
    nxt = _next(batch, steps) if can_write else {}
    current = next((s for s in steps if s.kind == Step.PASSAGE and s.state == Step.IN_PROGRESS), None)
    return render(request, "manufacturing/batch_detail.html", {
        "batch": batch, "donor": batch.donation.donor, "rows": rows, "growth": growth,
        "balance": batch_cell_balance(batch),
        "containers": list(batch.containers.select_related("box", "batch__donation__donor")),
        "deviations": deviations, "close_forms": close_forms,
        "can_write": can_write, "next": nxt, "current_passage": current,
        "next_passage": batch_record.next_passage_number((s.kind, s.number, s.state) for s in steps),
        "open_steps": [s for s in steps if s.state in (Step.PLANNED, Step.IN_PROGRESS)],
        "forms": {
            "receipt": forms.ReceiptForm(), "isolation": forms.IsolationForm(), "seed": forms.SeedForm(),
            "passage_harvest": forms.PassageHarvestForm(), "freezing": forms.FreezingForm(),
            "storage": forms.StorageForm(), "deviation": forms.DeviationForm(), "reject": forms.ReasonForm(),
        },
    })


def _step_view(form_class: type, call: Callable[[Any, Batch, dict[str, Any]], Any], success: str
               ) -> Callable[..., HttpResponse]:
    @require_role(WRITERS)
    @require_POST
    def view(request: Any, code: str) -> HttpResponse:
        batch = batch_or_404(code)
        form = form_class(request.POST)
        if form.is_valid():
            _run(request, lambda: call(request, batch, form.cleaned_data), success, form)
        else:
            messages.error(request, _("Batch %(code)s: the form has errors: %(errors)s")
                           % {"code": batch.code, "errors": form.errors.as_text()})
        return redirect("manufacturing:batch", code=batch.code)

    return view


def _signed(d: dict[str, Any], request: Any) -> dict[str, Any]:
    return {"password": d["password"], "deviation_reason": d.get("deviation_reason", ""),
            "acting_user": request.user}


receipt = _step_view(forms.ReceiptForm, lambda r, b, d: record_receipt(
    batch=b, received_at=d["received_at"], temperature_c=d["temperature_c"], integrity=d["integrity"],
    mass_g=d["mass_g"], **_signed(d, r)), _("Receipt recorded."))
isolation = _step_view(forms.IsolationForm, lambda r, b, d: record_isolation(
    batch=b, isolated_at=d["isolated_at"], cell_count=d["cell_count"], viability_pct=d["viability_pct"],
    **_signed(d, r)), _("SVF isolation recorded."))
seed = _step_view(forms.SeedForm, lambda r, b, d: seed_passage(
    batch=b, seeded_at=d["seeded_at"], cells_seeded=d["cells_seeded"], vessel=d["vessel"],
    surface_cm2=d["surface_cm2"], medium_lot=d["medium_lot"], reagent_lots=d["reagent_lots"],
    deviation_reason=d["deviation_reason"], acting_user=r.user), _("Passage seeded."))
passage_harvest = _step_view(forms.PassageHarvestForm, lambda r, b, d: harvest_passage(
    batch=b, harvested_at=d["harvested_at"], cells_harvested=d["cells_harvested"],
    viability_pct=d["viability_pct"], confluence_pct=d["confluence_pct"], **_signed(d, r)),
    _("Passage harvest recorded."))
freezing = _step_view(forms.FreezingForm, lambda r, b, d: record_freezing(
    batch=b, frozen_at=d["frozen_at"], container_type=d["container_type"], container_count=d["container_count"],
    volume_ml=d["volume_ml"], cells_per_container=d["cells_per_container"],
    product_description=d["product_description"], password=d["password"], acting_user=r.user),
    _("Containers filled and frozen."))
storage = _step_view(forms.StorageForm, lambda r, b, d: store_batch(
    batch=b, box=d["box"], start_position=d["start_position"], password=d["password"], acting_user=r.user),
    _("Containers stored."))
deviation = _step_view(forms.DeviationForm, lambda r, b, d: record_deviation(
    batch=b, description=d["description"], reason=d["reason"], acting_user=r.user), _("Deviation recorded."))


@require_role(WRITERS)
@require_POST
def step_reject(request: Any, code: str, step_id: int) -> HttpResponse:
    batch = batch_or_404(code)
    step = get_object_or_404(Step, pk=step_id, batch=batch)
    _submit(request, forms.ReasonForm(request.POST), lambda d: reject_step(
        step=step, reason=d["reason"], acting_user=request.user), _("Step rejected."))
    return redirect("manufacturing:batch", code=batch.code)


@require_role(DEVIATION_CLOSERS)
@require_POST
def deviation_close(request: Any, code: str, deviation_id: int) -> HttpResponse:
    """The qualified person closes a deviation (investigation conclusion, e-signature)."""
    batch = batch_or_404(code)
    deviation = get_object_or_404(Deviation, pk=deviation_id, batch=batch)
    form = forms.DeviationCloseForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        _run(request, lambda: close_deviation(deviation=deviation, impact=d["impact"],
                                                      conclusion=d["conclusion"], password=d["password"],
                                                      acting_user=request.user),
             _("Deviation closed."), form)
    else:
        messages.error(request, _("Deviation %(id)s: the form has errors: %(errors)s")
                       % {"id": deviation.pk, "errors": form.errors.as_text()})
    return redirect("manufacturing:batch", code=batch.code)


@require_role(READERS)
@require_GET
def growth_png(request: Any, code: str) -> HttpResponse:
    return HttpResponse(reports.growth_png(batch_or_404(code)), content_type="image/png")


@require_role(READERS)
@require_GET
def labels_pdf(request: Any, code: str) -> HttpResponse:
    batch = batch_or_404(code)
    try:
        pdf = reports.labels_pdf(batch, language=request.LANGUAGE_CODE)
    except LabelError as e:
        report_refusal(request, LabelError(label_refusal_text(str(e))))
        return redirect("manufacturing:batch", code=batch.code)
    except Isbt128Error as e:
        report_refusal(request, e)
        return redirect("manufacturing:batch", code=batch.code)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="labels-{batch.code}.pdf"'
    return response


@require_role(READERS)
@require_GET
def record_pdf(request: Any, code: str) -> HttpResponse:
    batch = batch_or_404(code)
    response = HttpResponse(reports.batch_record_pdf(batch, language=request.LANGUAGE_CODE), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="batch-record-{batch.code}.pdf"'
    return response


# --- storage and containers -----------------------------------------------------------------


@require_role(READERS, write=WRITERS)
@require_http_methods(["GET", "POST"])
def box_list(request: Any) -> HttpResponse:
    form = forms.BoxForm(request.POST or None)
    if request.method == "POST" and _submit(
            request, form, lambda d: create_box(**d, acting_user=request.user), _("Box created.")):
        return redirect("manufacturing:storage")
    boxes = [(b, b.containers.count()) for b in Box.objects.all()]
    return render(request, "manufacturing/box_list.html", {"boxes": boxes, "form": form,
                                                            "can_write": has_role(request.user, WRITERS)})


@require_role(READERS, write=WRITERS)
@require_GET
def box_detail(request: Any, box_id: int) -> HttpResponse:
    box = get_object_or_404(Box, pk=box_id)
    used = used_positions(box)
    grid = []
    for r in range(box.rows):
        row = []
        for c in range(box.columns):
            position = r * box.columns + c + 1
            row.append({"position": position, "label": box.position_label(position), "container": used.get(position)})
        grid.append(row)
    return render(request, "manufacturing/box_detail.html", {
        "box": box, "grid": grid, "used": len(used), "free": box.capacity - len(used)})


@require_role(TRACE_READERS, write=WRITERS)
@require_GET
def container_detail(request: Any, container_id: int) -> HttpResponse:
    container = get_object_or_404(Container.objects.select_related("batch__donation__donor", "box"),
                                  pk=container_id)
    return render(request, "manufacturing/container_detail.html", {
        "container": container, "donation": container.batch.donation, "donor": container.batch.donation.donor,
        "movements": container.movements.select_related("by"),
        "can_write": has_role(request.user, WRITERS), "can_read_batch": has_role(request.user, READERS),
        "move_form": forms.MoveForm(), "dispatch_form": forms.DispatchForm()})


@require_role(WRITERS)
@require_POST
def container_move(request: Any, container_id: int) -> HttpResponse:
    container = get_object_or_404(Container, pk=container_id)
    _submit(request, forms.MoveForm(request.POST), lambda d: move_container(
        container=container, box=d["box"], position=d["position"], reason=d["reason"],
        acting_user=request.user), _("Container moved."))
    return redirect("manufacturing:container", container_id=container.pk)


@require_role(WRITERS)
@require_POST
def container_dispatch(request: Any, container_id: int) -> HttpResponse:
    container = get_object_or_404(Container, pk=container_id)
    _submit(request, forms.DispatchForm(request.POST), lambda d: dispatch_container(
        container=container, destination=d["destination"], reason=d["reason"], acting_user=request.user),
        _("Container dispatched."))
    return redirect("manufacturing:container", container_id=container.pk)


# --- traceability ---------------------------------------------------------------------------


@require_role(TRACE_READERS)
@require_GET
def trace(request: Any) -> HttpResponse:
    """From a typed DIN, scanned label data or container identifier back to donation and donor."""
    form = forms.LookupForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    if form.is_bound and form.is_valid():
        try:
            reading, donation, containers = find_by_label(form.cleaned_data["q"])
        except Isbt128Error as e:
            context["error"] = str(e)
        else:
            if len(containers) == 1 and is_container_identifier(form.cleaned_data["q"]):
                return redirect("manufacturing:container", container_id=containers[0].pk)
            context.update(reading=reading, donation=donation, containers=containers)
    return render(request, "manufacturing/trace.html", context)


@require_role(TRACE_READERS, write=WRITERS)
@require_GET
def trace_donor(request: Any, pseudonym: str) -> HttpResponse:
    """Everything made from a donor's donations, and where it is."""
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    containers = containers_of_donor(donor)
    donations = donor.donations.select_related("batch").order_by("din")
    blocked = [c for c in containers if c.effective_status == Container.BLOCKED]
    return render(request, "manufacturing/trace_donor.html", {
        "donor": donor, "donations": donations, "containers": containers, "blocked": blocked,
        "unmarked": [c for c in blocked if c.status != Container.BLOCKED],
        "can_write": has_role(request.user, WRITERS), "can_read_batch": has_role(request.user, READERS),
        "reason_form": forms.ReasonForm(initial={"reason": _("consent withdrawn")})})


@require_role(WRITERS)
@require_POST
def trace_donor_block(request: Any, pseudonym: str) -> HttpResponse:
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    _submit(request, forms.ReasonForm(request.POST), lambda d: block_withdrawn_containers(
        donor=donor, reason=d["reason"], acting_user=request.user), _("Containers marked blocked."))
    return redirect("manufacturing:trace_donor", pseudonym=pseudonym)
