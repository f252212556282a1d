"""Screening through the API: the same actions and permissions as the pages."""


import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from stromalab.web.accounts import roles
from stromalab.web.accounts.permissions import api_op
from stromalab.web.donors.models import Donor

from . import actions, codes, queries
from . import models as m
from .permissions import DECIDERS, ENTRY_ROLES, QUERY_ANSWER_ROLES, QUERY_MANAGERS
from .record import evaluate

router = Router(tags=["screening"])


class CriterionOut(Schema):
    id: str
    kind: str
    text: str
    status: str
    reason: str
    discrepancy: bool


class ScreeningOut(Schema):
    donor: str
    verdict: str
    record: dict[str, Any]
    criteria: list[CriterionOut]
    error: str = ""


class ScreeningIn(Schema):
    data: dict[str, Any]
    reason: str = ""


class CodedIn(Schema):
    kind: str
    code: str
    start: dt.date
    end: dt.date | None = None


class CodedOut(Schema):
    id: int
    kind: str
    code: str


class ReasonIn(Schema):
    reason: str


class QueryIn(Schema):
    criterion_id: str = ""
    field: str = ""
    text: str


class QueryStepIn(Schema):
    text: str = ""


class QueryOut(Schema):
    id: int
    donor: str
    criterion_id: str
    field: str
    text: str
    status: str
    automatic: bool

    @staticmethod
    def resolve_donor(query: m.DataQuery) -> str:
        return query.screening.donor.pseudonym


class SignIn(Schema):
    password: str


class DecisionOut(Schema):
    id: int
    verdict: str
    record_hash: str
    signed_by: str
    signed_at: str
    meaning: str
    matches_current_record: bool
    failing: list[str]


class SlotOut(Schema):
    donor: str
    slot: int
    target: int


class CodeOut(Schema):
    code: str
    label: str


def _donor(pseudonym: str) -> Donor:
    return get_object_or_404(Donor, pseudonym=pseudonym)


def _screening_out(donor: Donor) -> dict[str, Any]:
    screening = m.Screening.objects.filter(donor=donor).first()
    if screening is None:
        return {"donor": donor.pseudonym, "verdict": "incomplete", "record": {}, "criteria": []}
    ev = evaluate(screening)
    record = {k: (str(v) if not isinstance(v, (str, int, float, bool, list, dict)) else v)
              for k, v in ev.record.items()}
    return {"donor": donor.pseudonym, "verdict": ev.verdict, "record": record,
            "criteria": ev.results, "error": ev.error}


@api_op(router, "GET", "/codes", roles.CLINICAL_READERS, response=list[CodeOut])
def search_codes(request: Any, system: str = "ICD10", q: str = "") -> Any:
    from django.conf import settings

    from stromalab.core.protocol import load_protocol

    system = system.upper()
    if system not in codes.SYSTEMS:
        from ninja.errors import HttpError

        raise HttpError(400, "system must be ICD10 or ATC")
    return codes.search(str(load_protocol(settings.STROMALAB_PROTOCOL).folder), system, q)


@api_op(router, "GET", "/queries", roles.CLINICAL_READERS, response=list[QueryOut])
def list_queries(request: Any, status: str = "open") -> Any:
    qs = m.DataQuery.objects.select_related("screening__donor").order_by("-id")
    if status in dict(m.DataQuery.STATUSES):
        qs = qs.filter(status=status)
    return list(qs[:500])


@api_op(router, "POST", "/queries/{query_id}/{step}", QUERY_ANSWER_ROLES, response=QueryOut)
def query_step(request: Any, query_id: int, step: str, payload: QueryStepIn) -> Any:
    query = get_object_or_404(m.DataQuery.objects.select_related("screening__donor"), pk=query_id)
    fn = {"answer": actions.answer_query, "close": actions.close_query, "reopen": actions.reopen_query}.get(step)
    if fn is None:
        from ninja.errors import HttpError

        raise HttpError(404, "step must be answer, close or reopen")
    fn(query=query, text=payload.text, acting_user=request.auth)
    query.refresh_from_db()
    return query


@api_op(router, "GET", "/donors/{pseudonym}", roles.CLINICAL_READERS, response=ScreeningOut)
def get_screening(request: Any, pseudonym: str) -> Any:
    return _screening_out(_donor(pseudonym))


@api_op(router, "PATCH", "/donors/{pseudonym}", ENTRY_ROLES, response=ScreeningOut)
def save_screening(request: Any, pseudonym: str, payload: ScreeningIn) -> Any:
    donor = _donor(pseudonym)
    actions.save_screening(donor=donor, data=payload.data, reason=payload.reason, acting_user=request.auth)
    return _screening_out(donor)


@api_op(router, "POST", "/donors/{pseudonym}/coded", ENTRY_ROLES, response={201: CodedOut})
def add_coded(request: Any, pseudonym: str, payload: CodedIn) -> Any:
    entry = actions.add_coded_entry(donor=_donor(pseudonym), acting_user=request.auth, **payload.dict())
    return 201, {"id": entry.pk, "kind": payload.kind, "code": entry.code}


@api_op(router, "POST", "/donors/{pseudonym}/coded/{kind}/{entry_id}/void", ENTRY_ROLES, response=CodedOut)
def void_coded(request: Any, pseudonym: str, kind: str, entry_id: int, payload: ReasonIn) -> Any:
    model = {"condition": m.Condition, "medication": m.Medication}.get(kind)
    if model is None:
        from ninja.errors import HttpError

        raise HttpError(404, "kind must be condition or medication")
    entry = get_object_or_404(model, pk=entry_id, screening__donor__pseudonym=pseudonym)
    actions.void_coded_entry(entry=entry, reason=payload.reason, acting_user=request.auth)
    return {"id": entry.pk, "kind": kind, "code": entry.code}


@api_op(router, "POST", "/donors/{pseudonym}/queries", QUERY_MANAGERS, response={201: QueryOut})
def open_query(request: Any, pseudonym: str, payload: QueryIn) -> Any:
    q = actions.open_query(donor=_donor(pseudonym), acting_user=request.auth, **payload.dict())
    return 201, q


def _decision_out(d: m.EligibilityDecision, screening: m.Screening) -> dict[str, Any]:
    sig = d.signature
    assert sig is not None
    return {"id": d.pk, "verdict": d.verdict, "record_hash": d.record_hash, "signed_by": sig.printed_name,
            "signed_at": sig.signed_at.isoformat(), "meaning": sig.meaning,
            "matches_current_record": queries.decision_matches(d, screening),
            "failing": [r["id"] for r in d.failing()]}


@api_op(router, "GET", "/donors/{pseudonym}/decision", roles.CLINICAL_READERS, response={200: DecisionOut, 404: dict})
def get_decision(request: Any, pseudonym: str) -> Any:
    screening = m.Screening.objects.filter(donor=_donor(pseudonym)).first()
    d = queries.latest_decision(screening)
    if d is None or screening is None:
        return 404, {"detail": "no signed decision"}
    return _decision_out(d, screening)


@api_op(router, "POST", "/donors/{pseudonym}/decision", DECIDERS, response={201: DecisionOut})
def sign_decision(request: Any, pseudonym: str, payload: SignIn) -> Any:
    donor = _donor(pseudonym)
    d = actions.sign_decision(donor=donor, password=payload.password, acting_user=request.auth)
    return 201, _decision_out(d, d.screening)


@api_op(router, "POST", "/donors/{pseudonym}/enroll", DECIDERS, response={201: SlotOut})
def enroll(request: Any, pseudonym: str) -> Any:
    slot = actions.enroll(donor=_donor(pseudonym), acting_user=request.auth)
    return 201, {"donor": pseudonym, "slot": slot.number, "target": slot.study.enrollment_target}
