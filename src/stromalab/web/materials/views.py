"""Register and CAPA pages. Thin: parse, check the role, call an action, render; a refusal is
shown beside its field (``web/feedback.py``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from stromalab.web.accounts.permissions import has_role, require_role
from stromalab.web.feedback import run_action, submit_form

from . import actions, certificates, links
from .forms import (
    CapaCloseForm,
    CapaForm,
    CertificateForm,
    InstrumentForm,
    InstrumentUpdateForm,
    LotDecisionForm,
    LotForm,
)
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

#: names of refused fields that no form on these pages shows
LABELS = {"name": gettext_lazy("Product"), "answers": gettext_lazy("Deviation or OOS record answered")}


def _certificate(form: Any) -> certificates.Certificate | None:
    upload = form.cleaned_data.get("certificate")
    return None if upload is None else certificates.Certificate(upload.name, upload.read())


@require_role(READERS, write=RECEIVERS)
@require_http_methods(["GET", "POST"])
def lot_list(request: Any) -> HttpResponse:
    form = LotForm(request.POST or None, request.FILES or None)
    created: list[Lot] = []
    if request.method == "POST" and submit_form(
            request, form, lambda d: created.append(actions.receive_lot(
                acting_user=request.user, certificate=_certificate(form),
                **{k: v for k, v in d.items() if k != "certificate"})),
            _("Lot received (in quarantine)."), labels=LABELS):
        return redirect("materials:lot", lot_id=created[0].pk)
    kind = request.GET.get("kind", "")
    lots = Lot.objects.select_related("received_by").order_by("-id")
    return render(request, "materials/lot_list.html", {
        "lots": (lots.filter(kind=kind) if kind else lots)[:500], "form": form, "kinds": Lot.KINDS,
        "today": timezone.localdate(), "can_receive": has_role(request.user, RECEIVERS)})


@require_role(READERS, write=(*RECEIVERS, *LOT_DECIDERS))
@require_http_methods(["GET", "POST"])
def lot_detail(request: Any, lot_id: int) -> HttpResponse:
    lot = get_object_or_404(Lot.objects.select_related("received_by", "status_changed_by", "status_signature"),
                            pk=lot_id)
    posted = request.POST.get("step") if request.method == "POST" else None
    decision = LotDecisionForm(request.POST if posted == "decision" else None)
    upload = CertificateForm(request.POST if posted == "certificate" else None,
                             request.FILES if posted == "certificate" else None)
    if posted == "decision" and submit_form(
            request, decision, lambda d: actions.decide_lot(lot=lot, acting_user=request.user, **d),
            _("Decision signed.")):
        return redirect("materials:lot", lot_id=lot.pk)
    if posted == "certificate" and submit_form(
            request, upload, lambda d: actions.attach_certificate(
                lot=lot, acting_user=request.user,
                certificate=certificates.Certificate(d["certificate"].name, d["certificate"].read())),
            _("Certificate stored.")):
        return redirect("materials:lot", lot_id=lot.pk)
    return render(request, "materials/lot_detail.html", {
        "lot": lot, "decision_form": decision, "certificate_form": upload, "recall": recall(lot),
        "problem": lot.problem_on(timezone.localdate()) if lot.status != Lot.REJECTED else "",
        "matches": lot.status_signature.matches(lot.signed_content()) if lot.status_signature else None,
        "can_decide": has_role(request.user, LOT_DECIDERS) and lot.status != Lot.REJECTED
        and lot.received_by_id != request.user.pk,
        "can_attach": has_role(request.user, RECEIVERS) and not lot.certificate_sha256
        and lot.status == Lot.QUARANTINE})


@require_role(READERS)
@require_GET
def lot_certificate(request: Any, lot_id: int) -> HttpResponse:
    lot = get_object_or_404(Lot, pk=lot_id)
    if not lot.certificate_path:
        raise Http404("no certificate on file")
    try:
        data = certificates.read(lot.certificate_path, lot.certificate_sha256)
    except (OSError, ValueError) as e:
        raise Http404(str(e)) from e
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{lot.certificate_name}"'
    return response


@require_role(READERS, write=INSTRUMENT_KEEPERS)
@require_http_methods(["GET", "POST"])
def instrument_list(request: Any) -> HttpResponse:
    form = InstrumentForm(request.POST or None)
    if request.method == "POST" and submit_form(
            request, form, lambda d: actions.register_instrument(acting_user=request.user, **d),
            _("Instrument registered.")):
        return redirect("materials:instruments")
    return render(request, "materials/instrument_list.html", {
        "instruments": Instrument.objects.order_by("identifier")[:1000], "form": form,
        "today": timezone.localdate(), "can_register": has_role(request.user, INSTRUMENT_KEEPERS)})


@require_role(READERS, write=INSTRUMENT_KEEPERS)
@require_http_methods(["GET", "POST"])
def instrument_detail(request: Any, instrument_id: int) -> HttpResponse:
    instrument = get_object_or_404(Instrument, pk=instrument_id)
    form = InstrumentUpdateForm(request.POST or None)
    if request.method == "POST" and submit_form(
            request, form, lambda d: actions.update_instrument(instrument=instrument, acting_user=request.user, **d),
            _("Instrument updated.")):
        return redirect("materials:instrument", instrument_id=instrument.pk)
    return render(request, "materials/instrument_detail.html", {
        "instrument": instrument, "form": form, "problem": instrument.problem_on(timezone.localdate()),
        "can_update": has_role(request.user, INSTRUMENT_KEEPERS)})


@require_role(READERS, write=CAPA_WRITERS)
@require_http_methods(["GET", "POST"])
def capa_list(request: Any) -> HttpResponse:
    can_open = has_role(request.user, CAPA_WRITERS)
    form = CapaForm(request.POST or None, answerable=links.answerable() if can_open else [])
    created: list[Capa] = []
    if request.method == "POST" and form.is_valid() and run_action(
            request, lambda: created.append(actions.open_capa(
                acting_user=request.user, **links.answered(form.cleaned_data["answers"]),
                **{k: v for k, v in form.cleaned_data.items() if k != "answers"})),
            _("CAPA opened."), form=form, labels=LABELS):
        return redirect("materials:capa", capa_id=created[0].pk)
    status = request.GET.get("status", "open")
    capas = Capa.objects.select_related("owner", "deviation__batch", "oos__batch")
    return render(request, "materials/capa_list.html", {
        "capas": (capas if status == "all" else capas.filter(status=status))[:500], "form": form,
        "overdue": overdue_capas()[:500], "today": timezone.localdate(), "can_open": can_open})


@require_role(READERS, write=CAPA_CLOSERS)
@require_http_methods(["GET", "POST"])
def capa_detail(request: Any, capa_id: int) -> HttpResponse:
    capa = get_object_or_404(Capa.objects.select_related("owner", "signature", "deviation__batch", "oos__batch"),
                             pk=capa_id)
    form = CapaCloseForm(request.POST or None)
    if request.method == "POST" and submit_form(
            request, form, lambda d: actions.close_capa(capa=capa, acting_user=request.user, **d),
            _("CAPA closed.")):
        return redirect("materials:capa", capa_id=capa.pk)
    return render(request, "materials/capa_detail.html", {
        "capa": capa, "form": form, "overdue": capa.status == Capa.OPEN and capa.due_on < timezone.localdate(),
        "matches": capa.signature_matches(),
        "can_close": has_role(request.user, CAPA_CLOSERS) and capa.status == Capa.OPEN
        and capa.owner_id != request.user.pk})
