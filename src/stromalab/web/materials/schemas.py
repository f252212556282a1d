"""The API's request and response schemas for the registers and CAPAs."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from stromalab.web.schemas import SignedClosureOut

from .models import Capa, Lot


class LotIn(Schema):
    kind: str
    name: str
    supplier: str
    catalogue_number: str
    lot_number: str
    expires_on: dt.date


class LotOut(Schema):
    id: int
    kind: str
    name: str
    supplier: str
    catalogue_number: str
    lot_number: str
    expires_on: dt.date
    status: str
    status_reason: str
    status_changed_by: str | None
    received_by: str = Field(alias="received_by.username")
    certificate_name: str
    certificate_sha256: str
    label: str

    @staticmethod
    def resolve_status_changed_by(lot: Lot) -> str | None:
        return lot.status_changed_by.username if lot.status_changed_by is not None else None


class LotDecisionIn(Schema):
    decision: str
    reason: str
    password: str


class ContainerRecallOut(Schema):
    identifier: str
    status: str
    location: str


class RecallOut(Schema):
    batch: str
    batch_status: str
    steps: list[str]
    problems: list[str]
    containers: list[ContainerRecallOut]


class InstrumentIn(Schema):
    identifier: str
    kind: str
    due_on: dt.date
    description: str = ""


class InstrumentUpdateIn(Schema):
    reason: str
    due_on: dt.date | None = None
    status: str | None = None


class InstrumentOut(Schema):
    id: int
    identifier: str
    kind: str
    description: str
    due_on: dt.date
    status: str
    status_reason: str


class CapaIn(Schema):
    #: exactly one of the two
    deviation: int | None = None
    oos: int | None = None
    kind: str
    action: str
    owner: str = Field(description="the owner's username")
    due_on: dt.date


class CapaCloseIn(Schema):
    effectiveness_check: str
    checked_on: dt.date
    result: str
    conclusion: str
    password: str


class CapaOut(SignedClosureOut):
    id: int
    batch: str
    deviation: int | None = Field(alias="deviation_id")
    oos: int | None = Field(alias="oos_id")
    kind: str
    action: str
    owner: str = Field(alias="owner.username")
    due_on: dt.date
    status: str
    effectiveness_check: str
    effectiveness_checked_on: dt.date | None
    effectiveness_result: str
    conclusion: str
    closed_by: str | None
    signature: str | None

    @staticmethod
    def resolve_batch(capa: Capa) -> str:
        return str(capa.batch.code)
