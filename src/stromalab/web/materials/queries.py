"""Read-only look-ups of the registers: a lot's recall (the batches and containers that used
it), the lots and instruments a batch used, and the overdue CAPAs a work queue shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Capa, LotUse


@dataclass(frozen=True)
class RecallRow:
    """A batch that used the lot: which steps, and the containers it was filled into."""

    batch: Any
    steps: tuple[str, ...]
    problems: tuple[str, ...]
    containers: tuple[Any, ...]


def recall(lot: Any) -> list[RecallRow]:
    """Every batch that used ``lot`` (its steps, any problem recorded at use) and its containers
    with their status and location: what to find and block when a supplier recalls the lot."""
    uses = (LotUse.objects.filter(lot=lot).select_related("batch", "step")
            .prefetch_related("batch__containers__box").order_by("batch__code", "step__id"))
    rows: dict[int, tuple[Any, list[str], list[str]]] = {}
    for use in uses:
        _batch, steps, problems = rows.setdefault(use.batch_id, (use.batch, [], []))
        steps.append(use.step.label)
        if use.problem:
            problems.append(use.problem)
    return [RecallRow(batch, tuple(steps), tuple(problems), tuple(batch.containers.all()))
            for batch, steps, problems in rows.values()]


def batch_lots(batch: Any) -> list[dict[str, Any]]:
    """The lots a batch used, step by step, as the batch record prints them."""
    return [{"step": u.step.label, "role": u.get_role_display(), "lot": u.lot.label,
             "expires_on": u.lot.expires_on, "status": u.lot.get_status_display(), "problem": u.problem}
            for u in LotUse.objects.filter(batch=batch).select_related("lot", "step").order_by("step__id", "id")]


def overdue_capas(study_id: str | None = None) -> QuerySet[Capa]:
    """Open CAPAs past their due date, the most overdue first (a lazy queryset: a work queue
    slices and counts it); ``study_id`` keeps those of one study's batches."""
    rows = Capa.objects.filter(status=Capa.OPEN, due_on__lt=timezone.localdate()).select_related(
        "owner", "deviation__batch", "oos__batch").order_by("due_on", "id")
    if study_id is not None:
        rows = rows.filter(Q(deviation__batch__donation__donor__study_id=study_id)
                           | Q(oos__batch__donation__donor__study_id=study_id))
    return rows
