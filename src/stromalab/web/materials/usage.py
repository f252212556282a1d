"""Which lots a manufacturing step used and which instrument a QC result was measured on,
judged against the registers inside the manufacturing and quality actions' transactions.

A released lot within its expiry date, an instrument in service within its calibration or
qualification due date, is fit for use. A lot in quarantine or expired, or an instrument past
its due date, is refused unless the operator gives a deviation reason; the calling action then
records a deviation (as for an in-process limit) and this module keeps the problem beside the
use. A rejected lot, an instrument out of service or a reference outside the register is
refused whatever the reason. The pages and the API give lots by register id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind

from .models import Instrument, Lot, LotUse


@dataclass(frozen=True)
class Use:
    """A lot a step uses: the step's field that named it, its role, the lot and why it was not
    fit for use that day ("" when it was)."""

    field: str
    role: str
    lot: Lot
    problem: str


def _lot(reference: Any, field: str, kind: str) -> Lot:
    """The lot of the register with id ``reference``, of ``kind``, not rejected."""
    text = str(reference if reference is not None else "").strip()
    lot = Lot.objects.filter(pk=int(text), kind=kind).first() if text.isdigit() else None
    if lot is None:
        raise ValidationError({field: _("choose a %(kind)s lot of the register (got %(value)s)") % {
            "kind": dict(Lot.KINDS)[kind], "value": text or "—"}})
    if lot.status == Lot.REJECTED:
        raise ValidationError({field: _("lot %(lot)s is rejected: it may not be used") % {"lot": lot.lot_number}})
    return lot


def judge_lots(*, medium_lot: Any, reagent_lots: Iterable[Any] | str | None, day: dt.date) -> list[Use]:
    """The step's medium lot (required) and reagent lots (any number), each judged on ``day``."""
    uses = [Use("medium_lot", LotUse.MEDIUM, lot := _lot(medium_lot, "medium_lot", Lot.MEDIUM), lot.problem_on(day))]
    references = [] if reagent_lots in (None, "") else (
        reagent_lots.split(",") if isinstance(reagent_lots, str) else list(reagent_lots))
    seen: set[int] = set()
    for reference in references:
        reagent = _lot(reference, "reagent_lots", Lot.REAGENT)
        if reagent.pk not in seen:
            seen.add(reagent.pk)
            uses.append(Use("reagent_lots", LotUse.REAGENT, reagent, reagent.problem_on(day)))
    return uses


def step_values(uses: Sequence[Use]) -> dict[str, Any]:
    """What the step's data keeps (and its signature covers): the lots as people read them, under
    the keys free-text steps used, and their register ids."""
    reagents = [u.lot for u in uses if u.role == LotUse.REAGENT]
    medium = next(u.lot for u in uses if u.role == LotUse.MEDIUM)
    return {"medium_lot": medium.label, "medium_lot_id": medium.pk,
            "reagent_lots": ", ".join(lot.label for lot in reagents), "reagent_lot_ids": [lot.pk for lot in reagents]}


def problems(uses: Sequence[Use]) -> list[tuple[str, str]]:
    """``(field, problem)`` for the lots not fit for use."""
    return [(u.field, u.problem) for u in uses if u.problem]


def record_uses(uses: Sequence[Use], *, batch: Any, step: Any, acting_user: Any) -> list[LotUse]:
    """One :class:`LotUse` per lot (audited), in the calling action's transaction."""
    rows = []
    for use in uses:
        row = LotUse.objects.create(lot=use.lot, batch=batch, step=step, role=use.role, problem=use.problem[:300],
                                    used_by=acting_user)
        record_event(acting_user=acting_user, action=EventKind.CREATE, record=row, new={
            "lot": use.lot.label, "lot_id": use.lot.pk, "role": use.role, "step": step.label,
            "problem": use.problem or None})
        rows.append(row)
    return rows


def judge_instrument(identifier: Any, field: str, day: dt.date) -> tuple[str, str]:
    """``(identifier, problem)`` of the instrument a result was measured on ("" for none):
    one of the register, not out of service; ``problem`` says why it was not fit on ``day``."""
    text = str(identifier or "").strip()
    if not text:
        return "", ""
    instrument = Instrument.objects.filter(identifier=text).first()
    if instrument is None:
        raise ValidationError({field: _("choose an instrument of the register (got %(value)s)") % {"value": text}})
    if instrument.status != Instrument.IN_SERVICE:
        raise ValidationError({field: _("instrument %(id)s is out of service: it may not be used") % {
            "id": instrument.identifier}})
    return instrument.identifier, instrument.problem_on(day)


def lot_choices(kind: str) -> list[tuple[str, str]]:
    """The lots a step may choose (rejected ones left out), fit ones first; the others say why
    they would need a deviation."""
    today = timezone.localdate()
    lots = list(Lot.objects.filter(kind=kind).exclude(status=Lot.REJECTED).order_by("expires_on", "lot_number"))
    fit = [(str(lot.pk), lot.label) for lot in lots if not lot.problem_on(today)]
    unfit = [(str(lot.pk), f"{lot.label} — {lot.problem_on(today)}") for lot in lots if lot.problem_on(today)]
    return fit + unfit


def instrument_choices() -> list[tuple[str, str]]:
    """The instruments a result may name (in service), fit ones first; none is a choice too."""
    today = timezone.localdate()
    rows = list(Instrument.objects.filter(status=Instrument.IN_SERVICE))
    fit = [(i.identifier, f"{i.identifier} ({i.get_kind_display()})") for i in rows if not i.problem_on(today)]
    unfit = [(i.identifier, f"{i.identifier} — {i.problem_on(today)}") for i in rows if i.problem_on(today)]
    return [("", "—"), *fit, *unfit]
