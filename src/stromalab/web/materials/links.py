"""The records a CAPA may answer: manufacturing deviations and QC out-of-specification
records. The one module of the app that reads those apps' models (pyproject's import contract
says why), so that the register's pages offer them as choices."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from stromalab.web.manufacturing.models import Deviation
from stromalab.web.quality.models import OosRecord

#: the most recent records offered on the CAPA form
SHOWN = 300


def answerable() -> list[tuple[str, str]]:
    """Choices ``deviation-<id>`` / ``oos-<id>``, most recent first."""
    deviations = [(f"deviation-{d.pk}", f"{d.batch.code} · {d.label}"[:200])
                  for d in Deviation.objects.select_related("batch").order_by("-id")[:SHOWN]]
    oos = [(f"oos-{o.pk}", f"{o.batch.code} · OOS {o.pk} ({o.test_id} {o.value})"[:200])
           for o in OosRecord.objects.select_related("batch").order_by("-id")[:SHOWN]]
    return deviations + oos


def answered(key: Any) -> dict[str, Any]:
    """``{"deviation": …}`` or ``{"oos": …}`` for a choice key; refused on ``answers`` otherwise."""
    kind, _sep, number = str(key or "").partition("-")
    record: Deviation | OosRecord | None = None
    if number.isdigit() and kind == "deviation":
        record = Deviation.objects.filter(pk=int(number)).first()
    elif number.isdigit() and kind == "oos":
        record = OosRecord.objects.filter(pk=int(number)).first()
    if record is None:
        raise ValidationError({"answers": _("choose the deviation or the OOS record this action answers")})
    return {kind: record}
