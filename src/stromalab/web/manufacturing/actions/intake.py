"""The first steps of a batch record: harvest (opens the batch, assigns the DIN), receipt in
the unit and SVF isolation. Each is signed and judged against the study's in-process limits."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.core.manufacturing import batch_record
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.donors.actions import DonorLocked, assert_material_use_allowed
from stromalab.web.donors.models import Donor
from stromalab.web.screening.models import Screening

from ..config import DEFAULT_PRODUCT, product_code
from ..models import Batch, Donation, Step
from ..permissions import WRITERS
from ..queries import parse_time, step_check_values
from .din import next_din
from .guards import create_step, lock, open_step, require
from .inputs import aware, count, decimal, jsonable, text
from .recording import check_limits, complete

#: the steps planned when a batch opens (passages are added as they are seeded)
PLANNED_KINDS = (Step.RECEIPT, Step.ISOLATION, Step.FREEZING, Step.STORAGE)


def _refuse_second_harvest(donor: Donor) -> None:
    """A donor gives fat once, during the liposuction scheduled at screening: a second harvest
    (a form sent twice, two operators at once) is refused, naming the batch already open. The
    donor row is locked by then, so concurrent attempts wait and see the first one's donation;
    the ``donation_one_per_donor`` constraint backs this up."""
    first = Donation.objects.filter(donor=donor).select_related("batch").first()
    if first is not None:
        code = first.batch.code if hasattr(first, "batch") else first.din
        raise ValidationError({"donor": _("%(donor)s: a harvest is already recorded (batch %(code)s); a donor "
                                          "gives fat once, at the scheduled liposuction")
                               % {"donor": donor.pseudonym, "code": code}})


@transaction.atomic(durable=True)
def record_harvest(*, donor: Donor, harvested_at: dt.datetime, surgeon: str, mass_g: Any, container: str,
                   transport_temperature: str, departed_at: dt.datetime, password: str, acting_user: Any,
                   deviation_reason: str = "", notes: str = "") -> Batch:
    """Record the harvest in the operating room: assigns the DIN, opens the batch record.

    Only an enrolled donor with a signed, not withdrawn consent can give material, once, and
    not before the day of that consent. The harvest day is compared with the surgery date of
    the donor's screening (``harvest-surgery-day`` in-process limit: the fat is collected
    during the scheduled liposuction); another day, or no surgery date, is a deviation.
    """
    check_role(acting_user, WRITERS)
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    assert_material_use_allowed(donor)
    if donor.status != Donor.ENROLLED:
        raise DonorLocked(f"{donor.pseudonym}: not enrolled (status {donor.get_status_display()}); "
                          "no harvest can be recorded")
    _refuse_second_harvest(donor)
    harvested_at = aware(harvested_at, "harvested_at")
    day = timezone.localtime(harvested_at).date()
    consent = donor.current_consent()
    if consent is not None and day < consent.date:
        raise ValidationError({"harvested_at": _("%(day)s is before the donor's consent (signed on %(consent)s)")
                               % {"day": day.isoformat(), "consent": consent.date.isoformat()}})
    departed_at = aware(departed_at, "departed_at")
    if departed_at < harvested_at:
        raise ValidationError({"departed_at": "before the harvest time"})
    surgery = Screening.objects.filter(donor=donor).values_list("surgery_date", flat=True).first()
    data = {
        "harvested_at": harvested_at, "surgeon": text(surgeon, "surgeon"),
        "mass_g": decimal(mass_g, "mass_g", maximum=Decimal(10000), positive=True),
        "scheduled_surgery_on": surgery,
        "days_from_scheduled_surgery": None if surgery is None else (day - surgery).days,
        "container": text(container, "container"),
        "transport_temperature": text(transport_temperature, "transport_temperature"),
        "departed_at": departed_at, "notes": text(notes, "notes", required=False, max_length=1000),
    }
    din = next_din(acting_user=acting_user)
    try:
        with transaction.atomic():  # a savepoint: the constraint's refusal is read, not a crash
            donation = Donation.objects.create(donor=donor, din=din.text, fin=din.fin, year=din.year,
                                               sequence=din.sequence, collected_at=harvested_at,
                                               created_by=acting_user)
    except IntegrityError:
        _refuse_second_harvest(donor)
        raise
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=donation,
                 new={"din": din.text, "donor": donor.pseudonym, "collected_at": harvested_at})
    batch = Batch.objects.create(donation=donation, code=din.text, din=din.text, product_code=product_code(),
                                 product_description=DEFAULT_PRODUCT, created_by=acting_user)
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=batch,
                 new={"code": batch.code, "din": din.text, "donor": donor.pseudonym, "status": batch.status,
                      "product_code": batch.product_code})
    harvest = create_step(batch, Step.HARVEST, acting_user=acting_user)
    for kind in PLANNED_KINDS:
        create_step(batch, kind, acting_user=acting_user)
    harvest.data = jsonable(data)
    check_limits(batch, harvest, step_check_values(harvest), deviation_reason, acting_user)
    complete(harvest, data, password=password, acting_user=acting_user)
    return batch


@transaction.atomic(durable=True)
def record_receipt(*, batch: Batch, received_at: dt.datetime, temperature_c: Any, integrity: str, mass_g: Any,
                   password: str, acting_user: Any, deviation_reason: str = "") -> Step:
    """Receipt in the unit; the delay since harvest is checked against ``receipt-delay``."""
    check_role(acting_user, WRITERS)
    batch = lock(batch)
    steps = require(batch, batch_record.RECEIPT)
    step = open_step(batch, steps, Step.RECEIPT, acting_user=acting_user)
    received_at = aware(received_at, "received_at")
    harvested_at = parse_time(steps[(Step.HARVEST, 0)].data["harvested_at"])
    if received_at < harvested_at:
        raise ValidationError({"received_at": f"batch {batch.code}: arrival time is before the harvest time"})
    exact = Decimal((received_at - harvested_at).total_seconds()) / Decimal(3600)
    data = {
        "received_at": received_at,
        "temperature_c": decimal(temperature_c, "temperature_c", minimum=Decimal(-200), maximum=Decimal(100)),
        "integrity": text(integrity, "integrity", max_length=50).lower(),
        "mass_g": decimal(mass_g, "mass_g", maximum=Decimal(10000), positive=True),
        # rounded up to the hundredth: a delay beyond the limit can never round down into it
        "elapsed_hours": exact.quantize(Decimal("0.01"), rounding=ROUND_UP),
    }
    step.data = jsonable(data)
    check_limits(batch, step, step_check_values(step), deviation_reason, acting_user)
    complete(step, data, password=password, acting_user=acting_user)
    return step


@transaction.atomic(durable=True)
def record_isolation(*, batch: Batch, isolated_at: dt.datetime, cell_count: Any, viability_pct: Any,
                     password: str, acting_user: Any, deviation_reason: str = "", notes: str = "") -> Step:
    """SVF isolation: total nucleated cells and viability (``svf-viability``)."""
    check_role(acting_user, WRITERS)
    batch = lock(batch)
    steps = require(batch, batch_record.ISOLATION)
    step = open_step(batch, steps, Step.ISOLATION, acting_user=acting_user)
    isolated_at = aware(isolated_at, "isolated_at")
    if isolated_at < parse_time(steps[(Step.RECEIPT, 0)].data["received_at"]):
        raise ValidationError({"isolated_at": f"batch {batch.code}: isolation time is before the receipt"})
    data = {"isolated_at": isolated_at, "cell_count": count(cell_count, "cell_count"),
            "viability_pct": decimal(viability_pct, "viability_pct", maximum=Decimal(100)),
            "notes": text(notes, "notes", required=False, max_length=1000)}
    step.data = jsonable(data)
    check_limits(batch, step, step_check_values(step), deviation_reason, acting_user)
    complete(step, data, password=password, acting_user=acting_user)
    return step
