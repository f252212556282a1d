"""Culture and final formulation: passages (seeded, then harvested) and freezing into containers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.core.manufacturing import batch_record, isbt128
from stromalab.core.manufacturing.doublings import DoublingsError, growth
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_changes, record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.materials.usage import judge_lots, step_values

from ..config import shelf_life_days
from ..models import Batch, Container, Step
from ..permissions import WRITERS
from ..queries import cell_balance, core_passage, parse_time, step_check_values
from .guards import create_step, lock, open_step, require
from .inputs import aware, count, decimal, jsonable, text
from .materials import use_lots
from .recording import check_limits, complete


def _passages(steps: dict[tuple[str, int], Step]) -> list[Step]:
    return sorted((s for (kind, _n), s in steps.items() if kind == Step.PASSAGE), key=lambda s: s.number)


@transaction.atomic(durable=True)
def seed_passage(*, batch: Batch, seeded_at: dt.datetime, cells_seeded: Any, vessel: str, surface_cm2: Any,
                 medium_lot: Any, reagent_lots: Any = (), acting_user: Any, deviation_reason: str = "") -> Step:
    """Seed the next passage (P0 after isolation, then P1…): the step is in progress until
    its harvest is recorded. No more cells can be seeded than the previous step counted. The
    medium and reagent lots are register ids; one not released or expired on the seeding day
    needs the deviation reason (:mod:`.materials`)."""
    check_role(acting_user, WRITERS)
    batch = lock(batch)
    steps = require(batch, batch_record.SEED)
    passages = _passages(steps)
    number = len(passages)
    seeded_at = aware(seeded_at, "seeded_at")
    previous = parse_time(passages[-1].data["harvested_at"] if passages
                          else steps[(Step.ISOLATION, 0)].data["isolated_at"])
    if seeded_at < previous:
        before = f"P{number - 1} harvest" if passages else "isolation"
        raise ValidationError({"seeded_at": f"batch {batch.code}: P{number} seeding time is before the {before}"})
    seeded = count(cells_seeded, "cells_seeded")
    available, source = ((int(passages[-1].data["cells_harvested"]), passages[-1].label) if passages
                         else (int(steps[(Step.ISOLATION, 0)].data["cell_count"]), _("SVF isolation")))
    if seeded > available:
        raise ValidationError({"cells_seeded": _("%(seeded)s cells, more than the %(available)s cells counted at "
                                                 "%(source)s") % {"seeded": seeded, "available": available,
                                                                   "source": source}})
    lots = judge_lots(medium_lot=medium_lot, reagent_lots=reagent_lots, day=timezone.localtime(seeded_at).date())
    data = jsonable({"seeded_at": seeded_at, "cells_seeded": seeded,
                     "vessel": text(vessel, "vessel"),
                     "surface_cm2": decimal(surface_cm2, "surface_cm2", maximum=Decimal(100000), positive=True),
                     **step_values(lots)})
    step = create_step(batch, Step.PASSAGE, number=number, acting_user=acting_user, data=data,
                       state=Step.IN_PROGRESS, started_at=timezone.now(), started_by=acting_user)
    check_limits(batch, step, [("passage-count", number)], deviation_reason, acting_user)
    use_lots(batch, step, lots, deviation_reason, acting_user)
    return step


@transaction.atomic(durable=True)
def harvest_passage(*, batch: Batch, harvested_at: dt.datetime, cells_harvested: Any, viability_pct: Any,
                    confluence_pct: Any = None, password: str, acting_user: Any,
                    deviation_reason: str = "") -> Step:
    """Record the harvest of the passage in progress; PD and doubling time follow (core)."""
    check_role(acting_user, WRITERS)
    batch = lock(batch)
    passages = _passages(require(batch, batch_record.PASSAGE_HARVEST))
    current = next(p for p in passages if p.state == Step.IN_PROGRESS)
    harvested_at = aware(harvested_at, "harvested_at")
    data: dict[str, Any] = {
        "harvested_at": harvested_at, "cells_harvested": count(cells_harvested, "cells_harvested"),
        "viability_pct": decimal(viability_pct, "viability_pct", maximum=Decimal(100)),
        "confluence_pct": None if confluence_pct in (None, "") else decimal(
            confluence_pct, "confluence_pct", maximum=Decimal(100)),
    }
    candidate = jsonable({**current.data, **data})
    done = [p for p in passages if p.state == Step.DONE]
    try:
        growth([*(core_passage(p.number, p.data) for p in done), core_passage(current.number, candidate)])
    except DoublingsError as e:
        raise ValidationError(f"batch {batch.code}: {current.label}: {e}") from e
    current.data = candidate
    check_limits(batch, current, [c for c in step_check_values(current) if c[0] != "passage-count"],
                 deviation_reason, acting_user)
    complete(current, data, password=password, acting_user=acting_user)
    return current


@transaction.atomic(durable=True)
def record_freezing(*, batch: Batch, frozen_at: dt.datetime, container_type: str, container_count: int,
                    volume_ml: Any, cells_per_container: Any, password: str, acting_user: Any,
                    product_description: str = "") -> list[Container]:
    """Final formulation into ``container_count`` bags or vials (each with the DIN and its
    division code), in quarantine until the quality app releases them. The containers hold no
    more cells than the last passage harvested (:func:`~..queries.cell_balance`)."""
    check_role(acting_user, WRITERS)
    batch = lock(batch)
    steps = require(batch, batch_record.FREEZING)
    step = open_step(batch, steps, Step.FREEZING, acting_user=acting_user)
    if container_type not in dict(Container.TYPES):
        raise ValidationError({"container_type": f"one of {', '.join(dict(Container.TYPES))}"})
    number = count(container_count, "container_count", maximum=isbt128.MAX_DIVISIONS)
    divisions = isbt128.division_codes(number)
    frozen_at = aware(frozen_at, "frozen_at")
    done = [p for p in _passages(steps) if p.state == Step.DONE]
    if frozen_at < parse_time(done[-1].data["harvested_at"]):
        raise ValidationError({"frozen_at": f"batch {batch.code}: freezing time is before the last passage "
                                            "harvest"})
    description = text(product_description or batch.product_description, "product_description")
    volume = decimal(volume_ml, "volume_ml", maximum=Decimal(10000), positive=True)
    cells = count(cells_per_container, "cells_per_container")
    balance = cell_balance(steps.values())
    if number * cells > (balance.available or 0):
        raise ValidationError({"cells_per_container": _(
            "%(count)s containers × %(cells)s cells = %(frozen)s cells, more than the %(available)s cells "
            "harvested at %(passage)s") % {"count": number, "cells": cells, "frozen": number * cells,
                                          "available": balance.available, "passage": balance.source}})
    expires = timezone.localtime(frozen_at).date() + dt.timedelta(days=shelf_life_days())
    containers = []
    for division in divisions:
        c = Container.objects.create(batch=batch, din=batch.din, division=division, product_code=batch.product_code,
                                     product_description=description, container_type=container_type,
                                     volume_ml=volume, cells=cells, expires_on=expires)
        record_event(acting_user=acting_user, action=EventKind.CREATE, record=c,
                     new={"identifier": c.identifier, "status": c.status, "type": container_type,
                          "volume_ml": volume, "cells": cells, "expires_on": expires})
        containers.append(c)
    data = {"frozen_at": frozen_at, "container_type": container_type, "container_count": number,
            "volume_ml": volume, "cells_per_container": cells, "product_description": description,
            "divisions": list(divisions), "expires_on": expires}
    complete(step, data, password=password, acting_user=acting_user)
    old = batch.status
    batch.status = Batch.QUARANTINE
    batch.save(update_fields=["status"])
    record_changes(acting_user=acting_user, record=batch, changes={"status": (old, batch.status)},
                   require_reason=False, reason="filled into containers", action=EventKind.UPDATE)
    return containers
