"""Warehouse pre-screening through the API: the same actions and permissions as the pages."""


import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from stromalab.web.accounts.permissions import api_op

from . import actions, sources
from .models import CANDIDATE, EXCLUDED, CarriedFact, DonorLink, PrescreenResult, PrescreenRun
from .permissions import READERS, REGISTRARS, RUNNERS
from .views import criteria_texts

router = Router(tags=["warehouse"])


class SourceOut(Schema):
    name: str
    engine: str
    demo: bool


class AttritionOut(Schema):
    criterion: str
    fails: int
    remaining: int


class RunOut(Schema):
    id: int
    source: str
    engine: str
    as_of: dt.date
    schedule_name: str
    schedule_sha256: str
    protocol_id: str
    protocol_version: str
    population: int
    candidates: int
    excluded: int
    created_at: dt.datetime
    created_by: str = Field(alias="created_by.username")
    attrition: list[AttritionOut]


class ResultOut(Schema):
    person_id: int
    verdict: str
    failed: list[str]
    unknown: list[str]
    donor: str | None = None


class CriterionOut(Schema):
    id: str
    kind: str
    text: str
    status: str


class FactOut(Schema):
    field: str
    value: str
    source: str
    record_type: str
    record_id: str
    carried: bool
    note: str


class LinkOut(Schema):
    run: int = Field(alias="run_id")
    source: str
    person_id: int
    donor: str = Field(alias="donor.pseudonym")
    created_at: dt.datetime
    created_by: str = Field(alias="created_by.username")
    facts: list[FactOut]

    @staticmethod
    def resolve_facts(link: DonorLink) -> list[CarriedFact]:
        return list(link.facts.all())


class PersonOut(ResultOut):
    run: int
    criteria: list[CriterionOut]
    link: LinkOut | None = None


class RegisterIn(Schema):
    last_name: str
    first_name: str


@api_op(router, "GET", "/sources", READERS, response=list[SourceOut])
def list_sources(request: Any) -> Any:
    return sources.configured()


@api_op(router, "GET", "/runs", READERS, response=list[RunOut])
@paginate(PageNumberPagination, page_size=50)
def list_runs(request: Any) -> Any:
    return PrescreenRun.objects.select_related("created_by")


@api_op(router, "POST", "/runs", RUNNERS, response={201: RunOut})
def run_prescreen(request: Any, source: Form[str], as_of: Form[str],
                  schedule: File[UploadedFile] | None = None) -> Any:
    """Multipart form: ``source``, ``as_of`` (YYYY-MM-DD), optional file ``schedule`` (CSV)."""
    run = actions.run_prescreen(source=source, as_of=as_of, acting_user=request.auth,
                                schedule=schedule.read() if schedule is not None else None,
                                schedule_name=(schedule.name or "") if schedule is not None else "")
    return Status(201, run)


@api_op(router, "GET", "/runs/{run_id}", READERS, response=RunOut)
def get_run(request: Any, run_id: int) -> Any:
    return get_object_or_404(PrescreenRun.objects.select_related("created_by"), pk=run_id)


@api_op(router, "GET", "/runs/{run_id}/results", READERS, response=list[ResultOut])
@paginate(PageNumberPagination, page_size=100)
def list_results(request: Any, run_id: int, verdict: str = "") -> Any:
    """Persons of the run's population (``verdict=candidate`` or ``excluded`` to filter)."""
    run = get_object_or_404(PrescreenRun, pk=run_id)
    qs = PrescreenResult.objects.filter(run=run).order_by("person_id")
    if verdict in (CANDIDATE, EXCLUDED):
        qs = qs.filter(verdict=verdict)
    links = actions.read_links(run=run, acting_user=request.auth)
    return [{"person_id": r.person_id, "verdict": r.verdict, "failed": r.failed_ids, "unknown": r.unknown_ids,
             "donor": links[r.person_id].donor.pseudonym if r.person_id in links else None} for r in qs]


@api_op(router, "GET", "/runs/{run_id}/persons/{person_id}", READERS, response=PersonOut)
def get_person(request: Any, run_id: int, person_id: int) -> Any:
    run = get_object_or_404(PrescreenRun, pk=run_id)
    result = get_object_or_404(PrescreenResult, run=run, person_id=person_id)
    link = actions.read_links(run=run, person_id=person_id, acting_user=request.auth).get(person_id)
    texts = criteria_texts(run.protocol_id)
    criteria = [{"id": c, **texts.get(c, {"kind": "", "text": ""}),
                 "status": "fail" if c in result.failed_ids else "unknown" if c in result.unknown_ids else "pass"}
                for c in run.criteria]
    return {"run": run.pk, "person_id": person_id, "verdict": result.verdict, "failed": result.failed_ids,
            "unknown": result.unknown_ids, "donor": link.donor.pseudonym if link else None,
            "criteria": criteria, "link": link}


@api_op(router, "POST", "/runs/{run_id}/persons/{person_id}/donor", REGISTRARS, response={201: LinkOut})
def register_candidate(request: Any, run_id: int, person_id: int, payload: RegisterIn) -> Any:
    """Register the candidate as a donor; 409 when this person is already registered."""
    run = get_object_or_404(PrescreenRun, pk=run_id)
    try:
        link = actions.register_candidate(run=run, person_id=person_id, identity=payload.dict(),
                                          acting_user=request.auth)
    except actions.AlreadyRegistered as e:
        raise HttpError(409, "; ".join(e.messages)) from None
    return Status(201, link)
