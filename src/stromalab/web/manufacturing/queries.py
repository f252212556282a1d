"""Read-only look-ups of the manufacturing record: growth, limits judged, storage, traceability.

Nothing here writes; pages, the API, reports and the actions themselves share these reads.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.shortcuts import get_object_or_404

from stromalab.core.manufacturing import isbt128
from stromalab.core.manufacturing.doublings import Growth, Passage, growth
from stromalab.core.manufacturing.release import Result, Verdict, evaluate
from stromalab.web.donors.models import Donor

from .config import in_process_limits
from .models import Batch, Box, Container, Donation, Step


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
        return [("harvest-mass", d["mass_g"])]
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
