"""The manufacturing API's request and response schemas.

Responses are read from the model objects: each ``*Out`` schema names its fields and, where a
field is not a plain model attribute, resolves it (``resolve_<field>``), so the routers return
model objects, never hand-built dictionaries.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from stromalab.core.manufacturing.isbt128 import DinReading
from stromalab.web.schemas import SignedClosureOut

from .models import Batch, Box, Container, Deviation, Donation, Step
from .queries import CellBalance, batch_cell_balance, batch_growth


class StepOut(Schema):
    id: int
    kind: str
    number: int
    label: str
    state: str
    data: dict[str, Any]
    signed_by: str | None = None
    signed_at: str | None = None
    signature_matches: bool | None = None

    @staticmethod
    def resolve_signed_by(step: Step) -> str | None:
        return step.signature.printed_name if step.signature else None

    @staticmethod
    def resolve_signed_at(step: Step) -> str | None:
        return step.signature.signed_at.isoformat() if step.signature else None

    @staticmethod
    def resolve_signature_matches(step: Step) -> bool | None:
        return step.signature_matches()


class ContainerOut(Schema):
    id: int
    identifier: str
    din: str
    division: str
    product_code: str
    product_description: str
    batch: str = Field(alias="batch.code")
    donor: str
    status: str
    stored_status: str = Field(alias="status")
    location: str


    @staticmethod
    def resolve_donor(container: Container) -> str:
        return str(container.batch.donation.donor.pseudonym)

    @staticmethod
    def resolve_status(container: Container) -> str:
        return str(container.effective_status)


class CellBalanceOut(Schema):
    """Cells harvested at the last passage (``source``), frozen in containers, remaining."""

    source: str
    available: int
    frozen: int
    remaining: int


class BatchOut(Schema):
    """A batch with its steps (in record order), cumulative population doublings and, once a
    passage is harvested, its cell balance."""

    code: str
    din: str
    donor: str
    status: str
    product_code: str
    product_description: str
    steps: list[StepOut] = []
    cumulative_population_doublings: float | None = None
    cell_balance: CellBalanceOut | None = None

    @staticmethod
    def resolve_donor(batch: Batch) -> str:
        return str(batch.donation.donor.pseudonym)

    @staticmethod
    def resolve_steps(batch: Batch) -> list[Step]:
        return sorted(batch.steps.select_related("signature"), key=lambda s: s.sort_key)

    @staticmethod
    def resolve_cumulative_population_doublings(batch: Batch) -> float | None:
        return batch_growth(batch).cumulative_population_doublings

    @staticmethod
    def resolve_cell_balance(batch: Batch) -> CellBalance | None:
        balance = batch_cell_balance(batch)
        return None if balance.available is None else balance


class BatchSummaryOut(BatchOut):
    """A batch in a list: the same fields, its steps and growth left out (empty)."""

    @staticmethod
    def resolve_steps(batch: Batch) -> list[Step]:
        return []

    @staticmethod
    def resolve_cumulative_population_doublings(batch: Batch) -> float | None:
        return None

    @staticmethod
    def resolve_cell_balance(batch: Batch) -> CellBalance | None:
        return None


class HarvestIn(Schema):
    donor: str
    harvested_at: dt.datetime
    surgeon: str
    mass_g: Decimal
    container: str
    transport_temperature: str
    departed_at: dt.datetime
    password: str
    deviation_reason: str = ""


class ReceiptIn(Schema):
    received_at: dt.datetime
    temperature_c: Decimal
    integrity: str
    mass_g: Decimal
    password: str
    deviation_reason: str = ""


class IsolationIn(Schema):
    isolated_at: dt.datetime
    cell_count: int
    viability_pct: Decimal
    password: str
    deviation_reason: str = ""


class SeedIn(Schema):
    seeded_at: dt.datetime
    cells_seeded: int
    vessel: str
    surface_cm2: Decimal
    #: register ids of the materials app's lots (``/api/materials/lots``)
    medium_lot: int
    reagent_lots: list[int] = []
    deviation_reason: str = ""


class PassageHarvestIn(Schema):
    harvested_at: dt.datetime
    cells_harvested: int
    viability_pct: Decimal
    confluence_pct: Decimal | None = None
    password: str
    deviation_reason: str = ""


class FreezingIn(Schema):
    frozen_at: dt.datetime
    container_type: str
    container_count: int
    volume_ml: Decimal
    cells_per_container: int
    product_description: str = ""
    password: str


class StorageIn(Schema):
    box_id: int
    start_position: int = 1
    password: str


class BoxIn(Schema):
    tank: str
    rack: str
    name: str
    rows: int = 9
    columns: int = 9


class BoxOut(Schema):
    id: int
    tank: str
    rack: str
    name: str
    rows: int
    columns: int
    used: int

    @staticmethod
    def resolve_used(box: Box) -> int:
        return box.containers.count()


class MoveIn(Schema):
    box_id: int
    position: int
    reason: str


class DispatchIn(Schema):
    destination: str
    reason: str


class ReasonIn(Schema):
    reason: str


class DeviationIn(Schema):
    description: str
    reason: str


class DeviationCloseIn(Schema):
    impact: str
    conclusion: str
    password: str


class DeviationCreatedOut(Schema):
    id: int
    check: str = Field(alias="check_id")
    description: str
    reason: str


class DeviationOut(SignedClosureOut):
    id: int
    batch: str = Field(alias="batch.code")
    step: str | None = None
    check: str = Field(alias="check_id")
    description: str
    value: str
    limit: str
    reason: str
    recorded_by: str
    recorded_at: str
    status: str
    impact: str
    conclusion: str
    closed_by: str | None = None
    closed_at: str | None = None
    signature: str | None = None
    signature_matches: bool | None = None


    @staticmethod
    def resolve_step(deviation: Deviation) -> str | None:
        return deviation.step.label if deviation.step is not None else None

    @staticmethod
    def resolve_recorded_by(deviation: Deviation) -> str:
        return str(deviation.recorded_by.username)

    @staticmethod
    def resolve_recorded_at(deviation: Deviation) -> str:
        return deviation.recorded_at.isoformat()

    @staticmethod
    def resolve_closed_at(deviation: Deviation) -> str | None:
        return deviation.closed_at.isoformat() if deviation.closed_at else None

    @staticmethod
    def resolve_signature_matches(deviation: Deviation) -> bool | None:
        return deviation.signature_matches()


@dataclass(frozen=True)
class LabelLookup:
    """What :func:`~.queries.find_by_label` found for a label: the reading, its donation
    (None when no donation has that DIN) and the donation's containers."""

    reading: DinReading
    donation: Donation | None
    containers: list[Container]


class TraceOut(Schema):
    din: str = Field(alias="reading.din.text")
    donor: str | None = None
    collected_at: str | None = None
    containers: list[ContainerOut]

    @staticmethod
    def resolve_donor(found: LabelLookup) -> str | None:
        return str(found.donation.donor.pseudonym) if found.donation else None

    @staticmethod
    def resolve_collected_at(found: LabelLookup) -> str | None:
        return found.donation.collected_at.isoformat() if found.donation else None
