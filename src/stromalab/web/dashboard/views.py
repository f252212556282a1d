"""The dashboard: what waits for the user's role (:mod:`.queues`), and for the study staff the
study's objective, plus for clinical readers the screening log (:mod:`.stats`)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from stromalab.web.accounts import roles
from stromalab.web.accounts.permissions import has_role, require_role
from stromalab.web.donors.queries import current_study
from stromalab.web.quality.permissions import READERS as QUALITY_READERS

from . import queues
from .freshness import current_version
from .precount import note_viewed
from .stats import objective_summary, study_summary


@require_role(roles.ALL)
def home(request: Any) -> HttpResponse:
    """Everyone lands here: their role's queues; the objective for the study staff; the
    screening log for clinical readers only."""
    study = current_study()
    context: dict[str, Any] = {"study": study, "queues": [], "s": None}
    if study is not None:
        note_viewed(study.pk, request.user.role)
        version = current_version()  # one read for the six figures: one consistent version
        context["queues"] = [queues.build_cached(kind, study, version) for kind in queues.kinds_for(request.user.role)]
        if has_role(request.user, roles.CLINICAL_READERS):
            context["s"] = study_summary(study, version)
        elif has_role(request.user, roles.STUDY_STAFF):
            context["s"] = objective_summary(study)
    context["staff"] = has_role(request.user, roles.STUDY_STAFF)
    context["quality_reader"] = has_role(request.user, QUALITY_READERS)
    return render(request, "dashboard/home.html", context)


@require_role(roles.ALL)
def queue(request: Any, key: str) -> HttpResponse:
    """One of the role's queues in full, a page at a time (a queue of another role: 404)."""
    kind = queues.KINDS.get(key)
    study = current_study()
    if kind is None or request.user.role not in kind.roles or study is None:
        raise Http404
    page = Paginator(kind.rows(study), queues.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dashboard/queue.html", {
        "kind": kind, "page": page, "items": [kind.item(row) for row in page.object_list]})
