"""Shipping pages: the list, a new shipment (dispatch), a shipment with its custody, logger files
and deviations, and the site's receipt. Thin: parse, check the role, call an action, render;
refusals are shown beside their field (``web/feedback.py``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stromalab.web.accounts.permissions import has_role, require_role
from stromalab.web.donors.models import Study
from stromalab.web.feedback import run_action, submit_form

from .actions import MAX_LOGGER_BYTES, confirm_receipt, dispatch_shipment, upload_logger_file
from .config import shipping_plan
from .forms import DispatchForm, LoggerForm, ReceiptForm
from .models import Shipment
from .permissions import DISPATCHERS, LOGGER_UPLOADERS, READERS, RECEIVERS
from .queries import custody, shipment_or_404, shippable_containers, use_blockers

#: names of refused fields that no form on these pages shows
LABELS = {"destination": gettext_lazy("Destination"), "reason": gettext_lazy("Reason")}


@require_role(READERS)
@require_GET
def shipment_list(request: Any) -> HttpResponse:
    shipments = Shipment.objects.select_related("dispatched_by", "received_by").prefetch_related("items")[:500]
    studies = [s.id for s in Study.objects.order_by("id")] if has_role(request.user, DISPATCHERS) else []
    return render(request, "shipping/list.html", {"shipments": shipments, "studies": studies})


@require_role(DISPATCHERS)
@require_http_methods(["GET", "POST"])
def shipment_new(request: Any, nct_id: str) -> HttpResponse:
    if not Study.objects.filter(pk=nct_id).exists():
        raise Http404("no such study")
    try:
        plan = shipping_plan(nct_id)
    except ImproperlyConfigured as e:
        raise Http404(str(e)) from e
    form = DispatchForm(request.POST or None, plan=plan, containers=shippable_containers(nct_id))
    if request.method == "POST":
        done: dict[str, Shipment] = {}

        def call(data: dict[str, Any]) -> None:
            done["shipment"] = dispatch_shipment(study_id=nct_id, acting_user=request.user, **data)

        if submit_form(request, form, call, labels=LABELS):
            messages.success(request, _("Shipment %(code)s dispatched.") % {"code": done["shipment"].code})
            return redirect("shipping:detail", shipment_id=done["shipment"].pk)
    return render(request, "shipping/new.html", {"form": form, "study": nct_id, "limits": plan.limits})


def _detail(request: Any, shipment: Shipment, logger_form: LoggerForm | None = None) -> HttpResponse:
    return render(request, "shipping/detail.html", {
        "shipment": shipment, "custody": custody(shipment), "blockers": use_blockers(shipment),
        "logger_files": shipment.logger_files.select_related("uploaded_by"),
        "deviations": shipment.deviations.select_related("deviation__batch", "logger_file"),
        "logger_form": logger_form or LoggerForm(),
        "can_upload": has_role(request.user, LOGGER_UPLOADERS),
        "can_receive": has_role(request.user, RECEIVERS) and shipment.status == Shipment.IN_TRANSIT
        and shipment.dispatched_by_id != request.user.pk,
        "matches": shipment.signature_matches()})


@require_role(READERS)
@require_GET
def shipment_detail(request: Any, shipment_id: int) -> HttpResponse:
    return _detail(request, shipment_or_404(shipment_id))


@require_role(LOGGER_UPLOADERS)
@require_POST
def logger_upload(request: Any, shipment_id: int) -> HttpResponse:
    shipment = shipment_or_404(shipment_id)
    form = LoggerForm(request.POST, request.FILES)
    if form.is_valid() and form.cleaned_data["file"].size > MAX_LOGGER_BYTES:
        form.add_error("file", _("larger than %(mb)s MB — nothing was stored") % {"mb": MAX_LOGGER_BYTES // 2**20})
    if not form.is_valid():
        messages.error(request, form.errors.as_text())
        return _detail(request, shipment, logger_form=form)
    upload = form.cleaned_data["file"]
    done: dict[str, Any] = {}

    def call() -> None:
        done["file"] = upload_logger_file(shipment=shipment, name=upload.name, data=upload.read(),
                                          acting_user=request.user)

    if not run_action(request, call, None, form=form, labels=LABELS):
        return _detail(request, shipment, logger_form=form)
    if done["file"].excursion:
        messages.warning(request, _("Temperature excursion: a deviation was opened on each batch of the shipment."))
    else:
        messages.success(request, _("Logger file stored: every reading within the limits."))
    return redirect("shipping:detail", shipment_id=shipment.pk)


@require_role(READERS, write=RECEIVERS)
@require_http_methods(["GET", "POST"])
def receipt(request: Any, shipment_id: int) -> HttpResponse:
    shipment = shipment_or_404(shipment_id)
    form = ReceiptForm(request.POST or None)
    if request.method == "POST" and submit_form(
            request, form, lambda data: confirm_receipt(shipment=shipment, acting_user=request.user, **data),
            _("Receipt signed."), labels=LABELS):
        return redirect("shipping:detail", shipment_id=shipment.pk)
    return render(request, "shipping/receipt.html", {
        "shipment": shipment, "form": form,
        "can_receive": has_role(request.user, RECEIVERS) and shipment.status == Shipment.IN_TRANSIT
        and shipment.dispatched_by_id != request.user.pk})
