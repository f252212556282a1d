"""``/studies/`` and ``/studies/<NCT id>/``: public, read-only, GET only.

The list holds the studies loaded into this system (``donors.Study``, one per protocol folder
loaded by ``bootstrap.load_study``), searchable by condition and status; each page shows the
study's registry record and nothing else (no donor, no count, no identity).
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from stromalab.web.accounts.permissions import public
from stromalab.web.donors.models import Study

from . import labels, listing


class SearchForm(forms.Form):
    condition = forms.CharField(label=_("Condition"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *labels.STATUS.items()])


@public
@require_safe
def study_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    condition, status = "", ""
    if form.is_valid():
        condition = form.cleaned_data["condition"].strip().casefold()
        status = form.cleaned_data["status"]
    rows = []
    for study in Study.objects.order_by("id"):
        record = listing.registration(study.id)
        if record is None:
            continue
        if condition and not any(condition in c.casefold() for c in record.conditions):
            continue
        if status and record.overall_status != status:
            continue
        rows.append((record, labels.label(labels.STATUS, record.overall_status)))
    return render(request, "registry/study_list.html", {"form": form, "rows": rows})


@public
@require_safe
def study_detail(request: HttpRequest, nct_id: str) -> HttpResponse:
    if not Study.objects.filter(pk=nct_id).exists():
        raise Http404("no such study")
    record = listing.registration(nct_id)
    if record is None:
        raise Http404("no registry record")
    return render(request, "registry/study_detail.html", listing.page(record))
