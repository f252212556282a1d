"""Every change in warehouse pre-screening: running a pre-screen, registering a candidate.
Acting user by keyword, role-checked, audited in the same transaction as the change.

The warehouse is read before the database transaction opens (the query may take a moment and
must not hold the study database's write lock); what is read is then written in one
``transaction.atomic`` block with its audit events, so a failure stores nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.donors import actions as donor_actions
from stromalab.web.donors.models import Study
from stromalab.web.screening import actions as screening_actions
from stromalab.web.screening import models as screening_models

from . import sources
from .facts import Fact, read_facts
from .models import CANDIDATE, EXCLUDED, CarriedFact, DonorLink, PrescreenResult, PrescreenRun
from .permissions import READERS, REGISTRARS, RUNNERS

MAX_SCHEDULE_BYTES = 5 * 1024 * 1024


class AlreadyRegistered(ValidationError):
    """The warehouse person was already registered as a donor (from this or another run)."""


def source_tag(run: PrescreenRun, table: str) -> str:
    return f"warehouse:{run.pk}:{table}"


# --- inputs ------------------------------------------------------------------------------------

def parse_as_of(value: Any) -> dt.date:
    from stromalab.core.warehouse.errors import WarehouseError
    from stromalab.core.warehouse.schedule import parse_date

    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(str(value or "").strip(), "bad pre-screening date")
    except WarehouseError as e:
        raise ValidationError({"as_of": str(e)}) from None


def parse_schedule(content: bytes, name: str) -> list[Any]:
    """The schedule rows of an uploaded CSV; a one-line error naming the upload, line and value."""
    from stromalab.core.warehouse.errors import WarehouseError
    from stromalab.core.warehouse.schedule import read_schedule

    label = os.path.basename(name or "schedule.csv")
    if len(content) > MAX_SCHEDULE_BYTES:
        raise ValidationError({"schedule": f"schedule {label}: larger than {MAX_SCHEDULE_BYTES // 1024} KiB"})
    fd, tmp = tempfile.mkstemp(suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        return read_schedule(Path(tmp))
    except WarehouseError as e:
        raise ValidationError({"schedule": str(e).replace(tmp, label)}) from None
    finally:
        os.unlink(tmp)


# --- running a pre-screen ----------------------------------------------------------------------

@dataclass(frozen=True)
class _Computed:
    source: sources.Source
    as_of: dt.date
    protocol_id: str
    protocol_version: str
    schedule_name: str
    schedule_sha256: str
    schedule_rows: list[list[Any]]
    result: Any  # stromalab.core.warehouse.screening.Prescreening


def run_prescreen(*, source: str, as_of: Any, acting_user: Any, schedule: bytes | None = None,
                  schedule_name: str = "") -> PrescreenRun:
    """Pre-screen ``source`` at ``as_of`` (with the uploaded schedule, if any) and store the run.

    Bad inputs (unknown source, bad date, unreadable schedule, missing table or column) raise
    :class:`ValidationError` naming the field, and nothing is stored.
    """
    from stromalab.core.protocol import load_protocol
    from stromalab.core.warehouse.concepts import load_concept_sets
    from stromalab.core.warehouse.engines import open_warehouse
    from stromalab.core.warehouse.errors import WarehouseError
    from stromalab.core.warehouse.screening import prescreen
    from stromalab.core.yamlsource import SourceError

    check_role(acting_user, RUNNERS)
    chosen = sources.get(source or "")
    if chosen is None:
        raise ValidationError({"source": f"unknown warehouse source {source!r}"})
    day = parse_as_of(as_of)
    rows = parse_schedule(schedule, schedule_name) if schedule is not None else None
    try:
        if chosen.demo:
            sources.ensure_demo()
        protocol = load_protocol(settings.STROMALAB_PROTOCOL)
        concept_sets = load_concept_sets(protocol.folder, protocol.id, protocol.codelists)
        with open_warehouse(chosen.location, chosen.engine) as warehouse:
            result = prescreen(warehouse, protocol, day, concept_sets, rows)
    except (WarehouseError, SourceError) as e:
        raise ValidationError({"source": f"{chosen.name}: {e}"}) from None
    computed = _Computed(
        chosen, day, protocol.id, protocol.version, os.path.basename(schedule_name or "") if rows is not None else "",
        hashlib.sha256(schedule).hexdigest() if schedule is not None else "",
        [[p, d.isoformat() if d else None, proc, site, an] for p, d, proc, site, an in rows or []],
        result,
    )
    with transaction.atomic(durable=True):
        return _record_run(computed=computed, acting_user=acting_user)


def _record_run(*, computed: _Computed, acting_user: Any) -> PrescreenRun:
    result = computed.result
    verdicts = [EXCLUDED if failed else CANDIDATE for failed in result.failed]
    run = PrescreenRun.objects.create(
        source=computed.source.name, engine=computed.source.engine, as_of=computed.as_of,
        schedule_name=computed.schedule_name, schedule_sha256=computed.schedule_sha256,
        schedule_rows=computed.schedule_rows, protocol_id=computed.protocol_id,
        protocol_version=computed.protocol_version, criteria=list(result.criteria),
        attrition=[{"criterion": a.criterion, "fails": a.fails, "remaining": a.remaining} for a in result.attrition],
        population=len(result.person_ids), candidates=verdicts.count(CANDIDATE),
        excluded=verdicts.count(EXCLUDED), created_by=acting_user,
    )
    PrescreenResult.objects.bulk_create(
        [PrescreenResult(run=run, person_id=int(p), verdict=v, failed=f or "", unknown=u or "")
         for p, v, f, u in zip(result.person_ids, verdicts, result.failed, result.unknown, strict=True)],
        batch_size=2000,
    )
    record_event(acting_user=acting_user, action=EventKind.PRESCREEN, record=run, new={
        "source": run.source, "engine": run.engine, "as_of": run.as_of, "schedule": run.schedule_name,
        "schedule_sha256": run.schedule_sha256, "protocol": run.protocol_id,
        "protocol_version": run.protocol_version, "population": run.population,
        "candidates": run.candidates, "excluded": run.excluded,
    })
    return run


# --- reading links (audited) -------------------------------------------------------------------

@transaction.atomic(durable=True)
def read_links(*, run: PrescreenRun | None = None, person_id: int | None = None,
               acting_user: Any) -> dict[int, DonorLink]:
    """The person → donor links of a run (or of one person of it); each read is audited."""
    check_role(acting_user, READERS)
    qs = DonorLink.objects.select_related("donor", "run")
    if run is not None:
        qs = qs.filter(source=run.source)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    links = {link.person_id: link for link in qs}
    for link in links.values():
        record_event(acting_user=acting_user, action=EventKind.READ, record=link, field="person_id",
                     reason=f"pre-screening run {run.pk}" if run is not None else "")
    return links


# --- registering a candidate -------------------------------------------------------------------

def register_candidate(*, run: PrescreenRun, person_id: int, identity: Mapping[str, Any],
                       acting_user: Any) -> DonorLink:
    """Turn a candidate of ``run`` into a registered donor, in one step.

    The donors app registers the donor (next pseudonym; ``identity`` — last and first name,
    which the warehouse does not hold — goes to the identity store). The person's warehouse
    facts are then entered into the donor's screening through the screening actions (audited
    there), each remembered as a :class:`CarriedFact` with its source ``warehouse:<run>:<table>``.
    A person already registered from this source is refused with :class:`AlreadyRegistered`.
    """
    from stromalab.core.warehouse.engines import open_warehouse
    from stromalab.core.warehouse.errors import WarehouseError

    check_role(acting_user, REGISTRARS)
    result = _candidate(run, person_id)
    chosen = sources.get(run.source)
    if chosen is None:
        raise ValidationError(f"warehouse source {run.source!r} is no longer configured")
    try:
        with open_warehouse(chosen.location, chosen.engine) as warehouse:
            facts = read_facts(warehouse, result.person_id, run.as_of)
    except WarehouseError as e:
        raise ValidationError(f"{run.source}: {e}") from None
    with transaction.atomic(durable=True):
        return _register(run=run, person_id=result.person_id, identity=dict(identity), facts=facts,
                         acting_user=acting_user)


def _candidate(run: PrescreenRun, person_id: int) -> PrescreenResult:
    result = PrescreenResult.objects.filter(run=run, person_id=person_id).first()
    if result is None:
        raise ValidationError(f"person {person_id} is not in pre-screening run {run.pk}")
    if result.verdict != CANDIDATE:
        raise ValidationError(f"person {person_id} was excluded by run {run.pk} ({', '.join(result.failed_ids)} "
                              "failed): only a candidate can be registered")
    existing = DonorLink.objects.select_related("donor").filter(source=run.source, person_id=person_id).first()
    if existing is not None:
        raise AlreadyRegistered(f"person {person_id} of {run.source} is already registered as donor "
                                f"{existing.donor.pseudonym} (from run {existing.run_id})")
    return result


def _surgery(run: PrescreenRun, person_id: int) -> list[Any] | None:
    """The planned operation to carry: the first scheduled on or after ``as_of``, else the first."""
    rows: list[list[Any]] = sorted((r for r in run.schedule_rows if r[0] == person_id),
                                   key=lambda r: (r[1] is None, r[1] or ""))
    upcoming = [r for r in rows if r[1] is not None and r[1] >= run.as_of.isoformat()]
    chosen = upcoming or rows
    return chosen[0] if chosen else None


def _scalar(fact: Fact) -> tuple[Any, str]:
    """The value the screening form takes, and a note when it differs from the warehouse's."""
    if fact.field in ("weight_kg", "height_cm"):
        value = Decimal(fact.value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return str(value), "" if value == fact.value else f"rounded from {fact.value:f}"
    if fact.field in ("systolic", "diastolic"):
        whole = int(Decimal(fact.value).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return whole, "" if whole == fact.value else f"rounded from {fact.value:f}"
    if isinstance(fact.value, dt.date):
        return fact.value.isoformat(), ""
    return fact.value, ""


def _register(*, run: PrescreenRun, person_id: int, identity: dict[str, Any], facts: list[Fact],
              acting_user: Any) -> DonorLink:
    run = PrescreenRun.objects.select_for_update().get(pk=run.pk)
    _candidate(run, person_id)  # again, under the lock
    study = Study.objects.filter(pk=run.protocol_id).first()
    if study is None:
        raise ValidationError(f"study {run.protocol_id} is not loaded: run `stromalab manage bootstrap`")
    donor = donor_actions.register_donor_in_transaction(study=study, identity=identity, acting_user=acting_user)
    try:
        with transaction.atomic():
            link = DonorLink.objects.create(run=run, source=run.source, person_id=person_id, donor=donor,
                                            created_by=acting_user)
    except IntegrityError:
        raise AlreadyRegistered(f"person {person_id} of {run.source} is already registered") from None
    # The person id stays in this app's table; the trail names the run and the donor only.
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=link,
                 new={"run": run.pk, "source": run.source, "donor": donor.pseudonym})

    carried: list[CarriedFact] = []
    data: dict[str, Any] = {"as_of": run.as_of.isoformat()}
    carried.append(CarriedFact(field="as_of", value=run.as_of.isoformat(), source=source_tag(run, "prescreen")))
    for fact in facts:
        if fact.field in ("condition", "medication"):
            continue
        tag = source_tag(run, fact.table)
        if fact.note:
            carried.append(CarriedFact(field=fact.field, value=str(fact.value), source=tag, carried=False,
                                       note=fact.note))
            continue
        value, note = _scalar(fact)
        if "date" in fact.extra:
            note = (f"measured {fact.extra['date']}; " + note).rstrip("; ")
        data[fact.field] = value
        carried.append(CarriedFact(field=fact.field, value=str(value), source=tag, note=note))
    surgery = _surgery(run, person_id)
    if surgery is not None:
        tag = source_tag(run, "schedule")
        for name, value in zip(("surgery_date", "surgery_procedure", "surgery_site", "surgery_anesthesia"),
                               surgery[1:], strict=True):
            if value:
                data[name] = value
                carried.append(CarriedFact(field=name, value=str(value)[:255], source=tag))
    screening_actions.save_screening_in_transaction(donor=donor, data=data, acting_user=acting_user)
    screening = screening_models.Screening.objects.get(donor=donor)
    for row in carried:
        if row.carried:
            row.record_type, row.record_id = screening._meta.label, str(screening.pk)
    for fact in facts:
        if fact.field not in ("condition", "medication"):
            continue
        tag = source_tag(run, fact.table)
        detail = f"{fact.extra['start']}–{fact.extra['end'] or ''}"
        if fact.note:
            value = fact.value or f"concept {fact.extra.get('concept_id', '?')}"
            carried.append(CarriedFact(field=fact.field, value=f"{value} {detail}"[:255], source=tag,
                                       carried=False, note=fact.note))
            continue
        entry = screening_actions.add_coded_entry_in_transaction(donor=donor, kind=fact.field, code=fact.value,
                                                  start=fact.extra["start"], end=fact.extra["end"],
                                                  acting_user=acting_user)
        carried.append(CarriedFact(field=fact.field, value=f"{fact.value} {detail}"[:255], source=tag,
                                   record_type=entry._meta.label, record_id=str(entry.pk)))
    for row in carried:
        row.link = link
    CarriedFact.objects.bulk_create(carried)
    record_event(acting_user=acting_user, action=EventKind.CARRY, record=link, new=[
        {"field": f.field, "value": f.value, "source": f.source, "carried": f.carried,
         **({"note": f.note} if f.note else {})} for f in carried
    ])
    return link


# --- explaining a person's criteria ------------------------------------------------------------

def explain_person(*, run: PrescreenRun, person_id: int, acting_user: Any) -> list[dict[str, Any]]:
    """Per criterion, the status, the reason and the values (age, weight, height and BMI with
    their dates, exposure days, matching codes) read again from the warehouse for this person
    alone, at the run's date and with the run's schedule rows (docs/contracts/prescreen.md).

    It reads the warehouse, not the database, so it is not a transaction. A warehouse that
    cannot be read raises :class:`ValidationError`.
    """
    from stromalab.core.protocol import load_protocol
    from stromalab.core.warehouse.concepts import load_concept_sets
    from stromalab.core.warehouse.engines import open_warehouse
    from stromalab.core.warehouse.errors import WarehouseError
    from stromalab.core.warehouse.screening import prescreen
    from stromalab.core.yamlsource import SourceError

    check_role(acting_user, READERS)
    chosen = sources.get(run.source)
    if chosen is None:
        raise ValidationError(f"warehouse source {run.source!r} is no longer configured")
    rows = None
    if run.has_schedule:
        rows = [(p, dt.date.fromisoformat(d) if d else None, proc, site, an)
                for p, d, proc, site, an in run.schedule_rows if p == person_id]
    try:
        protocol = load_protocol(run.protocol_id)
        concept_sets = load_concept_sets(protocol.folder, protocol.id, protocol.codelists)
        with open_warehouse(chosen.location, chosen.engine) as warehouse:
            result = prescreen(warehouse, protocol, run.as_of, concept_sets, rows, explain=True, persons=[person_id])
    except (WarehouseError, SourceError) as e:
        raise ValidationError(f"{run.source}: {e}") from None
    return result.explained(0) if result.person_ids else []
