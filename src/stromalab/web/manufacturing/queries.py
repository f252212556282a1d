"""Read-only look-ups of the manufacturing record: growth, limits judged, storage, traceability.

Nothing here writes; pages, the API, reports and the actions themselves share these reads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from stromalab.core.manufacturing import isbt128
from stromalab.core.manufacturing.batch_record import allowed_moves
from stromalab.core.manufacturing.doublings import Growth, Passage, growth
from stromalab.core.manufacturing.release import Result, Verdict, evaluate
from stromalab.web.donors.models import Donor

from .config import in_process_limits
from .models import Batch, Box, Container, Deviation, Donation, Step


def batch_or_404(code: str) -> Batch:
    """The batch a page or an API path names by its code, with its donation and donor (404 if none)."""
    return get_object_or_404(Batch.objects.select_related("donation__donor"), code=code)


def study_of(batch: Batch) -> str:
    """The id of the study whose protocol governs the batch (its donor's study)."""
    return str(batch.donation.donor.study_id)


def step_check_values(step: Step) -> list[tuple[str, Any]]:
    """``(in-process limit id, value)`` for each limit that applies to a step's recorded values."""
    d = step.data
    if step.kind == Step.HARVEST and "mass_g" in d:
        harvest: list[tuple[str, Any]] = [("harvest-mass", d["mass_g"])]
        if "days_from_scheduled_surgery" in d:  # recorded since the check exists
            days = d["days_from_scheduled_surgery"]
            harvest.append(("harvest-surgery-day", "" if days is None else days))
        return harvest
    if step.kind == Step.RECEIPT and "elapsed_hours" in d:
        return [("receipt-delay", d["elapsed_hours"]), ("receipt-temperature", d["temperature_c"]),
                ("container-integrity", d["integrity"])]
    if step.kind == Step.ISOLATION and "viability_pct" in d:
        return [("svf-viability", d["viability_pct"])]
    if step.kind == Step.PASSAGE:
        values: list[tuple[str, Any]] = [("passage-count", step.number)]
        if "viability_pct" in d:
            values.append(("passage-viability", d["viability_pct"]))
        if d.get("confluence_pct") not in (None, ""):
            values.append(("confluence-at-passage", d["confluence_pct"]))
        return values
    return []


def step_verdicts(step: Step) -> list[Verdict]:
    """The in-process limits of the batch's study that apply to a step's values, judged."""
    spec = in_process_limits(study_of(step.batch))
    return [evaluate(spec.requirement(test_id), Result(test_id, str(value)))
            for test_id, value in step_check_values(step)]


def parse_time(text: str) -> dt.datetime:
    """A time as stored in a step's data (ISO 8601 with offset)."""
    return dt.datetime.fromisoformat(text)


def passages(batch: Batch) -> list[Step]:
    return list(Step.objects.filter(batch=batch, kind=Step.PASSAGE).order_by("number"))


def core_passage(number: int, data: dict[str, Any]) -> Passage:
    """A passage step's stored data as the core's :class:`Passage`."""
    return Passage(number=number, seeded_at=parse_time(data["seeded_at"]), cells_seeded=int(data["cells_seeded"]),
                   harvested_at=parse_time(data["harvested_at"]), cells_harvested=int(data["cells_harvested"]))


def batch_growth(batch: Batch) -> Growth:
    """PD per passage, cumulative PD, doubling times and the growth curve (core ``growth``)."""
    return growth([core_passage(p.number, p.data) for p in passages(batch) if p.state == Step.DONE])


class CellBalance(NamedTuple):
    """The cells of a batch's final formulation: those harvested at the last passage
    (``available``, ``None`` before any passage harvest; ``source`` names the passage), those
    filled into containers (``frozen``) and what is left (QC samples, discarded)."""

    available: int | None
    source: str
    frozen: int

    @property
    def remaining(self) -> int | None:
        return None if self.available is None else self.available - self.frozen


def cell_balance(steps: Iterable[Step], frozen: int = 0) -> CellBalance:
    """The balance of ``frozen`` cells against the last harvested passage among ``steps``: the
    state machine freezes only after every passage is harvested, so the last one's count is
    what the containers are filled from."""
    done = sorted((s for s in steps if s.kind == Step.PASSAGE and s.state == Step.DONE), key=lambda s: s.number)
    if not done:
        return CellBalance(None, "", frozen)
    return CellBalance(int(done[-1].data["cells_harvested"]), done[-1].label, frozen)


def batch_cell_balance(batch: Batch) -> CellBalance:
    """The batch page's balance: cells harvested at the last passage, frozen in its containers."""
    frozen = batch.containers.aggregate(total=Sum("cells"))["total"] or 0
    return cell_balance(batch.steps.filter(kind=Step.PASSAGE), int(frozen))


def used_positions(box: Box) -> dict[int | None, Container]:
    """The box's occupied positions and their containers."""
    return {c.position: c for c in Container.objects.filter(box=box).select_related("batch")}


def containers_of_donor(donor: Donor) -> list[Container]:
    """Everything made from the donor's donations, with where it is."""
    return list(Container.objects.filter(batch__donation__donor=donor)
                .select_related("batch__donation__donor", "box").order_by("din", "division"))


_CONTAINER_ID = re.compile(r"\s*([A-Za-z]\d{12})\s+([A-Za-z]\d{4})\s+(\w{2})\s*")


def is_container_identifier(text: str) -> bool:
    """``G123426000001 S1234 A0``: one container, not a whole donation."""
    return _CONTAINER_ID.fullmatch(text or "") is not None


def find_by_label(text: str) -> tuple[isbt128.DinReading, Donation | None, list[Container]]:
    """A printed/typed DIN (``G1234 26 000001 00 K``), scanned barcode data (``=G12342600000100``)
    or a container identifier (``G123426000001 S1234 A0``, narrowed to that container) → the
    donation and its containers. Bad input raises
    :class:`~stromalab.core.manufacturing.isbt128.Isbt128Error` naming the part at fault."""
    text = (text or "").strip()
    division = None
    match = _CONTAINER_ID.fullmatch(text)
    if match:
        text, division = match.group(1).upper(), isbt128.parse_division(match.group(3))
    reading = isbt128.parse(text)
    donation = Donation.objects.select_related("donor").filter(din=reading.din.text).first()
    qs = Container.objects.filter(din=reading.din.text).select_related("batch__donation__donor", "box")
    if division:
        qs = qs.filter(division=division)
    return reading, donation, list(qs.order_by("division"))


def listed_batches(params: Mapping[str, str]) -> tuple[QuerySet[Batch], dict[str, str]]:
    """The batch list's rows (newest first; ``q`` searches the code, spaces ignored) and the
    filters in force: the page and its CSV/Excel export (web/exports/tables) read the same rows."""
    qs = Batch.objects.select_related("donation__donor").order_by("-created_at", "-id")
    q = params.get("q", "").strip()
    if q:
        qs = qs.filter(code__icontains=q.replace(" ", ""))
    return qs, ({"q": q} if q else {})


# --- what waits for someone (the dashboard's work queues), oldest first ---------------------

def batches_to_record(study_id: str) -> QuerySet[Batch]:
    """The study's batches with a step left for the operator: in process, or filled into
    containers (quarantine) and not yet stored. Their steps come prefetched, for
    :func:`next_moves`."""
    stored = Step.objects.filter(batch=OuterRef("pk"), kind=Step.STORAGE, state=Step.DONE)
    return (Batch.objects.filter(donation__donor__study_id=study_id)
            .filter(Q(status=Batch.IN_PROCESS) | (Q(status=Batch.QUARANTINE) & ~Exists(stored)))
            .prefetch_related("steps").order_by("created_at", "id"))


def next_moves(batch: Batch) -> frozenset[str]:
    """The steps the batch record takes now (``batch_record.MOVES``), from its steps as loaded
    (prefetched by :func:`batches_to_record`: no query per batch)."""
    return allowed_moves(((s.kind, s.number, s.state) for s in batch.steps.all()), batch_status=batch.status)


def open_deviations(study_id: str) -> QuerySet[Deviation]:
    """The study's open deviations (each blocks its batch's release until the qualified person
    closes it), voided batches left out."""
    return (Deviation.objects.filter(status=Deviation.OPEN, batch__donation__donor__study_id=study_id)
            .exclude(batch__status=Batch.VOIDED).select_related("batch", "step").order_by("recorded_at", "id"))
