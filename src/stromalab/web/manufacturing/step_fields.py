"""What each recorded value of a step is called, and how it reads, in the reader's language.

A step's data are stored under their field names (``mass_g``, ``cells_seeded``), which are the
names the step forms post and the actions sign; people should read the words they typed the
value under. So a field the operator fills takes its label from its step form (one source of
truth: the form's ``label``, with its unit, as ``Mass (g)``), and a choice reads as the form
offers it (``intact``, ``vial`` in French). The values the actions compute or copy (the delay
since harvest, the day of the scheduled surgery, the register ids of the lots) are labelled
here, their unit beside the value. Numbers follow the reader's language (:mod:`.display`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms as django_forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import forms
from .display import as_number, display_value, number_text
from .models import Step


@dataclass(frozen=True)
class StepField:
    """How one stored field is named and shown."""

    label: Any
    #: a number: shown in the reader's language (decimal comma, thousands grouped)
    number: bool = False
    #: the words of a choice field, by stored value
    choices: dict[str, Any] = field(default_factory=dict)
    #: the number written with its unit (given the number and its text: "1 day", "2 days")
    unit: Callable[[Decimal, str], str] | None = None

    def show(self, value: Any) -> str:
        """The stored value as people read it."""
        number = as_number(value) if self.number else None
        if number is not None:
            text = number_text(number)
            return self.unit(number, text) if self.unit is not None else text
        if isinstance(value, str) and value in self.choices:
            return str(self.choices[value])
        return display_value(value)


def _from_form(form_class: type[django_forms.Form], name: str) -> StepField:
    """The field's label and kind as its step form declares them."""
    form_field = form_class.base_fields[name]
    number = isinstance(form_field, (django_forms.DecimalField, django_forms.IntegerField))
    choices: dict[str, Any] = {}
    if isinstance(form_field, django_forms.ChoiceField) and not isinstance(form_field, django_forms.ModelChoiceField):
        choices = {str(value): label for value, label in form_field.choices}  # type: ignore[misc,union-attr]
    return StepField(form_field.label, number=number, choices=choices)


def _hours(number: Decimal, text: str) -> str:
    return f"{text} h"


def _days(number: Decimal, text: str) -> str:
    return ngettext("%(days)s day", "%(days)s days", abs(int(number)) if number == int(number) else 2) % {
        "days": text}


@functools.cache
def step_fields() -> dict[str, StepField]:
    """Every field a step stores, in the order the forms ask for them."""
    harvest, receipt, isolation = forms.HarvestForm, forms.ReceiptForm, forms.IsolationForm
    seed, passage, freezing, storage = forms.SeedForm, forms.PassageHarvestForm, forms.FreezingForm, forms.StorageForm
    out: dict[str, StepField] = {}
    for form_class, names in (
            (harvest, ["harvested_at", "surgeon", "mass_g", "container", "transport_temperature", "departed_at"]),
            (receipt, ["received_at", "temperature_c", "integrity"]),
            (isolation, ["isolated_at", "cell_count", "viability_pct"]),
            (seed, ["seeded_at", "cells_seeded", "vessel", "surface_cm2", "medium_lot", "reagent_lots"]),
            (passage, ["cells_harvested", "confluence_pct"]),
            (freezing, ["frozen_at", "container_type", "container_count", "volume_ml", "cells_per_container",
                        "product_description"]),
            (storage, ["box"])):
        for name in names:
            out.setdefault(name, _from_form(form_class, name))
    out.update({
        "scheduled_surgery_on": StepField(_("Scheduled surgery date")),
        "days_from_scheduled_surgery": StepField(_("Harvest day against the scheduled surgery"), number=True,
                                                 unit=_days),
        "notes": StepField(_("Notes")),
        "elapsed_hours": StepField(_("Time from harvest to receipt"), number=True, unit=_hours),
        "medium_lot_id": StepField(_("Medium lot (register id)")),
        "reagent_lot_ids": StepField(_("Reagent lots (register ids)")),
        "divisions": StepField(_("Division codes")),
        "expires_on": StepField(_("Expiry date")),
        "box_id": StepField(_("Box (register id)")),
        "placed": StepField(_("Containers placed (container → position)")),
        "stored_at": StepField(_("Storage date and time")),
    })
    return out


#: a passage is seeded before it is harvested: its seeding fields first
_PASSAGE_FIRST = ("seeded_at", "cells_seeded", "vessel", "surface_cm2", "medium_lot", "reagent_lots")


def step_values(step: Step) -> list[tuple[str, str]]:
    """The step's recorded values as ``(label, value)`` in the active language, in the forms'
    order (a field no form or list here names, e.g. from an older version, last, by its name)."""
    known = step_fields()
    names = [*_PASSAGE_FIRST, *known] if step.kind == Step.PASSAGE else list(known)
    order = {name: i for i, name in reversed(list(enumerate(names)))}
    rows = []
    for name in sorted(step.data, key=lambda n: (order.get(n, len(order)), n)):
        described = known.get(name)
        value = step.data[name]
        rows.append((str(described.label), described.show(value)) if described is not None
                    else (name.replace("_", " "), display_value(value)))
    return rows
