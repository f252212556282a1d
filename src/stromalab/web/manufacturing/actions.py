"""Every change of the manufacturing record (atomic, acting user by keyword, audited).

The batch record is a state machine. Steps come in this order, each with its own state
(planned → in progress → done, or rejected):

    harvest → receipt → SVF isolation → passage P0 … Pn (seeded: in progress; harvested: done)
    → formulation and freezing (creates the containers) → storage

Any action out of order raises :class:`TransitionError` naming the batch and the step, and
since each action is one transaction nothing is half-written. Steps are completed with the
operator's electronic signature (password re-asked, :func:`stromalab.web.accounts.actions.sign`).
A value outside an in-process limit of ``protocols/<study>/manufacturing.yaml`` is never
silently accepted: the action refuses it unless the operator gives a deviation reason, and
then records a :class:`~.models.Deviation` in the same transaction. The qualified person closes
a deviation after its investigation (:func:`close_deviation`, signed "reviewed"); an open
deviation blocks the batch's release in the quality app.

Settings (or environment variables of the same name):

``STROMALAB_FIN``
    Facility identification number for DIN assignment (default ``G1234``, a test FIN: set the
    unit's own FIN, issued by ICCBBA, in production).
``STROMALAB_PRODUCT_CODE``
    ISBT 128 product code printed with the containers (default ``S1234``, a test code).
``STROMALAB_SHELF_LIFE_DAYS``
    Shelf life of frozen containers (default 365 days from freezing).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from collections.abc import Iterable
from decimal import ROUND_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from stromalab.core.manufacturing import isbt128
from stromalab.core.manufacturing.doublings import DoublingsError, Growth, Passage, growth
from stromalab.core.manufacturing.release import Result, Status, Verdict, evaluate
from stromalab.core.manufacturing.specification import Specification, load_specification
from stromalab.web.accounts.actions import sign
from stromalab.web.accounts.models import Signature
from stromalab.web.accounts.permissions import check_role
from stromalab.web.accounts.signed_closure import close_with_signature
from stromalab.web.audit.actions import record_changes, record_event
from stromalab.web.audit.canonical import canonical_json
from stromalab.web.donors.actions import DonorLocked, assert_material_use_allowed
from stromalab.web.donors.models import Donor

from .models import Batch, Box, Container, Deviation, DinCounter, Donation, Movement, Step
from .permissions import DEVIATION_CLOSERS, WRITERS

DEFAULT_FIN = "G1234"
DEFAULT_PRODUCT_CODE = "S1234"
DEFAULT_PRODUCT = "MSC(AT), allogeneic adipose tissue-derived mesenchymal stromal cells, cryopreserved"
STORAGE_CONDITIONS = "≤ −150 °C, vapour phase of liquid nitrogen"
INTEGRITY_CHOICES = ("intact", "damaged", "leaking")


class TransitionError(ValidationError):
    """A step recorded out of order, or on a batch/step in the wrong state."""


class LimitBreach(ValidationError):
    """A value outside an in-process limit, recorded without a deviation reason."""


# --- configuration --------------------------------------------------------------------------


def _setting(name: str, default: str) -> str:
    return str(getattr(settings, name, None) or os.environ.get(name) or default)


def facility_fin() -> str:
    fin = _setting("STROMALAB_FIN", DEFAULT_FIN)
    isbt128.Din(fin, 0, 0)  # validates the FIN (Isbt128Error names it)
    return fin


def product_code() -> str:
    return _setting("STROMALAB_PRODUCT_CODE", DEFAULT_PRODUCT_CODE)


def shelf_life_days() -> int:
    return int(_setting("STROMALAB_SHELF_LIFE_DAYS", "365"))


@functools.lru_cache(maxsize=4)
def _limits_for(protocol: str) -> Specification:
    from stromalab.core.protocol import protocols_root

    return load_specification(protocols_root() / protocol / "manufacturing.yaml")


def in_process_limits() -> Specification:
    """The study's in-process limits (``protocols/<STROMALAB_PROTOCOL>/manufacturing.yaml``)."""
    return _limits_for(settings.STROMALAB_PROTOCOL)


# --- helpers --------------------------------------------------------------------------------


def _aware(value: dt.datetime, what: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValidationError(f"{what}: expected a date and time")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(f"{what}: {value:%Y-%m-%d %H:%M} is in the future")
    return value


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """The data as stored and signed: canonical JSON values (UTC times, decimal text)."""
    return json.loads(canonical_json(data))


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _decimal(value: Any, what: str, *, minimum: Decimal | None = Decimal(0),
             maximum: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except Exception:
        raise ValidationError(f"{what}: expected a number, got {value!r}") from None
    if not number.is_finite():
        raise ValidationError(f"{what}: expected a number, got {value!r}")
    if minimum is not None and number < minimum:
        raise ValidationError(f"{what}: must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ValidationError(f"{what}: must be at most {maximum}, got {number}")
    return number


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"{what}: expected a whole number of cells")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{what}: expected a whole number, got {value!r}") from None
    if number <= 0:
        raise ValidationError(f"{what}: must be positive, got {number}")
    return number


def _text(value: Any, what: str, *, required: bool = True, max_length: int = 200) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(f"{what}: required")
    if len(text) > max_length:
        raise ValidationError(f"{what}: at most {max_length} characters")
    return text


def _lock(batch: Batch, *, material_use: bool = True) -> Batch:
    """Lock the batch row; refuse a rejected or voided batch and, when the step uses the
    material (``material_use``), a donor whose consent no longer allows it."""
    locked = Batch.objects.select_for_update(of=("self",)).select_related("donation__donor").get(pk=batch.pk)
    if locked.status in (Batch.REJECTED, Batch.VOIDED):
        raise TransitionError(f"batch {locked.code}: the batch is {locked.get_status_display()}; "
                              "no further step can be recorded")
    if material_use:
        try:
            assert_material_use_allowed(locked.donation.donor)
        except PermissionDenied as e:
            raise DonorLocked(f"batch {locked.code}: {e}; the material may not be processed further") from e
    return locked


def _step(batch: Batch, kind: str, number: int = 0) -> Step | None:
    return Step.objects.select_for_update().filter(batch=batch, kind=kind, number=number).first()


def _label(kind: str, number: int = 0) -> str:
    return f"P{number}" if kind == Step.PASSAGE else str(dict(Step.KINDS)[kind])


def _require_done(batch: Batch, kind: str, doing: str, number: int = 0) -> Step:
    step = _step(batch, kind, number)
    if step is None or step.state != Step.DONE:
        state = "not recorded" if step is None else step.get_state_display()
        raise TransitionError(f"batch {batch.code}: {doing} refused: {_label(kind, number)} must be done "
                              f"first (it is {state})")
    return step


def _require_open(batch: Batch, kind: str, doing: str, number: int = 0) -> Step:
    step = _step(batch, kind, number)
    if step is None:
        step = Step.objects.create(batch=batch, kind=kind, number=number)
    if step.state in (Step.DONE, Step.REJECTED):
        raise TransitionError(f"batch {batch.code}: {doing} refused: {step.label} is already "
                              f"{step.get_state_display()}")
    return step


def _passages(batch: Batch) -> list[Step]:
    return list(Step.objects.filter(batch=batch, kind=Step.PASSAGE).order_by("number"))


def _checks(batch: Batch, step: Step, checks: Iterable[tuple[str, Any]], deviation_reason: str,
            acting_user: Any) -> list[Verdict]:
    """Judge ``(limit id, value)`` pairs; out-of-limit values need a deviation reason and are
    recorded as deviations (otherwise :class:`LimitBreach`, and the transaction rolls back)."""
    spec = in_process_limits()
    failed = []
    for test_id, value in checks:
        verdict = evaluate(spec.requirement(test_id), Result(test_id, str(value)))
        if verdict.status in (Status.FAIL, Status.INVALID):
            failed.append(verdict)
    def said(v: Verdict) -> str:
        unit = spec.requirement(v.test_id).unit
        return f"{v.name} {v.value}{' ' + unit if unit else ''} outside the in-process limit {v.limit}"

    if failed and not (deviation_reason or "").strip():
        raise LimitBreach(
            f"batch {batch.code}: {step.label}: " + "; ".join(said(v) for v in failed)
            + ": give a deviation reason to record it as a deviation")
    for v in failed:
        deviation = Deviation.objects.create(
            batch=batch, step=step, check_id=v.test_id, value=v.value or "", limit=v.limit,
            description=said(v),
            reason=deviation_reason.strip(), recorded_by=acting_user)
        record_event(acting_user=acting_user, action="create", record=deviation,
                     new={"check": v.test_id, "value": v.value, "limit": v.limit, "step": step.label,
                          "reason": deviation_reason.strip()}, reason=deviation_reason.strip())
    return failed


def step_verdicts(step: Step) -> list[Verdict]:
    """The in-process limits that apply to a step's recorded values, judged (for display)."""
    spec = in_process_limits()
    out = []
    for test_id, value in _step_check_values(step):
        out.append(evaluate(spec.requirement(test_id), Result(test_id, str(value))))
    return out


def _step_check_values(step: Step) -> list[tuple[str, Any]]:
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


def _complete(step: Step, data: dict[str, Any], *, password: str, acting_user: Any,
              started: bool = True) -> Signature:
    """Set the data, move the step to done and sign it (meaning "authored")."""
    old_state, old_data = Step.objects.values_list("state", "data").get(pk=step.pk)  # as stored
    now = timezone.now()
    step.data = _jsonable({**step.data, **data})
    step.state = Step.DONE
    if started and step.started_at is None:
        step.started_at, step.started_by = now, acting_user
    step.completed_at, step.completed_by = now, acting_user
    step.save()
    signature = sign(acting_user=acting_user, password=password, meaning=Signature.AUTHORED,
                     record_type="manufacturing.Step", record_id=str(step.pk),
                     content=step.signed_content(), subject=step.batch.code)
    step.signature = signature
    step.save(update_fields=["signature"])
    record_changes(acting_user=acting_user, record=step, require_reason=False,
                   changes={"state": (old_state, step.state), "data": (old_data or None, step.data)})
    return signature


# --- DIN ------------------------------------------------------------------------------------


@transaction.atomic
def allocate_din(*, acting_user: Any, fin: str | None = None, year: int | None = None) -> isbt128.Din:
    """The next DIN of this facility and year; the sequence is never reused.

    The counter row is locked (``SELECT ... FOR UPDATE``; on SQLite the transaction already holds
    the write lock) and increased in the caller's transaction: two harvests never get the same
    number, and a harvest that rolls back issued no DIN (its number goes to the next harvest).
    """
    check_role(acting_user, WRITERS)
    fin = fin or facility_fin()
    year = timezone.localdate().year % 100 if year is None else year
    try:
        with transaction.atomic():
            DinCounter.objects.get_or_create(fin=fin, year=year)
    except IntegrityError:  # another transaction created it first; it is there now
        pass
    counter = DinCounter.objects.select_for_update().get(fin=fin, year=year)
    din = isbt128.next_din(fin, year, counter.last_sequence or None)
    old = counter.last_sequence
    DinCounter.objects.filter(pk=counter.pk).update(last_sequence=din.sequence)
    record_event(acting_user=acting_user, action="update", record=counter, field="last_sequence",
                 old=old, new=din.sequence, subject=din.text)
    return din


# --- harvest and receipt --------------------------------------------------------------------


@transaction.atomic
def record_harvest(*, donor: Donor, harvested_at: dt.datetime, surgeon: str, mass_g: Any, container: str,
                   transport_temperature: str, departed_at: dt.datetime, password: str, acting_user: Any,
                   deviation_reason: str = "", notes: str = "") -> Batch:
    """Record the harvest in the operating room: assigns the DIN, opens the batch record.

    Only an enrolled donor with a signed, not withdrawn consent can give material.
    """
    check_role(acting_user, WRITERS)
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    assert_material_use_allowed(donor)
    if donor.status != Donor.ENROLLED:
        raise DonorLocked(f"{donor.pseudonym}: not enrolled (status {donor.get_status_display()}); "
                          "no harvest can be recorded")
    harvested_at = _aware(harvested_at, "harvest time")
    departed_at = _aware(departed_at, "departure time")
    if departed_at < harvested_at:
        raise ValidationError("departure time: before the harvest time")
    data = {
        "harvested_at": harvested_at, "surgeon": _text(surgeon, "surgeon"),
        "mass_g": _decimal(mass_g, "mass (g)", maximum=Decimal(10000)),
        "container": _text(container, "container"),
        "transport_temperature": _text(transport_temperature, "transport temperature"),
        "departed_at": departed_at, "notes": _text(notes, "notes", required=False, max_length=1000),
    }
    din = allocate_din(acting_user=acting_user)
    donation = Donation.objects.create(donor=donor, din=din.text, fin=din.fin, year=din.year,
                                       sequence=din.sequence, collected_at=harvested_at,
                                       created_by=acting_user)
    record_event(acting_user=acting_user, action="create", record=donation,
                 new={"din": din.text, "donor": donor.pseudonym, "collected_at": harvested_at})
    batch = Batch.objects.create(donation=donation, code=din.text, din=din.text, product_code=product_code(),
                                 product_description=DEFAULT_PRODUCT, created_by=acting_user)
    record_event(acting_user=acting_user, action="create", record=batch,
                 new={"code": batch.code, "din": din.text, "donor": donor.pseudonym, "status": batch.status,
                      "product_code": batch.product_code})
    harvest = Step.objects.create(batch=batch, kind=Step.HARVEST)
    for kind in (Step.RECEIPT, Step.ISOLATION, Step.FREEZING, Step.STORAGE):
        planned = Step.objects.create(batch=batch, kind=kind)
        record_event(acting_user=acting_user, action="create", record=planned,
                     new={"kind": kind, "state": Step.PLANNED})
    harvest.data = _jsonable(data)
    _checks(batch, harvest, _step_check_values(harvest), deviation_reason, acting_user)
    _complete(harvest, data, password=password, acting_user=acting_user)
    return batch


@transaction.atomic
def record_receipt(*, batch: Batch, received_at: dt.datetime, temperature_c: Any, integrity: str, mass_g: Any,
                   password: str, acting_user: Any, deviation_reason: str = "") -> Step:
    """Receipt in the unit; the delay since harvest is checked against ``receipt-delay``."""
    check_role(acting_user, WRITERS)
    batch = _lock(batch)
    harvest = _require_done(batch, Step.HARVEST, "receipt")
    step = _require_open(batch, Step.RECEIPT, "receipt")
    received_at = _aware(received_at, "arrival time")
    harvested_at = parse_time(harvest.data["harvested_at"])
    if received_at < harvested_at:
        raise ValidationError(f"batch {batch.code}: arrival time is before the harvest time")
    exact = Decimal((received_at - harvested_at).total_seconds()) / Decimal(3600)
    integrity = _text(integrity, "container integrity", max_length=50).lower()
    data = {
        "received_at": received_at,
        "temperature_c": _decimal(temperature_c, "temperature (°C)", minimum=Decimal(-200), maximum=Decimal(100)),
        "integrity": integrity, "mass_g": _decimal(mass_g, "mass (g)", maximum=Decimal(10000)),
        # rounded up to the hundredth: a delay beyond the limit can never round down into it
        "elapsed_hours": exact.quantize(Decimal("0.01"), rounding=ROUND_UP),
    }
    step.data = _jsonable(data)
    _checks(batch, step, _step_check_values(step), deviation_reason, acting_user)
    _complete(step, data, password=password, acting_user=acting_user)
    return step


# --- batch record ---------------------------------------------------------------------------


@transaction.atomic
def record_isolation(*, batch: Batch, isolated_at: dt.datetime, cell_count: Any, viability_pct: Any,
                     password: str, acting_user: Any, deviation_reason: str = "", notes: str = "") -> Step:
    """SVF isolation: total nucleated cells and viability (``svf-viability``)."""
    check_role(acting_user, WRITERS)
    batch = _lock(batch)
    receipt = _require_done(batch, Step.RECEIPT, "SVF isolation")
    step = _require_open(batch, Step.ISOLATION, "SVF isolation")
    isolated_at = _aware(isolated_at, "isolation time")
    if isolated_at < parse_time(receipt.data["received_at"]):
        raise ValidationError(f"batch {batch.code}: isolation time is before the receipt")
    data = {"isolated_at": isolated_at, "cell_count": _count(cell_count, "cell count"),
            "viability_pct": _decimal(viability_pct, "viability (%)", maximum=Decimal(100)),
            "notes": _text(notes, "notes", required=False, max_length=1000)}
    step.data = _jsonable(data)
    _checks(batch, step, _step_check_values(step), deviation_reason, acting_user)
    _complete(step, data, password=password, acting_user=acting_user)
    return step


@transaction.atomic
def seed_passage(*, batch: Batch, seeded_at: dt.datetime, cells_seeded: Any, vessel: str, surface_cm2: Any,
                 medium_lot: str, reagent_lots: str = "", acting_user: Any, deviation_reason: str = "") -> Step:
    """Seed the next passage (P0 after isolation, then P1…): the step is in progress until
    its harvest is recorded."""
    check_role(acting_user, WRITERS)
    batch = _lock(batch)
    passages = _passages(batch)
    number = len(passages)
    doing = f"seeding P{number}"
    isolation = _require_done(batch, Step.ISOLATION, doing)
    if any(p.state == Step.IN_PROGRESS for p in passages):
        current = next(p for p in passages if p.state == Step.IN_PROGRESS)
        raise TransitionError(f"batch {batch.code}: {doing} refused: {current.label} is still in progress "
                              "(record its harvest first)")
    if any(p.state == Step.REJECTED for p in passages):
        raise TransitionError(f"batch {batch.code}: {doing} refused: a passage was rejected")
    freezing = _step(batch, Step.FREEZING)
    if freezing is not None and freezing.state != Step.PLANNED:
        raise TransitionError(f"batch {batch.code}: {doing} refused: formulation and freezing is "
                              f"{freezing.get_state_display()}")
    seeded_at = _aware(seeded_at, "seeding time")
    previous = parse_time(passages[-1].data["harvested_at"]) if passages else parse_time(
        isolation.data["isolated_at"])
    if seeded_at < previous:
        before = f"P{number - 1} harvest" if passages else "isolation"
        raise ValidationError(f"batch {batch.code}: P{number} seeding time is before the {before}")
    step = Step.objects.create(batch=batch, kind=Step.PASSAGE, number=number)
    data = {"seeded_at": seeded_at, "cells_seeded": _count(cells_seeded, "cells seeded"),
            "vessel": _text(vessel, "vessel"),
            "surface_cm2": _decimal(surface_cm2, "surface (cm²)", maximum=Decimal(100000)),
            "medium_lot": _text(medium_lot, "medium lot"),
            "reagent_lots": _text(reagent_lots, "reagent lots", required=False)}
    step.data = _jsonable(data)
    step.state = Step.IN_PROGRESS
    step.started_at, step.started_by = timezone.now(), acting_user
    step.save()
    record_event(acting_user=acting_user, action="create", record=step,
                 new={"kind": Step.PASSAGE, "number": number, "state": step.state, "data": step.data})
    _checks(batch, step, [("passage-count", number)], deviation_reason, acting_user)
    return step


@transaction.atomic
def harvest_passage(*, batch: Batch, harvested_at: dt.datetime, cells_harvested: Any, viability_pct: Any,
                    confluence_pct: Any = None, password: str, acting_user: Any,
                    deviation_reason: str = "") -> Step:
    """Record the harvest of the passage in progress; PD and doubling time follow (core)."""
    check_role(acting_user, WRITERS)
    batch = _lock(batch)
    passages = _passages(batch)
    current = next((p for p in passages if p.state == Step.IN_PROGRESS), None)
    if current is None:
        raise TransitionError(f"batch {batch.code}: passage harvest refused: no passage is in progress "
                              "(seed one first)")
    current = Step.objects.select_for_update().get(pk=current.pk)
    harvested_at = _aware(harvested_at, "harvest time")
    data: dict[str, Any] = {
        "harvested_at": harvested_at, "cells_harvested": _count(cells_harvested, "cells harvested"),
        "viability_pct": _decimal(viability_pct, "viability (%)", maximum=Decimal(100)),
        "confluence_pct": None if confluence_pct in (None, "") else _decimal(
            confluence_pct, "confluence (%)", maximum=Decimal(100)),
    }
    candidate = _jsonable({**current.data, **data})
    done = [p for p in passages if p.state == Step.DONE]
    try:
        growth([*(_core_passage(p.number, p.data) for p in done), _core_passage(current.number, candidate)])
    except DoublingsError as e:
        raise ValidationError(f"batch {batch.code}: {current.label}: {e}") from e
    current.data = candidate
    _checks(batch, current, [c for c in _step_check_values(current) if c[0] != "passage-count"],
            deviation_reason, acting_user)
    _complete(current, data, password=password, acting_user=acting_user)
    return current


def _core_passage(number: int, data: dict[str, Any]) -> Passage:
    return Passage(number=number, seeded_at=parse_time(data["seeded_at"]), cells_seeded=int(data["cells_seeded"]),
                   harvested_at=parse_time(data["harvested_at"]), cells_harvested=int(data["cells_harvested"]))


def batch_growth(batch: Batch) -> Growth:
    """PD per passage, cumulative PD, doubling times and the growth curve (core ``growth``)."""
    done = [p for p in _passages(batch) if p.state == Step.DONE]
    return growth([_core_passage(p.number, p.data) for p in done])


@transaction.atomic
def record_freezing(*, batch: Batch, frozen_at: dt.datetime, container_type: str, container_count: int,
                    volume_ml: Any, cells_per_container: Any, password: str, acting_user: Any,
                    product_description: str = "") -> list[Container]:
    """Final formulation into ``container_count`` bags or vials (each with the DIN and its
    division code), in quarantine until the quality app releases them."""
    check_role(acting_user, WRITERS)
    batch = _lock(batch)
    passages = _passages(batch)
    done = [p for p in passages if p.state == Step.DONE]
    if not done:
        raise TransitionError(f"batch {batch.code}: formulation and freezing refused: no passage harvest "
                              "count recorded yet")
    if any(p.state == Step.IN_PROGRESS for p in passages):
        current = next(p for p in passages if p.state == Step.IN_PROGRESS)
        raise TransitionError(f"batch {batch.code}: formulation and freezing refused: {current.label} is "
                              "still in progress")
    step = _require_open(batch, Step.FREEZING, "formulation and freezing")
    if container_type not in dict(Container.TYPES):
        raise ValidationError(f"container type: one of {', '.join(dict(Container.TYPES))}")
    try:
        count = int(container_count)
        divisions = isbt128.division_codes(count)
    except (TypeError, ValueError) as e:
        raise ValidationError(f"number of containers: {e}") from e
    frozen_at = _aware(frozen_at, "freezing time")
    last_harvest = parse_time(done[-1].data["harvested_at"])
    if frozen_at < last_harvest:
        raise ValidationError(f"batch {batch.code}: freezing time is before the last passage harvest")
    description = _text(product_description or batch.product_description, "product description")
    volume = _decimal(volume_ml, "volume (mL)", maximum=Decimal(10000))
    cells = _count(cells_per_container, "cells per container")
    expires = timezone.localtime(frozen_at).date() + dt.timedelta(days=shelf_life_days())
    containers = []
    for division in divisions:
        c = Container.objects.create(batch=batch, din=batch.din, division=division, product_code=batch.product_code,
                                     product_description=description, container_type=container_type,
                                     volume_ml=volume, cells=cells, expires_on=expires)
        record_event(acting_user=acting_user, action="create", record=c,
                     new={"identifier": c.identifier, "status": c.status, "type": container_type,
                          "volume_ml": volume, "cells": cells, "expires_on": expires})
        containers.append(c)
    data = {"frozen_at": frozen_at, "container_type": container_type, "container_count": count,
            "volume_ml": volume, "cells_per_container": cells, "product_description": description,
            "divisions": list(divisions), "expires_on": expires}
    _complete(step, data, password=password, acting_user=acting_user)
    old = batch.status
    batch.status = Batch.QUARANTINE
    batch.save(update_fields=["status"])
    record_changes(acting_user=acting_user, record=batch, changes={"status": (old, batch.status)},
                   require_reason=False, reason="filled into containers")
    return containers


# --- storage --------------------------------------------------------------------------------


@transaction.atomic
def create_box(*, tank: str, rack: str, name: str, rows: int = 9, columns: int = 9, acting_user: Any) -> Box:
    check_role(acting_user, WRITERS)
    rows, columns = int(rows), int(columns)
    if not (1 <= rows <= 26 and 1 <= columns <= 26):
        raise ValidationError("a box has 1 to 26 rows and 1 to 26 columns")
    tank, rack, name = _text(tank, "tank", max_length=50), _text(rack, "rack", max_length=50), _text(
        name, "box", max_length=50)
    if Box.objects.filter(tank=tank, rack=rack, name=name).exists():
        raise ValidationError(f"box {tank} / {rack} / {name} already exists")
    box = Box.objects.create(tank=tank, rack=rack, name=name, rows=rows, columns=columns)
    record_event(acting_user=acting_user, action="create", record=box,
                 new={"tank": tank, "rack": rack, "name": name, "rows": rows, "columns": columns})
    return box


def used_positions(box: Box) -> dict[int, Container]:
    return {c.position: c for c in Container.objects.filter(box=box).select_related("batch")}


def _move(container: Container, box: Box | None, position: int | None, kind: str, reason: str,
          acting_user: Any, destination: str = "") -> Movement:
    old_location = container.location
    old = {"box": container.box_id, "position": container.position}
    container.box, container.position = box, position
    container.save(update_fields=["box", "position"])
    to_location = container.location or destination
    movement = Movement.objects.create(container=container, kind=kind, from_location=old_location,
                                       to_location=to_location, at=timezone.now(), by=acting_user,
                                       reason=reason)
    record_changes(acting_user=acting_user, record=container, require_reason=False, reason=reason,
                   changes={"box": (old["box"], container.box_id), "position": (old["position"], position)})
    record_event(acting_user=acting_user, action="create", record=movement,
                 new={"kind": kind, "from": old_location, "to": to_location}, reason=reason)
    return movement


@transaction.atomic
def store_batch(*, batch: Batch, box: Box, password: str, acting_user: Any, start_position: int = 1) -> Step:
    """Put every container of the batch into free positions of ``box`` (from ``start_position``)
    and sign the storage step."""
    check_role(acting_user, WRITERS)
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == Batch.VOIDED:
        raise TransitionError(f"batch {batch.code}: the batch is voided")
    _require_done(batch, Step.FREEZING, "storage")
    step = _require_open(batch, Step.STORAGE, "storage")
    box = Box.objects.select_for_update().get(pk=box.pk)
    containers = list(Container.objects.select_for_update().filter(batch=batch, box__isnull=True)
                      .exclude(status=Container.DISPATCHED).order_by("division"))
    used = set(Container.objects.filter(box=box).values_list("position", flat=True))
    free = [p for p in range(max(1, int(start_position)), box.capacity + 1) if p not in used]
    if len(free) < len(containers):
        raise ValidationError(f"box {box}: {len(free)} free positions from position {start_position}, "
                              f"{len(containers)} containers to store")
    placed = []
    for container, position in zip(containers, free, strict=False):
        _move(container, box, position, Movement.STORE, "initial storage after freezing", acting_user)
        placed.append({"container": container.identifier, "position": box.position_label(position)})
    data = {"box": str(box), "box_id": box.pk, "placed": placed, "stored_at": timezone.now()}
    _complete(step, data, password=password, acting_user=acting_user)
    return step


@transaction.atomic
def move_container(*, container: Container, box: Box, position: int, reason: str, acting_user: Any) -> Movement:
    """Move a stored container to a free position (chain of custody: from, to, who, when, why)."""
    check_role(acting_user, WRITERS)
    container = Container.objects.select_for_update(of=("self",)).select_related("box").get(pk=container.pk)
    reason = _text(reason, "reason", max_length=500)
    if container.status == Container.DISPATCHED:
        raise TransitionError(f"container {container.identifier}: dispatched, it is no longer in storage")
    box = Box.objects.select_for_update().get(pk=box.pk)
    position = int(position)
    if not 1 <= position <= box.capacity:
        raise ValidationError(f"box {box}: position {position} outside 1–{box.capacity}")
    if Container.objects.filter(box=box, position=position).exclude(pk=container.pk).exists():
        raise ValidationError(f"box {box}: position {box.position_label(position)} is occupied")
    return _move(container, box, position, Movement.MOVE, reason, acting_user)


@transaction.atomic
def dispatch_container(*, container: Container, destination: str, reason: str, acting_user: Any) -> Movement:
    """Take a container out of storage: only a released container (and consent still valid)."""
    check_role(acting_user, WRITERS)
    container = Container.objects.select_for_update(of=("self",)).select_related("box", "batch__donation__donor").get(
        pk=container.pk)
    destination = _text(destination, "destination")
    reason = _text(reason, "reason", max_length=500)
    status = container.effective_status
    if status != Container.RELEASED:
        raise TransitionError(f"container {container.identifier} (batch {container.batch.code}): dispatch refused: "
                              f"it is {container.get_effective_status_display()}, only released containers "
                              "may leave storage")
    old = container.status
    container.status = Container.DISPATCHED
    container.save(update_fields=["status"])
    record_changes(acting_user=acting_user, record=container, changes={"status": (old, container.status)},
                   reason=reason, require_reason=False)
    return _move(container, None, None, Movement.DISPATCH, f"{reason} (to {destination})", acting_user,
                 destination=destination)


# --- rejection, deviations, consent ---------------------------------------------------------


@transaction.atomic
def reject_step(*, step: Step, reason: str, acting_user: Any) -> Step:
    """Reject a planned or in-progress step: the batch is rejected, its containers too."""
    check_role(acting_user, WRITERS)
    reason = _text(reason, "reason", max_length=1000)
    batch = _lock(step.batch, material_use=False)
    step = Step.objects.select_for_update().get(pk=step.pk)
    if step.state in (Step.DONE, Step.REJECTED):
        raise TransitionError(f"batch {batch.code}: rejecting {step.label} refused: it is already "
                              f"{step.get_state_display()} (record a deviation instead)")
    old = step.state
    step.state, step.rejected_reason = Step.REJECTED, reason
    step.completed_at, step.completed_by = timezone.now(), acting_user
    step.save()
    record_changes(acting_user=acting_user, record=step, changes={"state": (old, step.state)}, reason=reason)
    old_status = batch.status
    batch.status = Batch.REJECTED
    batch.save(update_fields=["status"])
    record_changes(acting_user=acting_user, record=batch, changes={"status": (old_status, batch.status)},
                   reason=f"{step.label} rejected: {reason}")
    for c in Container.objects.select_for_update().filter(batch=batch, status=Container.QUARANTINE):
        c.status = Container.REJECTED
        c.save(update_fields=["status"])
        record_changes(acting_user=acting_user, record=c, changes={"status": (Container.QUARANTINE, c.status)},
                       reason=f"batch rejected: {reason}")
    return step


@transaction.atomic
def record_deviation(*, batch: Batch, description: str, reason: str, acting_user: Any,
                     step: Step | None = None) -> Deviation:
    check_role(acting_user, WRITERS)
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if step is not None and step.batch_id != batch.pk:
        raise ValidationError("step of another batch")
    deviation = Deviation.objects.create(batch=batch, step=step, check_id="manual",
                                         description=_text(description, "description", max_length=2000),
                                         reason=_text(reason, "reason", max_length=2000), recorded_by=acting_user)
    record_event(acting_user=acting_user, action="create", record=deviation,
                 new={"check": "manual", "description": deviation.description,
                      "step": step.label if step else None}, reason=deviation.reason)
    return deviation


def _deviation_closed_message(deviation: Deviation) -> str:
    by = deviation.closed_by.printed_name if deviation.closed_by_id else "?"
    at = f"{deviation.closed_at:%Y-%m-%d %H:%M} UTC" if deviation.closed_at else "?"
    return (f"batch {deviation.batch.code}: {deviation.label} is already closed (by {by} on {at}, "
            f"{deviation.get_impact_display()}): a closed deviation cannot be closed again or changed")


@transaction.atomic
def close_deviation(*, deviation: Deviation, impact: str, conclusion: str, password: str,
                    acting_user: Any) -> Deviation:
    """Close a deviation after its investigation, with the closer's e-signature.

    Who: the qualified person (:data:`~.permissions.DEVIATION_CLOSERS`). Closing a deviation
    decides whether a departure from the process affected the product, which is a quality
    decision: it belongs to the person who weighs the batch record at release (compliance.md:
    "review and release (or reject) batches"), not to the operator who recorded the deviation
    and is party to it. The quality app closes out-of-specification records the same way. Four
    eyes: whoever recorded the deviation may not close it, whatever their role now.

    ``impact`` is the investigation's verdict on the product: ``none``, ``acceptable`` or
    ``product_rejected`` (:attr:`Deviation.IMPACTS`); ``conclusion`` (required) is the summary
    of the investigation. The signature (password re-asked, meaning "reviewed") covers
    :meth:`Deviation.signed_content`; a wrong password raises
    :class:`~stromalab.web.accounts.actions.SignatureError` and nothing is written (the caller
    counts the failure toward the lockout). The change of status, impact and conclusion is
    audited. A closed deviation is never closed again nor changed (:class:`TransitionError`),
    and nothing is deleted. Closing with impact ``product_rejected`` does not change the
    batch: the quality app then refuses release and the qualified person rejects the batch
    there (its own signature and reason).
    """
    check_role(acting_user, DEVIATION_CLOSERS)
    Batch.objects.select_for_update(of=("self",)).get(pk=deviation.batch_id)  # same lock order as release
    deviation = (Deviation.objects.select_for_update(of=("self",))
                 .select_related("batch", "step", "closed_by").get(pk=deviation.pk))
    if deviation.status != Deviation.OPEN:
        raise TransitionError(_deviation_closed_message(deviation))
    if deviation.recorded_by_id == acting_user.pk:
        raise PermissionDenied(f"four eyes: {acting_user.username} recorded {deviation.label}; another "
                               "qualified person must close it")
    if impact not in dict(Deviation.IMPACTS):
        raise ValidationError(f"impact on the product: one of {', '.join(dict(Deviation.IMPACTS))}, "
                              f"got {impact!r}")
    close_with_signature(deviation, conclusion=conclusion, password=password, acting_user=acting_user,
                         open_status=Deviation.OPEN, closed_status=Deviation.CLOSED,
                         decided={"impact": ("", impact)})
    return deviation


@transaction.atomic
def block_withdrawn_containers(*, donor: Donor, acting_user: Any, reason: str = "consent withdrawn") -> int:
    """Mark ``blocked`` every container of a donor whose material may no longer be used
    (the computed :attr:`Container.effective_status` already shows them blocked; this records
    it in the containers' own status, audited). Returns the number marked."""
    check_role(acting_user, WRITERS)
    try:
        assert_material_use_allowed(donor)
    except PermissionDenied:
        pass
    else:
        raise ValidationError(f"{donor.pseudonym}: consent is valid; nothing to block")
    n = 0
    for c in Container.objects.select_for_update().filter(batch__donation__donor=donor).exclude(
            status__in=(Container.BLOCKED, Container.DISPATCHED)):
        old = c.status
        c.status = Container.BLOCKED
        c.save(update_fields=["status"])
        record_changes(acting_user=acting_user, record=c, changes={"status": (old, c.status)}, reason=reason)
        n += 1
    return n


# --- traceability ---------------------------------------------------------------------------


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
