from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from stromalab.web.accounts import roles
from stromalab.web.accounts.permissions import has_role, require_role
from stromalab.web.donors.models import Study

from .stats import study_summary


@require_role(roles.ALL)
def home(request: Any) -> HttpResponse:
    """Everyone lands here; the study figures are shown to clinical readers only."""
    summary = None
    if has_role(request.user, roles.CLINICAL_READERS):
        study = Study.objects.filter(pk=settings.STROMALAB_PROTOCOL).first() or Study.objects.first()
        summary = study_summary(study)
    return render(request, "dashboard/home.html", {"s": summary})
