"""The API's request and response schemas for quality control and release.

Responses are read from the models and from the release summary by each schema's resolvers,
so that the routers return what the actions and queries return, and the JSON stays what the
clients already read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

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
    batch: str = Field(alias="batch.code")
    test_id: str
    test_name: str
    value: str
    unit: str
    requested_dose: str | None
    method: str
    instrument: str
    performed_on: dt.date
    analyst: str = Field(alias="analyst.username")
    limit: str = Field(alias="limit_text")
    specification_version: str
    status: str
    reason: str = Field(alias="verdict_reason")
    source: str
    panel: int | None = Field(alias="panel_id")
    voided: bool


    @staticmethod
    def resolve_requested_dose(r: m.QcResult) -> str | None:
        return None if r.requested_dose is None else str(r.requested_dose)


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
    batch: str = Field(alias="batch.code")
    result: int = Field(alias="result_id")
    test_id: str
    value: str
    limit: str = Field(alias="limit_text")
    description: str
    status: str
    opened_by: str = Field(alias="opened_by.username")
    closed_by: str | None
    conclusion: str
    signature: str | None


class OosCloseIn(Schema):
    conclusion: str
    password: str


class FcsFileOut(Schema):
    role: str
    name: str = Field(alias="original_name")
    sha256: str
    size: int
    events: int


class PanelOut(Schema):
    id: int
    batch: str = Field(alias="batch.code")
    verdict: str
    uploaded_by: str = Field(alias="uploaded_by.username")
    files: list[FcsFileOut]
    phenotype: dict[str, Any]
    results: list[int]
    warnings: list[str]


    @staticmethod
    def resolve_files(p: m.FcsPanel) -> list[m.FcsFile]:
        return list(p.files.order_by("position"))

    @staticmethod
    def resolve_results(p: m.FcsPanel) -> list[int]:
        return list(p.results.values_list("pk", flat=True))

    @staticmethod
    def resolve_warnings(p: m.FcsPanel) -> list[str]:
        return p.warning_texts()


class SignIn(Schema):
    password: str


class RejectIn(Schema):
    password: str
    reason: str


class TestOut(Schema):
    test_id: str = Field(alias="requirement.id")
    name: str = Field(alias="requirement.name")
    limit: str = Field(alias="requirement.limit_text")
    required: bool = Field(alias="requirement.required")
    status: str
    reason: str = Field(alias="verdict.reason")
    result: int | None


    @staticmethod
    def resolve_result(row: TestRow) -> int | None:
        return row.result.pk if row.result else None


class DeviationOut(SignedClosureOut):
    id: int
    check: str = Field(alias="check_id")
    description: str
    status: str
    impact: str
    conclusion: str
    closed_by: str | None
    signature: str | None


class ContainerOut(Schema):
    identifier: str = Field(alias="identifier")
    status: str


class SummaryOut(Schema):
    batch: str = Field(alias="batch.code")
    din: str = Field(alias="batch.din")
    batch_status: str = Field(alias="batch.status")
    specification_version: str = Field(alias="specification.version")
    eligibility: str = Field(alias="eligibility.text")
    eligibility_ok: bool = Field(alias="eligibility.ok")
    tests: list[TestOut] = Field(alias="rows")
    open_oos: list[int]
    open_deviations: list[int]
    deviations: list[DeviationOut] = []
    containers: list[ContainerOut]
    fcs_warnings: list[str]
    blockers: list[str]
    releasable: bool
    decision: str | None
    signed_by: str | None
    signed_at: str | None
    meaning: str | None
    content_hash: str | None
    signature_matches: bool | None


    @staticmethod
    def resolve_open_oos(s: ReleaseSummary) -> list[int]:
        return [o.pk for o in s.open_oos]

    @staticmethod
    def resolve_fcs_warnings(s: ReleaseSummary) -> list[str]:
        return [f"panel {p.pk}: {text}" for p, text in s.panel_warnings]

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
