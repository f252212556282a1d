"""Screening pages: the case report form with live criteria, coded history, data queries,
the signed eligibility decision and enrollment. Thin: parse, check permission, call an
action, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stromalab.core.protocol import load_protocol
from stromalab.web.accounts import roles
from stromalab.web.accounts.permissions import has_role, require_role
from stromalab.web.donors.models import Donor
from stromalab.web.feedback import error_messages, report_refusal, run_action, submit_form

from . import actions, codes, queries, wording
from . import models as m
from .forms import CodedEntryForm, QueryForm, QueryStepForm, ScreeningForm, SignForm, VoidForm
from .permissions import DECIDERS, ENTRY_ROLES, QUERY_ANSWER_ROLES, QUERY_MANAGERS
from .record import evaluate
from .values import record_problem


def _screening(donor: Donor) -> m.Screening | None:
    return m.Screening.objects.select_related("donor__study").filter(donor=donor).first()


@require_role(roles.CLINICAL_READERS, write=ENTRY_ROLES)
@require_http_methods(["GET", "POST"])
def crf(request: Any, pseudonym: str) -> HttpResponse:
    donor = get_object_or_404(Donor.objects.select_related("study"), pseudonym=pseudonym)
    protocol = load_protocol(donor.study_id)
    answer_criteria = [c for c in protocol.criteria if c.id in protocol.answer_ids]
    if request.method == "POST":
        form = ScreeningForm(request.POST, answer_criteria=answer_criteria,
                            vocabularies=protocol.vocabularies,
                            criterion_texts=wording.criterion_texts(protocol))
        if form.is_valid() and run_action(
            request, lambda: actions.save_screening(donor=donor, data=form.to_action_data(),
                                                    reason=form.cleaned_data["reason"],
                                                    acting_user=request.user),
            _("Screening saved."), form=form, labels=_labels(form),
        ):
            return redirect("screening:crf", pseudonym=pseudonym)
    # read once the save is done (or refused): a saved form is redirected without it
    screening = _screening(donor)
    if request.method != "POST":
        form = ScreeningForm(initial=ScreeningForm.initial_from(screening), answer_criteria=answer_criteria,
                            vocabularies=protocol.vocabularies,
                            criterion_texts=wording.criterion_texts(protocol))
    ev = evaluate(screening) if screening else None
    results = wording.localized(ev.results if ev else _not_screened(protocol), protocol)
    return render(request, "screening/crf.html", {
        "donor": donor, "screening": screening, "form": form, "results": results,
        "verdict": ev.verdict if ev else "incomplete",
        "conditions": screening.conditions.all() if screening else [],
        "medications": screening.medications.all() if screening else [],
        "coded_form": CodedEntryForm(), "void_form": VoidForm(), "query_form": QueryForm(),
        "queries": screening.queries.order_by("-id") if screening else [],
        "can_edit": has_role(request.user, ENTRY_ROLES) and donor.data_entry_allowed,
        "can_query": has_role(request.user, QUERY_MANAGERS),
        "folder": str(protocol.folder),
    })


@require_role(ENTRY_ROLES)
@require_http_methods(["POST"])
def preview(request: Any, pseudonym: str) -> HttpResponse:
    """The criteria for the form as currently typed, unsaved (the page's live status)."""
    donor = get_object_or_404(Donor.objects.select_related("study"), pseudonym=pseudonym)
    protocol = load_protocol(donor.study_id)
    answer_criteria = [c for c in protocol.criteria if c.id in protocol.answer_ids]
    form = ScreeningForm(request.POST, answer_criteria=answer_criteria, vocabularies=protocol.vocabularies,
                            criterion_texts=wording.criterion_texts(protocol))
    screening = _screening(donor)
    problem = ""
    ev = None
    labels = _labels(form)
    if form.is_valid():
        try:
            ev = queries.preview_screening(donor=donor, data=form.to_action_data())
        except ValidationError as e:
            problem = "; ".join(error_messages(e, form, labels))
    else:
        problem = "; ".join(error_messages(ValidationError(form.errors.as_data()), form, labels))
    if ev is None:  # show what is stored, and why the typed values could not be evaluated
        ev = evaluate(screening) if screening else None
    if not problem and ev is not None and ev.error:
        problem = "; ".join(error_messages(record_problem(ev.error), form, labels))
    results = wording.localized(ev.results if ev else _not_screened(protocol), protocol)
    return render(request, "screening/_live.html", {
        "results": results, "verdict": ev.verdict if ev else "incomplete",
        "problem": problem, "unsaved": True,
    })


def _not_screened(protocol: Any) -> list[dict[str, Any]]:
    return [{"id": c.id, "kind": c.kind, "text": c.text, "status": "unknown", "reason": "not screened yet",
             "discrepancy": False} for c in protocol.criteria]


def _labels(form: ScreeningForm) -> dict[str, str]:
    """The form's labels under the keys the actions use for serology and answers."""
    labels = {}
    for name, field in form.fields.items():
        if name.startswith("serology_"):
            labels[f"serology.{name[len('serology_'):]}"] = f"{_('Serology')}: {field.label}"
        elif name.startswith("answer_"):
            labels[f"answers.{name[len('answer_'):]}"] = str(field.label)
    return labels


@require_role(ENTRY_ROLES)
@require_POST
def coded_add(request: Any, pseudonym: str) -> HttpResponse:
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    submit_form(request, CodedEntryForm(request.POST), lambda d: actions.add_coded_entry(
        donor=donor, acting_user=request.user, **d))
    return redirect("screening:crf", pseudonym=pseudonym)


@require_role(ENTRY_ROLES)
@require_POST
def coded_void(request: Any, pseudonym: str, kind: str, entry_id: int) -> HttpResponse:
    model = {"condition": m.Condition, "medication": m.Medication}.get(kind)
    if model is None:
        raise PermissionDenied("unknown kind")
    entry = get_object_or_404(model, pk=entry_id, screening__donor__pseudonym=pseudonym)
    submit_form(request, VoidForm(request.POST), lambda d: actions.void_coded_entry(
        entry=entry, reason=d["reason"], acting_user=request.user))
    return redirect("screening:crf", pseudonym=pseudonym)


@require_role(roles.CLINICAL_READERS)
def code_search(request: Any) -> JsonResponse:
    from django.conf import settings

    system = request.GET.get("system", "ICD10").upper()
    if system not in codes.SYSTEMS:
        return JsonResponse({"detail": "system must be ICD10 or ATC"}, status=400)
    folder = str(load_protocol(settings.STROMALAB_PROTOCOL).folder)
    return JsonResponse({"results": codes.search(folder, system, request.GET.get("q", ""))})


@require_role(roles.CLINICAL_READERS)
def query_list(request: Any) -> HttpResponse:
    qs, filters = queries.listed_queries(request.GET)
    return render(request, "screening/query_list.html", {"queries": qs[:500], "status": filters["status"]})


@require_role(QUERY_MANAGERS)
@require_POST
def query_open(request: Any, pseudonym: str) -> HttpResponse:
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    submit_form(request, QueryForm(request.POST), lambda d: actions.open_query(
        donor=donor, acting_user=request.user, **d))
    return redirect("screening:crf", pseudonym=pseudonym)


@require_role(roles.CLINICAL_READERS, write=QUERY_ANSWER_ROLES)
@require_http_methods(["GET", "POST"])
def query_detail(request: Any, query_id: int) -> HttpResponse:
    query = get_object_or_404(m.DataQuery.objects.select_related("screening__donor"), pk=query_id)
    form = QueryStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step, text = form.cleaned_data["step"], form.cleaned_data["text"]
        fn = {"answer": actions.answer_query, "close": actions.close_query, "reopen": actions.reopen_query}[step]
        try:
            fn(query=query, text=text, acting_user=request.user)
        except (ValidationError, PermissionDenied) as e:
            report_refusal(request, e, form=form)
        return redirect("screening:query", query_id=query_id)
    return render(request, "screening/query_detail.html", {
        "query": query, "messages_": query.messages.select_related("author"), "form": form,
        "can_close": has_role(request.user, QUERY_MANAGERS)})


@require_role(roles.CLINICAL_READERS, write=DECIDERS)
@require_http_methods(["GET", "POST"])
def decision(request: Any, pseudonym: str) -> HttpResponse:
    donor = get_object_or_404(Donor.objects.select_related("study"), pseudonym=pseudonym)
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        run_action(request, lambda: actions.sign_decision(
            donor=donor, password=form.cleaned_data["password"], acting_user=request.user), _("Decision signed."),
            form=form)
        return redirect("screening:decision", pseudonym=pseudonym)
    screening = _screening(donor)
    latest = queries.latest_decision(screening)
    ev = evaluate(screening) if screening else None
    return render(request, "screening/decision.html", {
        "donor": donor, "screening": screening, "decision": latest, "form": form, "evaluation": ev,
        "results": wording.localized(ev.results, load_protocol(donor.study_id)) if ev else [],
        "matches": queries.decision_matches(latest, screening) if latest and screening else None,
        "decisions": screening.decisions.select_related("signature").order_by("-id") if screening else [],
        "slot": getattr(donor, "enrollment_slot", None),
        "can_sign": has_role(request.user, DECIDERS),
    })


@require_role(DECIDERS)
@require_POST
def enroll(request: Any, pseudonym: str) -> HttpResponse:
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    try:
        slot = actions.enroll(donor=donor, acting_user=request.user)
    except (ValidationError, PermissionDenied) as e:
        report_refusal(request, e)
    else:
        messages.success(request, _("Enrolled in slot %(n)s.") % {"n": slot.number})
    return redirect("screening:decision", pseudonym=pseudonym)
