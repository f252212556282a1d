"""The API's request and response schemas for shipments (read from the models by resolvers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from .models import LoggerFile, Shipment, ShipmentDeviation
from .queries import custody


class DispatchIn(Schema):
    study: str
    site: str
    courier: str
    packing: str
    packing_identifier: str
    containers: list[int]


class ReceiptIn(Schema):
    received_at: dt.datetime
    condition: str
    notes: str = ""
    password: str


class MovementOut(Schema):
    kind: str
    from_location: str
    to_location: str
    at: dt.datetime
    by: str = Field(alias="by.username")
    reason: str


class CustodyOut(Schema):
    container: str
    container_id: int
    movements: list[MovementOut]


class LoggerOut(Schema):
    id: int
    shipment: str = Field(alias="shipment.code")
    original_name: str
    sha256: str
    size: int
    reading_count: int
    first_at: dt.datetime
    last_at: dt.datetime
    minimum_c: str
    maximum_c: str
    excursion: bool

    @staticmethod
    def resolve_minimum_c(f: LoggerFile) -> str:
        return str(f.minimum_c)

    @staticmethod
    def resolve_maximum_c(f: LoggerFile) -> str:
        return str(f.maximum_c)


class DeviationOut(Schema):
    id: int = Field(alias="deviation.id")
    batch: str = Field(alias="deviation.batch.code")
    check: str = Field(alias="deviation.check_id")
    status: str = Field(alias="deviation.status")
    description: str = Field(alias="deviation.description")


class ShipmentOut(Schema):
    id: int
    code: str
    study: str = Field(alias="study_id")
    site: str
    courier: str
    packing: str
    packing_identifier: str
    temperature_min_c: str
    temperature_max_c: str
    max_transit_hours: str
    status: str
    dispatched_at: dt.datetime
    dispatched_by: str = Field(alias="dispatched_by.username")
    received_at: dt.datetime | None
    received_by: str | None
    condition: str
    signature: str | None
    custody: list[CustodyOut]
    deviations: list[DeviationOut]

    @staticmethod
    def resolve_temperature_min_c(s: Shipment) -> str:
        return str(s.temperature_min_c)

    @staticmethod
    def resolve_temperature_max_c(s: Shipment) -> str:
        return str(s.temperature_max_c)

    @staticmethod
    def resolve_max_transit_hours(s: Shipment) -> str:
        return str(s.max_transit_hours)

    @staticmethod
    def resolve_received_by(s: Shipment) -> str | None:
        return s.received_by.username if s.received_by is not None else None

    @staticmethod
    def resolve_signature(s: Shipment) -> str | None:
        return str(s.signature.manifestation()) if s.signature is not None else None

    @staticmethod
    def resolve_custody(s: Shipment) -> list[dict[str, Any]]:
        return [{"container": c.item.container.identifier, "container_id": c.item.container_id,
                 "movements": list(c.movements)} for c in custody(s)]

    @staticmethod
    def resolve_deviations(s: Shipment) -> list[ShipmentDeviation]:
        return list(s.deviations.select_related("deviation__batch"))
