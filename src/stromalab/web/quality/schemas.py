"""The API's request and response schemas for quality control and release.

Responses are read from the models and from the release summary by each schema's resolvers,
so that the routers return what the actions and queries return, and the JSON stays what the
clients already read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema

from stromalab.web.manufacturing.models import Container, Deviation
from stromalab.web.schemas import SignedClosureOut

from . import models as m
from .queries import ReleaseSummary, TestRow, decision_matches


class ResultIn(Schema):
    test_id: str
    value: str
    performed_on: dt.date
    unit: str | None = None
    method: str = ""
    instrument: str = ""
    requested_dose: Decimal | None = None


class ResultOut(Schema):
    id: int
    batch: str
    test_id: str
    test_name: str
    value: str
    unit: str
    requested_dose: str | None
    method: str
    instrument: str
    performed_on: dt.date
    analyst: str
    limit: str
    specification_version: str
    status: str
    reason: str
    source: str
    panel: int | None
    voided: bool

    @staticmethod
    def resolve_batch(r: m.QcResult) -> str:
        return r.batch.code

    @staticmethod
    def resolve_requested_dose(r: m.QcResult) -> str | None:
        return None if r.requested_dose is None else str(r.requested_dose)

    @staticmethod
    def resolve_analyst(r: m.QcResult) -> str:
        return r.analyst.username

    @staticmethod
    def resolve_limit(r: m.QcResult) -> str:
        return r.limit_text

    @staticmethod
    def resolve_reason(r: m.QcResult) -> str:
        return r.verdict_reason

    @staticmethod
    def resolve_panel(r: m.QcResult) -> int | None:
        return r.panel_id

    @staticmethod
    def resolve_voided(r: m.QcResult) -> bool:
        return r.voided_at is not None


class CorrectIn(Schema):
    changes: dict[str, Any]
    reason: str


class ReasonIn(Schema):
    reason: str


class OosOut(SignedClosureOut):
    id: int
    batch: str
    result: int
    test_id: str
    value: str
    limit: str
    description: str
    status: str
    opened_by: str
    closed_by: str | None
    conclusion: str
    signature: str | None

    @staticmethod
    def resolve_batch(o: m.OosRecord) -> str:
        return o.batch.code

    @staticmethod
    def resolve_result(o: m.OosRecord) -> int:
        return o.result_id

    @staticmethod
    def resolve_limit(o: m.OosRecord) -> str:
        return o.limit_text

    @staticmethod
    def resolve_opened_by(o: m.OosRecord) -> str:
        return o.opened_by.username


class OosCloseIn(Schema):
    conclusion: str
    password: str


class FcsFileOut(Schema):
    role: str
    name: str
    sha256: str
    size: int
    events: int

    @staticmethod
    def resolve_name(f: m.FcsFile) -> str:
        return f.original_name


class PanelOut(Schema):
    id: int
    batch: str
    verdict: str
    uploaded_by: str
    files: list[FcsFileOut]
    phenotype: dict[str, Any]
    results: list[int]

    @staticmethod
    def resolve_batch(p: m.FcsPanel) -> str:
        return p.batch.code

    @staticmethod
    def resolve_uploaded_by(p: m.FcsPanel) -> str:
        return p.uploaded_by.username

    @staticmethod
    def resolve_files(p: m.FcsPanel) -> list[m.FcsFile]:
        return list(p.files.order_by("position"))

    @staticmethod
    def resolve_results(p: m.FcsPanel) -> list[int]:
        return list(p.results.values_list("pk", flat=True))


class SignIn(Schema):
    password: str


class RejectIn(Schema):
    password: str
    reason: str


class TestOut(Schema):
    test_id: str
    name: str
    limit: str
    required: bool
    status: str
    reason: str
    result: int | None

    @staticmethod
    def resolve_test_id(row: TestRow) -> str:
        return row.requirement.id

    @staticmethod
    def resolve_name(row: TestRow) -> str:
        return row.requirement.name

    @staticmethod
    def resolve_limit(row: TestRow) -> str:
        return row.requirement.limit_text

    @staticmethod
    def resolve_required(row: TestRow) -> bool:
        return row.requirement.required

    @staticmethod
    def resolve_reason(row: TestRow) -> str:
        return row.verdict.reason

    @staticmethod
    def resolve_result(row: TestRow) -> int | None:
        return row.result.pk if row.result else None


class DeviationOut(SignedClosureOut):
    id: int
    check: str
    description: str
    status: str
    impact: str
    conclusion: str
    closed_by: str | None
    signature: str | None

    @staticmethod
    def resolve_check(x: Deviation) -> str:
        return x.check_id


class ContainerOut(Schema):
    identifier: str
    status: str

    @staticmethod
    def resolve_identifier(c: Container) -> str:
        return c.identifier


class SummaryOut(Schema):
    batch: str
    din: str
    batch_status: str
    specification_version: str
    eligibility: str
    eligibility_ok: bool
    tests: list[TestOut]
    open_oos: list[int]
    open_deviations: list[int]
    deviations: list[DeviationOut] = []
    containers: list[ContainerOut]
    blockers: list[str]
    releasable: bool
    decision: str | None
    signed_by: str | None
    signed_at: str | None
    meaning: str | None
    content_hash: str | None
    signature_matches: bool | None

    @staticmethod
    def resolve_batch(s: ReleaseSummary) -> str:
        return s.batch.code

    @staticmethod
    def resolve_din(s: ReleaseSummary) -> str:
        return s.batch.din

    @staticmethod
    def resolve_batch_status(s: ReleaseSummary) -> str:
        return s.batch.status

    @staticmethod
    def resolve_specification_version(s: ReleaseSummary) -> str:
        return s.specification.version

    @staticmethod
    def resolve_eligibility(s: ReleaseSummary) -> str:
        return s.eligibility.text

    @staticmethod
    def resolve_eligibility_ok(s: ReleaseSummary) -> bool:
        return s.eligibility.ok

    @staticmethod
    def resolve_tests(s: ReleaseSummary) -> list[TestRow]:
        return s.rows

    @staticmethod
    def resolve_open_oos(s: ReleaseSummary) -> list[int]:
        return [o.pk for o in s.open_oos]

    @staticmethod
    def resolve_open_deviations(s: ReleaseSummary) -> list[int]:
        return [x.pk for x in s.open_deviations]

    @staticmethod
    def resolve_decision(s: ReleaseSummary) -> str | None:
        return s.decision.decision if s.decision else None

    @staticmethod
    def resolve_signed_by(s: ReleaseSummary) -> str | None:
        sig = _signature(s)
        return sig.printed_name if sig else None

    @staticmethod
    def resolve_signed_at(s: ReleaseSummary) -> str | None:
        sig = _signature(s)
        return sig.signed_at.isoformat() if sig else None

    @staticmethod
    def resolve_meaning(s: ReleaseSummary) -> str | None:
        sig = _signature(s)
        return sig.meaning if sig else None

    @staticmethod
    def resolve_content_hash(s: ReleaseSummary) -> str | None:
        sig = _signature(s)
        return sig.content_hash if sig else None

    @staticmethod
    def resolve_signature_matches(s: ReleaseSummary) -> bool | None:
        return decision_matches(s)


def _signature(s: ReleaseSummary) -> Any:
    return s.decision.signature if s.decision else None
