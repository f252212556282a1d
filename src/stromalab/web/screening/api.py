"""Screening through the API: the same actions and permissions as the pages."""


import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from stromalab.web.accounts import roles
from stromalab.web.accounts.models import Signature
from stromalab.web.accounts.permissions import api_op
from stromalab.web.donors.models import Donor

from . import actions, codes, queries
from . import models as m
from .permissions import DECIDERS, ENTRY_ROLES, QUERY_ANSWER_ROLES, QUERY_MANAGERS
from .record import Evaluation, evaluate

router = Router(tags=["screening"])


class CriterionOut(Schema):
    id: str
    kind: str
    text: str
    status: str
    reason: str
    discrepancy: bool


@dataclass(frozen=True)
class _Screened:
    """A donor and the evaluation of its screening record (of an empty one before any entry)."""

    donor: Donor
    evaluation: Evaluation


class ScreeningOut(Schema):
    donor: str = Field(alias="donor.pseudonym")
    verdict: str = Field(alias="evaluation.verdict")
    record: dict[str, Any]
    criteria: list[CriterionOut] = Field(alias="evaluation.results")
    error: str = Field("", alias="evaluation.error")

    @staticmethod
    def resolve_record(screened: _Screened) -> dict[str, Any]:
        # dates and decimals as text; JSON's own types as they are
        return {k: (str(v) if not isinstance(v, (str, int, float, bool, list, dict)) else v)
                for k, v in screened.evaluation.record.items()}


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

    @staticmethod
    def resolve_kind(entry: m.Condition | m.Medication) -> str:
        return "condition" if isinstance(entry, m.Condition) else "medication"


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

    @staticmethod
    def resolve_signed_by(d: m.EligibilityDecision) -> str:
        return _signature(d).printed_name

    @staticmethod
    def resolve_signed_at(d: m.EligibilityDecision) -> str:
        return _signature(d).signed_at.isoformat()

    @staticmethod
    def resolve_meaning(d: m.EligibilityDecision) -> str:
        return _signature(d).meaning

    @staticmethod
    def resolve_matches_current_record(d: m.EligibilityDecision) -> bool:
        return queries.decision_matches(d, d.screening)

    @staticmethod
    def resolve_failing(d: m.EligibilityDecision) -> list[str]:
        return [str(r["id"]) for r in d.failing()]


class SlotOut(Schema):
    donor: str = Field(alias="donor.pseudonym")
    slot: int = Field(alias="number")
    target: int = Field(alias="study.enrollment_target")


class CodeOut(Schema):
    code: str
    label: str


class TermOut(Schema):
    value: str
    en: str
    fr: str


def _donor(pseudonym: str) -> Donor:
    return get_object_or_404(Donor, pseudonym=pseudonym)


def _signature(d: m.EligibilityDecision) -> Signature:
    """A decision is created signed: its signature is never missing."""
    assert d.signature is not None
    return d.signature


def _screened(donor: Donor) -> _Screened:
    screening = m.Screening.objects.filter(donor=donor).first()
    if screening is None:
        return _Screened(donor, Evaluation({}, "incomplete", []))
    return _Screened(donor, evaluate(screening))


@api_op(router, "GET", "/codes", roles.CLINICAL_READERS, response=list[CodeOut])
def search_codes(request: Any, system: str = "ICD10", q: str = "") -> Any:
    from django.conf import settings

    from stromalab.core.protocol import load_protocol

    system = system.upper()
    if system not in codes.SYSTEMS:
        from ninja.errors import HttpError

        raise HttpError(400, "system must be ICD10 or ATC")
    return codes.search(str(load_protocol(settings.STROMALAB_PROTOCOL).folder), system, q)


@api_op(router, "GET", "/vocabularies", roles.CLINICAL_READERS, response=dict[str, list[TermOut]])
def vocabularies(request: Any) -> Any:
    """The values ``PATCH /donors/{pseudonym}`` accepts for the planned surgery (the protocol's
    vocabularies), with the labels people read; any other value is refused under its field."""
    from django.conf import settings

    from stromalab.core.protocol import load_protocol

    return {name: list(v.terms) for name, v in load_protocol(settings.STROMALAB_PROTOCOL).vocabularies.items()}


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
    return _screened(_donor(pseudonym))


@api_op(router, "PATCH", "/donors/{pseudonym}", ENTRY_ROLES, response=ScreeningOut)
def save_screening(request: Any, pseudonym: str, payload: ScreeningIn) -> Any:
    donor = _donor(pseudonym)
    actions.save_screening(donor=donor, data=payload.data, reason=payload.reason, acting_user=request.auth)
    return _screened(donor)


@api_op(router, "POST", "/donors/{pseudonym}/coded", ENTRY_ROLES, response={201: CodedOut})
def add_coded(request: Any, pseudonym: str, payload: CodedIn) -> Any:
    entry = actions.add_coded_entry(donor=_donor(pseudonym), acting_user=request.auth, **payload.dict())
    return Status(201, entry)


@api_op(router, "POST", "/donors/{pseudonym}/coded/{kind}/{entry_id}/void", ENTRY_ROLES, response=CodedOut)
def void_coded(request: Any, pseudonym: str, kind: str, entry_id: int, payload: ReasonIn) -> Any:
    model = {"condition": m.Condition, "medication": m.Medication}.get(kind)
    if model is None:
        from ninja.errors import HttpError

        raise HttpError(404, "kind must be condition or medication")
    entry = get_object_or_404(model, pk=entry_id, screening__donor__pseudonym=pseudonym)
    actions.void_coded_entry(entry=entry, reason=payload.reason, acting_user=request.auth)
    return entry


@api_op(router, "POST", "/donors/{pseudonym}/queries", QUERY_MANAGERS, response={201: QueryOut})
def open_query(request: Any, pseudonym: str, payload: QueryIn) -> Any:
    q = actions.open_query(donor=_donor(pseudonym), acting_user=request.auth, **payload.dict())
    return Status(201, q)


@api_op(router, "GET", "/donors/{pseudonym}/decision", roles.CLINICAL_READERS, response={200: DecisionOut, 404: dict})
def get_decision(request: Any, pseudonym: str) -> Any:
    screening = m.Screening.objects.filter(donor=_donor(pseudonym)).first()
    d = queries.latest_decision(screening)
    if d is None or screening is None:
        return Status(404, {"detail": "no signed decision"})
    return d


@api_op(router, "POST", "/donors/{pseudonym}/decision", DECIDERS, response={201: DecisionOut})
def sign_decision(request: Any, pseudonym: str, payload: SignIn) -> Any:
    donor = _donor(pseudonym)
    d = actions.sign_decision(donor=donor, password=payload.password, acting_user=request.auth)
    return Status(201, d)


@api_op(router, "POST", "/donors/{pseudonym}/enroll", DECIDERS, response={201: SlotOut})
def enroll(request: Any, pseudonym: str) -> Any:
    slot = actions.enroll(donor=_donor(pseudonym), acting_user=request.auth)
    return Status(201, slot)
