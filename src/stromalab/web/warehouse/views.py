"""Pre-screening pages: run a pre-screen, read its candidates and attrition, register a
candidate as a donor. Thin: parse, check permission, call an action, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from stromalab.web.accounts.permissions import has_role, require_role
from stromalab.web.feedback import report_refusal

from . import actions, sources
from .forms import PrescreenForm, RegisterForm
from .models import CANDIDATE, EXCLUDED, PrescreenResult, PrescreenRun
from .permissions import READERS, REGISTRARS, RUNNERS

PAGE = 100


def criteria_texts(protocol_id: str) -> dict[str, dict[str, str]]:
    """Criterion id -> kind and verbatim text, from the protocol the run used."""
    from stromalab.core.protocol import load_protocol

    try:
        protocol = load_protocol(protocol_id)
    except Exception:  # a protocol folder removed since: ids without texts
        return {}
    return {c.id: {"kind": c.kind, "text": c.text} for c in protocol.criteria}


def shown_values(values: dict[str, Any]) -> list[tuple[str, str]]:
    """An explanation's values as (name, text) pairs for the page: a matching fact's code and
    dates on one line, a missing value as a dash (docs/contracts/prescreen.md)."""
    pairs = []
    for name, value in values.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items() if v is not None)
        elif isinstance(value, list):
            value = "–".join(str(v) for v in value)
        pairs.append((name, "—" if value is None else str(value)))
    return pairs


@require_role(READERS, write=RUNNERS)
@require_http_methods(["GET", "POST"])
def run_list(request: Any) -> HttpResponse:
    if request.method == "POST":
        form = PrescreenForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["schedule"]
            try:
                run = actions.run_prescreen(
                    source=form.cleaned_data["source"], as_of=form.cleaned_data["as_of"],
                    schedule=upload.read() if upload else None, schedule_name=upload.name if upload else "",
                    acting_user=request.user)
            except (ValidationError, PermissionDenied) as e:
                report_refusal(request, e, form=form)
            else:
                messages.success(request, _("Pre-screen done: %(c)d candidates of %(p)d.")
                                 % {"c": run.candidates, "p": run.population})
                return redirect("warehouse:run", run_id=run.pk)
    else:
        form = PrescreenForm(initial={"source": sources.DEMO, "as_of": sources.demo_as_of().isoformat()})
    runs = Paginator(PrescreenRun.objects.select_related("created_by"), 50).get_page(request.GET.get("page"))
    return render(request, "warehouse/run_list.html", {
        "form": form, "runs": runs, "can_run": has_role(request.user, RUNNERS),
        "demo_as_of": sources.demo_as_of(),
    })


@require_role(READERS)
@require_GET
def demo_schedule(request: Any) -> FileResponse:
    """The demo warehouse's operating-room schedule, to try the upload."""
    sources.ensure_demo()
    return FileResponse(sources.demo_schedule_path().open("rb"), as_attachment=True,
                        filename="demo-schedule.csv", content_type="text/csv")


@require_role(READERS)
@require_GET
def run_detail(request: Any, run_id: int) -> HttpResponse:
    run = get_object_or_404(PrescreenRun.objects.select_related("created_by"), pk=run_id)
    verdict = request.GET.get("verdict", CANDIDATE)
    qs = PrescreenResult.objects.filter(run=run)
    if verdict in (CANDIDATE, EXCLUDED):
        qs = qs.filter(verdict=verdict)
    page = Paginator(qs.order_by("person_id"), PAGE).get_page(request.GET.get("page"))
    links = actions.read_links(run=run, acting_user=request.user)
    texts = criteria_texts(run.protocol_id)
    rows = [{"r": r, "link": links.get(r.person_id),
             "failed": [(c, texts.get(c, {}).get("text", "")) for c in r.failed_ids],
             "unknown": [(c, texts.get(c, {}).get("text", "")) for c in r.unknown_ids]}
            for r in page.object_list]
    attrition = [{**a, "text": texts.get(a["criterion"], {}).get("text", ""),
                  "kind": texts.get(a["criterion"], {}).get("kind", "")} for a in run.attrition]
    return render(request, "warehouse/run_detail.html", {
        "run": run, "page": page, "rows": rows, "verdict": verdict, "attrition": attrition,
    })


@require_role(READERS, write=REGISTRARS)
@require_http_methods(["GET", "POST"])
def person(request: Any, run_id: int, person_id: int) -> HttpResponse:
    run = get_object_or_404(PrescreenRun, pk=run_id)
    result = get_object_or_404(PrescreenResult, run=run, person_id=person_id)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registered = actions.register_candidate(run=run, person_id=person_id, identity=form.cleaned_data,
                                                    acting_user=request.user)
        except (ValidationError, PermissionDenied) as e:
            report_refusal(request, e, form=form)
        else:
            messages.success(request, _("Person %(p)s registered as donor %(d)s.")
                             % {"p": person_id, "d": registered.donor.pseudonym})
            return redirect("warehouse:person", run_id=run.pk, person_id=person_id)
    link = actions.read_links(run=run, person_id=person_id, acting_user=request.user).get(person_id)
    texts = criteria_texts(run.protocol_id)
    explained, unexplained = {}, ""
    try:  # the values each criterion was decided on, read again for this person alone
        explained = {c["id"]: c for c in actions.explain_person(run=run, person_id=person_id, acting_user=request.user)}
    except ValidationError as e:
        unexplained = "; ".join(e.messages)
    criteria = []
    for cid in run.criteria:
        status = "fail" if cid in result.failed_ids else "unknown" if cid in result.unknown_ids else "pass"
        why = explained.get(cid, {})
        criteria.append({"id": cid, "status": status, **texts.get(cid, {"kind": "", "text": ""}),
                         "reason": why.get("reason", ""), "values": shown_values(why.get("values", {})),
                         "changed": bool(why) and why["status"] != status})
    return render(request, "warehouse/person.html", {
        "run": run, "result": result, "criteria": criteria, "link": link, "form": form,
        "unexplained": unexplained,
        "facts": link.facts.all() if link else [],
        "can_register": has_role(request.user, REGISTRARS) and link is None and result.verdict == CANDIDATE,
    })
